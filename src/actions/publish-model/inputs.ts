import { z } from 'zod';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import type { BumpRule } from '../../core/release/versionBump.js';
import { inDirectory, readCommonInputs, type CommonInputs } from '../commonInputs.js';
import { choiceInput, optionalInput, readInputs } from '../inputs/readInputs.js';
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

const BUMPS = ['auto', 'major', 'minor', 'patch'] as const satisfies readonly BumpRule[];

/** The publish-model action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  model: optionalInput(),
  version: z.string().transform((v) => v.replace(/^v/, '') || undefined),
  bump: choiceInput(BUMPS, 'auto'),
  'artifact-name': z.string(),
});

export function readPublishInputs(): PublishInputs {
  const common = readCommonInputs({ step: 'publish-model', requireConfig: true });
  const raw = readInputs(inputSchema);
  return {
    ...common,
    model: raw.model ? inDirectory(common.workingDirectory, raw.model) : undefined,
    version: raw.version,
    bump: raw.bump,
    artifactName: raw['artifact-name'] || defaultArtifactName(common.loaded.config.model.name),
  };
}
