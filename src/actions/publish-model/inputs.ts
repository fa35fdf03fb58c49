import * as core from '@actions/core';
import { loadConfig, type LoadedConfig } from '../../core/config/modelshipConfig.js';
import { ModelshipError } from '../../core/errors.js';
import type { BumpRule } from '../../core/release/versionBump.js';
import { inDirectory, readCommonInputs, type CommonInputs } from '../commonInputs.js';
import { defaultArtifactName } from '../artifact.js';

/** The publish-model action's inputs, read once. */
export interface PublishInputs extends CommonInputs {
  loaded: LoadedConfig;
  /** The fallback model when the merged pull request has no candidate artifact. */
  model: string | undefined;
  /** An explicit version; wins over `bump`. */
  version: string | undefined;
  bump: BumpRule;
  /** The artifact the train action uploaded on the pull request (default `candidate-<model>`). */
  artifactName: string;
}

const BUMPS: BumpRule[] = ['auto', 'major', 'minor', 'patch'];

export function readPublishInputs(): PublishInputs {
  const common = readCommonInputs({ requireConfigFor: 'publish-model' });
  const loaded = loadConfig(common.config);
  const bump = (core.getInput('bump').trim() || 'auto') as BumpRule;
  if (!BUMPS.includes(bump)) {
    throw new ModelshipError(`input bump is "${bump}"; expected one of ${BUMPS.join(', ')}.`);
  }
  const model = core.getInput('model').trim();
  const version = core.getInput('version').trim().replace(/^v/, '');
  return {
    ...common,
    loaded,
    model: model ? inDirectory(common.workingDirectory, model) : undefined,
    version: version || undefined,
    bump,
    artifactName:
      core.getInput('artifact-name').trim() || defaultArtifactName(loaded.config.model.name),
  };
}
