import { describe, expect, it } from 'vitest';
import type { ReleaseQuery } from '../../../src/core/release/modelVersion.js';
import { createDeployment, setDeploymentStatus } from '../../../src/github/deployments.js';
import type { GitHubClient } from '../../../src/github/octokit.js';
import { ModelRegistry } from '../../../src/github/releases/registry.js';
import { clientFor, useGitHubFake } from '../../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const target = { owner: 'acme', repo: 'models' };
const production: ReleaseQuery = { kind: 'production' };
const URLS = { logUrl: 'https://ci.example/run/1', environmentUrl: 'https://models.example' };

/** Releases 1.0.0, 1.1.0 and 1.2.0 of credit-risk (and one of fraud), and a writing client. */
function seed() {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  for (const tag of [
    'credit-risk-v1.0.0',
    'credit-risk-v1.1.0',
    'credit-risk-v1.2.0',
    'fraud-v3.0.0',
  ])
    github.addRelease(repo, { tag });
  const octokit = clientFor(github, github.actionsToken());
  return { github, octokit, registry: () => new ModelRegistry({ octokit, ...target }) };
}

/** A deployment of `tag` as deploy records it, with a `success` status. */
async function deploy(octokit: GitHubClient, tag: string, environment = 'production') {
  const [model = '', version = ''] = tag.split(/-v(?=\d)/);
  const id = await createDeployment(octokit, target, {
    ref: tag,
    environment,
    description: `${model} ${version}`,
    payload: {
      image: `ghcr.io/acme/${model}@sha256:${'0'.repeat(64)}`,
      digest: '',
      version,
      model,
    },
  });
  await setDeploymentStatus(octokit, target, id, {
    state: 'success',
    description: 'tested',
    ...URLS,
  });
  return id;
}

/** A later status of a deployment: GitHub's `inactive` when superseded, or a rollback's. */
async function retire(octokit: GitHubClient, id: number, description: string) {
  await octokit.rest.repos.createDeploymentStatus({
    ...target,
    deployment_id: id,
    state: 'inactive',
    description,
    log_url: URLS.logUrl,
    environment_url: URLS.environmentUrl,
  });
}

describe('resolving production', () => {
  it('is the newest published release while the environment has no deployment of the model', async () => {
    const { octokit, registry } = seed();
    await deploy(octokit, 'fraud-v3.0.0');
    await deploy(octokit, 'credit-risk-v1.0.0', 'staging');
    const found = await registry().resolve(production, 'credit-risk');
    expect(found.release?.tag).toBe('credit-risk-v1.2.0');
    expect(found.reason).toBe(
      'the newest release (no deployment of credit-risk to production is live)',
    );
    expect(found.warning).toBeUndefined();
  });

  it('is the version deployed to production when a deployment of it succeeded', async () => {
    const { github, octokit, registry } = seed();
    const first = await deploy(octokit, 'credit-risk-v1.1.0');
    // As GitHub does: the deployment that replaces it marks it inactive.
    const second = await deploy(octokit, 'credit-risk-v1.0.0');
    await retire(octokit, first, '');
    await deploy(octokit, 'fraud-v3.0.0');
    const before = github.requestsTo('repos/list-deployment-statuses').length;
    const found = await registry().resolve(production, 'credit-risk');
    expect(found.release?.tag).toBe('credit-risk-v1.0.0');
    expect(found.reason).toBe(`deployed to production (deployment ${second})`);
    // fraud's deployment is skipped unread; the search stops at the live one.
    expect(github.requestsTo('repos/list-deployment-statuses').length - before).toBe(1);
    // Another environment has its own production.
    await deploy(octokit, 'credit-risk-v1.1.0', 'staging');
    const staging = await registry().resolve(production, 'credit-risk', { environment: 'staging' });
    expect(staging.release?.tag).toBe('credit-risk-v1.1.0');
  });

  it('never resolves to a version marked rolled back', async () => {
    const { octokit, registry } = seed();
    const good = await deploy(octokit, 'credit-risk-v1.1.0');
    const bad = await deploy(octokit, 'credit-risk-v1.2.0');
    await retire(octokit, good, '');
    // The rollback retires the bad version before the good one's new deployment is live.
    await retire(octokit, bad, 'rolled back to credit-risk-v1.1.0: performance degraded');
    const meanwhile = await registry().resolve(production, 'credit-risk');
    expect(meanwhile.release?.tag).toBe('credit-risk-v1.1.0');
    expect(meanwhile.reason).toMatch(/^the newest release/);
    const again = await deploy(octokit, 'credit-risk-v1.1.0');
    const after = await registry().resolve(production, 'credit-risk');
    expect(after.release?.tag).toBe('credit-risk-v1.1.0');
    expect(after.reason).toBe(`deployed to production (deployment ${again})`);
  });

  it('is the newest release for deploy and publish-model, whatever runs', async () => {
    const { octokit, registry } = seed();
    await deploy(octokit, 'credit-risk-v1.0.0');
    const found = await registry().resolve(production, 'credit-risk', { environment: false });
    expect(found.release?.tag).toBe('credit-risk-v1.2.0');
  });

  it('falls back to the newest release, with a warning, when the token cannot read deployments', async () => {
    const { github, octokit, registry } = seed();
    await deploy(octokit, 'credit-risk-v1.0.0');
    github.failNext('repos/list-deployments', { kind: 'forbidden' });
    const found = await registry().resolve(production, 'credit-risk');
    expect(found.release?.tag).toBe('credit-risk-v1.2.0');
    expect(found.warning).toBe(
      'the token cannot read the deployments of acme/models (grant `deployments: read`), so production is taken as the newest release of credit-risk, even if another version runs in production',
    );
  });

  it('refuses a deployment whose release is gone, and is undefined before the first release', async () => {
    const { github, octokit, registry } = seed();
    await deploy(octokit, 'credit-risk-v9.0.0');
    await expect(registry().resolve(production, 'credit-risk')).rejects.toThrow(
      /^credit-risk's production is credit-risk-v9\.0\.0 \(deployment \d+ to production\), but acme\/models has no release with that tag: publish it again, or deploy another version\.$/,
    );
    github.addRepo('acme', 'empty');
    const empty = new ModelRegistry({ octokit, owner: 'acme', repo: 'empty' });
    expect(await empty.resolve(production, 'credit-risk')).toEqual({
      release: undefined,
      reason: 'acme/empty has no published release of credit-risk',
    });
  });
});

describe('resolving a tag or version', () => {
  it('finds the release a version or tag names, and says when there is none', async () => {
    const { registry } = seed();
    const byVersion = await registry().resolve(
      { kind: 'version', version: '1.1.0' },
      'credit-risk',
    );
    expect(byVersion.release?.tag).toBe('credit-risk-v1.1.0');
    const tag = 'credit-risk-v1.0.0';
    const byTag = await registry().resolve(
      { kind: 'tag', tag, model: 'credit-risk', version: '1.0.0' },
      'credit-risk',
    );
    expect(byTag).toMatchObject({ release: { tag }, reason: `the release ${tag}` });
    expect(await registry().resolve({ kind: 'version', version: '7.0.0' }, 'credit-risk')).toEqual({
      release: undefined,
      reason: 'acme/models has no published release credit-risk-v7.0.0',
    });
  });
});
