import * as core from '@actions/core';
import { z } from 'zod';
import { loadConfig } from '../../core/config/modelshipConfig.js';
import { DEFAULT_BASE_IMAGE } from '../../core/deploy/containerfile.js';
import { BUILDER_PREFERENCES, type BuilderPreference } from '../../core/deploy/imageBuilder.js';
import { checkRepository, registryOf } from '../../core/deploy/imageRef.js';
import { ModelshipError } from '../../core/errors.js';
import { parseModelTag } from '../../github/modelTag.js';
import { flagInput, readCommonInputs, type CommonInputs } from '../commonInputs.js';

/** The deploy action's inputs, read once. */
export interface DeployInputs extends CommonInputs {
  model: string;
  /** `production`, or the release tag `<model>-v<semver>` to deploy. */
  release: 'production' | { tag: string };
  /** The image repository (no tag). */
  image: string;
  builder: BuilderPreference;
  environment: string;
  smokeTest: boolean;
  baseImage: string;
  registry: string;
  /** Login to the registry, when there is one to make. */
  credentials: { username: string; password: string } | undefined;
  tlsVerify: boolean;
  /** The environment URL recorded on the deployment. */
  url: string | undefined;
}

const schema = z.object({
  version: z.string().trim(),
  image: z.string().trim(),
  builder: z
    .string()
    .trim()
    .transform((v) => v || 'auto')
    .pipe(z.enum(BUILDER_PREFERENCES as [BuilderPreference, ...BuilderPreference[]])),
  environment: z
    .string()
    .trim()
    .transform((v) => v || 'production')
    .pipe(z.string().regex(/^[A-Za-z0-9._-]{1,255}$/)),
  'smoke-test': flagInput(true),
  'base-image': z
    .string()
    .trim()
    .transform((v) => v || DEFAULT_BASE_IMAGE),
  'registry-username': z.string().trim(),
  'registry-password': z.string(),
  'tls-verify': flagInput(true),
  url: z.union([z.literal(''), z.url()]),
});

const EXPECTED: Record<string, string> = {
  builder: `one of ${BUILDER_PREFERENCES.join(', ')}`,
  environment: 'an environment name of letters, digits, dots, dashes and underscores',
  'smoke-test': 'true or false',
  'tls-verify': 'true or false',
  url: 'an http(s) URL or nothing',
};

export function readDeployInputs(): DeployInputs {
  const common = readCommonInputs();
  const names = Object.keys(schema.shape) as (keyof z.input<typeof schema>)[];
  const parsed = schema.safeParse(Object.fromEntries(names.map((n) => [n, core.getInput(n)])));
  if (!parsed.success) {
    const name = String(parsed.error.issues[0]!.path[0]);
    throw new ModelshipError(
      `input ${name} is "${core.getInput(name)}"; expected ${EXPECTED[name] ?? 'another value'}.`,
    );
  }
  const raw = parsed.data;
  if (raw['registry-password']) core.setSecret(raw['registry-password']);

  // version: production (default), a semantic version of the config's model, or a release tag.
  const version = raw.version.replace(/^v(?=\d)/, '') || 'production';
  const tag = parseModelTag(version);
  const configModel = common.config ? loadConfig(common.config).config.model.name : undefined;
  const model = tag?.model ?? configModel;
  if (!model) {
    throw new ModelshipError(
      `deploy needs the model's name: no modelship.yml in ${common.workingDirectory}; set the config input, or set version to a release tag like credit-risk-v1.2.0.`,
    );
  }
  let release: DeployInputs['release'];
  if (version === 'production') release = 'production';
  else if (tag) release = { tag: version };
  else if (/^\d+\.\d+\.\d+$/.test(version)) release = { tag: `${model}-v${version}` };
  else
    throw new ModelshipError(
      `input version is "${raw.version}"; expected production, a version like 1.2.0, or a release tag like ${model}-v1.2.0.`,
    );

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
    baseImage: raw['base-image'],
    registry,
    credentials: username && password ? { username, password } : undefined,
    tlsVerify: raw['tls-verify'],
    url: raw.url || undefined,
  };
}
