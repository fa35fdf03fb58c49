import { describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../src/github/releases/registry.js';
import { seedModelReleases } from '../../support/github/seedModelReleases.js';
import { clientFor, useGitHubFake } from '../../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
function registryOver(github: ReturnType<typeof fake>) {
  const octokit = clientFor(github, github.actionsToken({ readOnly: true }));
  return new ModelRegistry({ octokit, owner: 'acme', repo: 'models' });
}

describe('ModelRegistry versions', () => {
  it('lists every version of a model across pages, newest first', async () => {
    const github = fake();
    seedModelReleases(github);
    const registry = registryOver(github);
    const credit = await registry.list('credit');
    expect(credit).toHaveLength(40);
    expect(credit.every((r) => r.model === 'credit' && r.tag.startsWith('credit-v'))).toBe(true);
    expect(credit.slice(0, 3).map((r) => r.version)).toEqual(['1.3.9', '1.3.8', '1.3.7']);
    const risk = await registry.list('credit-risk');
    expect(risk).toHaveLength(40);
    expect(risk[0]?.version).toBe('1.3.9');
    expect(risk.at(-1)?.version).toBe('1.0.0');
    const pages = github.requestsTo('repos/list-releases');
    expect(pages).toHaveLength(2); // 123 releases, 100 per page, read once per registry
  });

  it('picks the newest release per model by semver, skipping drafts and prereleases', async () => {
    const github = fake();
    seedModelReleases(github);
    const registry = registryOver(github);
    expect((await registry.newest('credit'))?.tag).toBe('credit-v1.3.7');
    expect((await registry.newest('credit-risk'))?.tag).toBe('credit-risk-v1.3.9');
    expect((await registry.newest('fraud'))?.tag).toBe('fraud-v1.3.8');
    expect(await registry.newest('churn')).toBeUndefined();
  });

  it('names every model with a release, once', async () => {
    const github = fake();
    seedModelReleases(github);
    expect(await registryOver(github).models()).toEqual(['credit', 'credit-risk', 'fraud']);
  });

  it('orders 1.10.0 after 1.9.0', async () => {
    const github = fake();
    const repo = github.addRepo('acme', 'models');
    github.addRelease(repo, { tag: 'm-v1.10.0' });
    github.addRelease(repo, { tag: 'm-v1.9.0' });
    github.addRelease(repo, { tag: 'm-v1.2.0' });
    const registry = registryOver(github);
    expect((await registry.list('m')).map((r) => r.version)).toEqual(['1.10.0', '1.9.0', '1.2.0']);
    expect((await registry.newest('m'))?.version).toBe('1.10.0');
  });

  it('finds a release by tag, and not a draft or a missing one', async () => {
    const github = fake();
    seedModelReleases(github);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.2.3');
    expect(release).toMatchObject({ model: 'credit-risk', version: '1.2.3', draft: false });
    expect(await registry.byTag('credit-v1.3.9')).toBeUndefined();
    expect(await registry.byTag('credit-v7.0.0')).toBeUndefined();
    await expect(registry.byTag('latest')).rejects.toThrow(/not a model release tag/);
  });

  it('says which permission is missing when releases cannot be read', async () => {
    const github = fake();
    seedModelReleases(github);
    github.failNext('repos/list-releases', { kind: 'forbidden' });
    await expect(registryOver(github).newest('credit')).rejects.toThrow(
      /GitHub refused GET \/repos\/acme\/models\/releases \(403 .*\): the token lacks `contents: read`/,
    );
  });
});
