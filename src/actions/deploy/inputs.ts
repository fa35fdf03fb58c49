import * as core from '@actions/core';
import { z } from 'zod';
import { DEFAULT_BASE_IMAGE } from '../../core/deploy/containerfile.js';
import { BUILDER_PREFERENCES, type BuilderPreference } from '../../core/deploy/imageBuilder.js';
import { checkRepository, registryOf } from '../../core/deploy/imageRef.js';
import type { LoadTestSettings } from '../../core/deploy/loadTestSettings.js';
import { ModelshipError } from '../../core/errors.js';
import { parseModelVersion, type ReleaseQuery } from '../../core/release/modelVersion.js';
import { readCommonInputs, type CommonInputs } from '../commonInputs.js';
import { choiceInput, flagInput, readInputs, textInput } from '../inputs/readInputs.js';
import { loadTestInputs, readLoadTestInputs } from './loadTestStep.js';

/** The deploy action's inputs, read once. */
export interface DeployInputs extends CommonInputs {
  model: string;
  /** `production` (the newest release), a version of the model, or its release tag. */
  release: ReleaseQuery;
  /** The image repository (no tag). */
  image: string;
  builder: BuilderPreference;
  environment: string;
  smokeTest: boolean;
  /** Whether the load test runs, and the serve.load_test settings its inputs override. */
  loadTest: boolean;
  loadTestOverrides: Partial<LoadTestSettings>;
  baseImage: string;
  registry: string;
  /** Login to the registry, when there is one to make. */
  credentials: { username: string; password: string } | undefined;
  tlsVerify: boolean;
  /** The environment URL recorded on the deployment. */
  url: string | undefined;
  /** Why this deploy rolls back, for the replaced deployment's `rolled back to …` status. */
  rollbackReason: string | undefined;
}

const URL_EXPECTED = 'an http(s) URL or nothing';

/** The deploy action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  version: z.string(),
  image: z.string(),
  builder: choiceInput(BUILDER_PREFERENCES as [BuilderPreference, ...BuilderPreference[]], 'auto'),
  environment: textInput('production').pipe(
    z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, {
      error: 'an environment name of letters, digits, dots, dashes and underscores',
    }),
  ),
  'smoke-test': flagInput(true),
  ...loadTestInputs,
  'base-image': textInput(DEFAULT_BASE_IMAGE),
  'registry-username': z.string(),
  'registry-password': z.string(),
  'tls-verify': flagInput(true),
  url: z.union([z.literal(''), z.url({ error: URL_EXPECTED })], { error: URL_EXPECTED }),
  'rollback-reason': z.string(),
});

export function readDeployInputs(): DeployInputs {
  const common = readCommonInputs({ step: 'deploy' });
  const raw = readInputs(inputSchema);
  if (raw['registry-password']) core.setSecret(raw['registry-password']);

  // version: production (default), a semantic version of the config's model, or a release tag.
  const configModel = common.loaded?.config.model.name;
  const release = parseModelVersion(raw.version || 'production', {
    what: 'input version',
    accepts: ['production', 'version', 'tag'],
    ...(configModel ? { model: configModel } : {}),
  }) as ReleaseQuery;
  const model = release.kind === 'tag' ? release.model : configModel;
  if (!model) {
    throw new ModelshipError(
      `deploy needs the model's name: no modelship.yml in ${common.workingDirectory}; set the config input, or set version to a release tag like credit-risk-v1.2.0.`,
    );
  }

  const owner = (process.env.GITHUB_REPOSITORY ?? '').split('/')[0]?.toLowerCase();
  const image = raw.image || (owner ? `ghcr.io/${owner}/${model}` : '');
  if (!image)
    throw new ModelshipError(
      'input image is not set and GITHUB_REPOSITORY is unknown; set image to a repository like ghcr.io/owner/model.',
    );
  checkRepository(image);
  const registry = registryOf(image);
  // ghcr.io takes the workflow's actor and token (with `packages: write`); others need inputs.
  const ghcr = registry === 'ghcr.io';
  const username = raw['registry-username'] || (ghcr ? (process.env.GITHUB_ACTOR ?? '') : '');
  const password = raw['registry-password'] || (ghcr ? common.githubToken : '');
  return {
    ...common,
    model,
    release,
    image,
    builder: raw.builder,
    environment: raw.environment,
    smokeTest: raw['smoke-test'],
    ...readLoadTestInputs(raw),
    baseImage: raw['base-image'],
    registry,
    credentials: username && password ? { username, password } : undefined,
    tlsVerify: raw['tls-verify'],
    url: raw.url || undefined,
    rollbackReason: raw['rollback-reason'].trim() || undefined,
  };
}
