import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../src/core/errors.js';
import { GitHubModelRegistry } from '../../src/github/modelRegistry.js';
import { useTempDir } from '../support/tempDir.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const dir = useTempDir();
let testIndex = 0;
const freshDir = () => join(dir, `t${++testIndex}`);

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function registryOver(github: ReturnType<typeof fake>) {
  return new GitHubModelRegistry(clientFor(github, github.actionsToken({ readOnly: true })), {
    owner: 'acme',
    repo: 'models',
  });
}

/** 120 model releases: 40 versions each of credit, credit-risk and fraud, plus stray tags. */
function seedReleases(github: ReturnType<typeof fake>) {
  const repo = github.addRepo('acme', 'models');
  const versions: string[] = [];
  for (let minor = 0; minor < 4; minor++) {
    for (let patch = 0; patch < 10; patch++) versions.push(`1.${minor}.${patch}`);
  }
  const minute = (n: number) => new Date(Date.UTC(2024, 0, 1, 0, n)).toISOString();
  let n = 0;
  for (const model of ['credit', 'credit-risk', 'fraud']) {
    // Published newest version first for credit-risk: order by date must not decide.
    const order = model === 'credit-risk' ? [...versions].reverse() : versions;
    for (const version of order) {
      github.addRelease(repo, {
        tag: `${model}-v${version}`,
        createdAt: minute(n++),
        draft: model === 'credit' && version === '1.3.9',
        prerelease: model === 'credit' && version === '1.3.8',
      });
    }
  }
  github.addRelease(repo, { tag: 'v2.0.0' });
  github.addRelease(repo, { tag: 'credit-v9.0.0-rc.1', prerelease: true });
  github.addRelease(repo, { tag: 'credit-risk-v01.0.0' });
  return repo;
}

describe('GitHubModelRegistry versions', () => {
  it('lists every version of a model across pages, newest first', async () => {
    const github = fake();
    seedReleases(github);
    const registry = registryOver(github);
    const credit = await registry.listVersions('credit');
    expect(credit).toHaveLength(40);
    expect(credit.every((r) => r.model === 'credit' && r.tag.startsWith('credit-v'))).toBe(true);
    expect(credit.slice(0, 3).map((r) => r.version)).toEqual(['1.3.9', '1.3.8', '1.3.7']);
    const risk = await registry.listVersions('credit-risk');
    expect(risk).toHaveLength(40);
    expect(risk[0]?.version).toBe('1.3.9');
    expect(risk.at(-1)?.version).toBe('1.0.0');
    const pages = github.requestsTo('repos/list-releases');
    expect(pages).toHaveLength(4); // 123 releases, 100 per page, twice
  });

  it('picks production per model: newest by semver, skipping drafts and prereleases', async () => {
    const github = fake();
    seedReleases(github);
    const registry = registryOver(github);
    expect((await registry.production('credit'))?.tag).toBe('credit-v1.3.7');
    expect((await registry.production('credit-risk'))?.tag).toBe('credit-risk-v1.3.9');
    expect((await registry.production('fraud'))?.tag).toBe('fraud-v1.3.9');
    expect(await registry.production('churn')).toBeUndefined();
  });

  it('orders 1.10.0 after 1.9.0', async () => {
    const github = fake();
    const repo = github.addRepo('acme', 'models');
    github.addRelease(repo, { tag: 'm-v1.10.0' });
    github.addRelease(repo, { tag: 'm-v1.9.0' });
    github.addRelease(repo, { tag: 'm-v1.2.0' });
    const registry = registryOver(github);
    expect((await registry.listVersions('m')).map((r) => r.version)).toEqual([
      '1.10.0',
      '1.9.0',
      '1.2.0',
    ]);
    expect((await registry.production('m'))?.version).toBe('1.10.0');
  });

  it('finds a release by tag, and not a draft or a missing one', async () => {
    const github = fake();
    seedReleases(github);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.2.3');
    expect(release).toMatchObject({ model: 'credit-risk', version: '1.2.3', draft: false });
    expect(await registry.byTag('credit-v1.3.9')).toBeUndefined();
    expect(await registry.byTag('credit-v7.0.0')).toBeUndefined();
    await expect(registry.byTag('latest')).rejects.toThrow(/not a model release tag/);
  });

  it('says which permission is missing when releases cannot be read', async () => {
    const github = fake();
    seedReleases(github);
    github.failNext('repos/list-releases', { kind: 'forbidden' });
    await expect(registryOver(github).production('credit')).rejects.toThrow(
      /GitHub refused GET \/repos\/acme\/models\/releases \(403 .*\): the token lacks `contents: read`/,
    );
  });
});

describe('GitHubModelRegistry downloads', () => {
  const model = randomBytes(200_000);
  const card = '# credit-risk v1.0.0\n';

  function seedRelease(sums?: string) {
    const github = fake();
    const repo = github.addRepo('acme', 'models');
    const assets: Record<string, string | Buffer> = { 'model.onnx': model, 'MODEL_CARD.md': card };
    if (sums !== undefined) assets.SHA256SUMS = sums;
    const release = github.addRelease(repo, { tag: 'credit-risk-v1.0.0', assets });
    return { github, release };
  }

  const goodSums = `${sha256(model)}  model.onnx\n${sha256(card)}  MODEL_CARD.md\n`;

  it('downloads an asset through GitHub’s redirect to storage', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.production('credit-risk');
    const dest = join(freshDir(), 'card', 'MODEL_CARD.md');
    const result = await registry.downloadAsset(release!, 'MODEL_CARD.md', dest);
    expect(readFileSync(dest, 'utf8')).toBe(card);
    expect(result).toEqual({ path: dest, sha256: sha256(card), size: card.length });
    expect(github.requestsTo('repos/get-release-asset').map((r) => r.status)).toEqual([302]);
    expect(github.requestsTo('(storage)')).toHaveLength(1);
  });

  it('downloads and verifies against SHA256SUMS', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    const dest = join(freshDir(), 'model.onnx');
    const result = await registry.downloadVerified(release!, 'model.onnx', dest);
    expect(result.sha256).toBe(sha256(model));
    expect(readFileSync(dest).equals(model)).toBe(true);
  });

  it('accepts sha256sum’s binary-mode lines and upper-case hex', async () => {
    const { github } = seedRelease(`${sha256(model).toUpperCase()} *model.onnx\n`);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    const dest = join(freshDir(), 'model.onnx');
    await expect(registry.downloadVerified(release!, 'model.onnx', dest)).resolves.toMatchObject({
      sha256: sha256(model),
    });
  });

  it('retries a 502 on the download', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    github.failNext('repos/get-release-asset', { kind: 'bad-gateway' });
    const dest = join(freshDir(), 'model.onnx');
    await registry.downloadVerified(release!, 'model.onnx', dest);
    expect(readFileSync(dest).equals(model)).toBe(true);
  });

  it('refuses a tampered asset whose bytes no longer match SHA256SUMS, leaving no file', async () => {
    const { github, release: stored } = seedRelease(goodSums);
    github.tamperAsset(stored, 'model.onnx', Buffer.concat([model, Buffer.from('backdoor')]));
    // Releases made before GitHub computed digests have none: only the bytes can tell.
    stored.assets.find((a) => a.name === 'model.onnx')!.digest = null;
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    const target = freshDir();
    const attempt = registry.downloadVerified(release!, 'model.onnx', join(target, 'model.onnx'));
    await expect(attempt).rejects.toBeInstanceOf(ModelshipError);
    await expect(attempt).rejects.toThrow(
      /model\.onnx of release credit-risk-v1\.0\.0 has SHA-256 [0-9a-f]{64}, but SHA256SUMS says [0-9a-f]{64}: the asset was altered/,
    );
    expect(existsSync(target) ? readdirSync(target) : []).toEqual([]);
  });

  it('refuses before downloading when GitHub’s digest contradicts SHA256SUMS', async () => {
    const { github, release: stored } = seedRelease(goodSums);
    github.tamperAsset(stored, 'model.onnx', 'not the model');
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(
      registry.downloadVerified(release!, 'model.onnx', join(freshDir(), 'model.onnx')),
    ).rejects.toThrow(/on GitHub but [0-9a-f]{64} in SHA256SUMS/);
    expect(github.requestsTo('(storage)')).toHaveLength(1); // SHA256SUMS only
  });

  it('refuses a release without SHA256SUMS', async () => {
    const { github } = seedRelease();
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(
      registry.downloadVerified(release!, 'model.onnx', join(freshDir(), 'model.onnx')),
    ).rejects.toThrow(/has no SHA256SUMS asset, so model\.onnx cannot be verified/);
    expect(github.requestsTo('repos/get-release-asset')).toHaveLength(0);
  });

  it('refuses an asset SHA256SUMS does not list', async () => {
    const { github } = seedRelease(`${sha256(card)}  MODEL_CARD.md\n`);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(
      registry.downloadVerified(release!, 'model.onnx', join(freshDir(), 'model.onnx')),
    ).rejects.toThrow(/SHA256SUMS of release credit-risk-v1\.0\.0 does not list model\.onnx/);
  });

  it('refuses a malformed SHA256SUMS', async () => {
    const { github } = seedRelease(`${sha256(model)}  model.onnx\nnot a checksum line\n`);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(
      registry.downloadVerified(release!, 'model.onnx', join(freshDir(), 'model.onnx')),
    ).rejects.toThrow(/line 2 is not "<sha256> {2}<file>"/);
  });

  it('names the assets a release has when the one asked for is missing', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(
      registry.downloadAsset(release!, 'model.pt', join(freshDir(), 'model.pt')),
    ).rejects.toThrow(
      /has no asset named model\.pt \(assets: model\.onnx, MODEL_CARD\.md, SHA256SUMS\)/,
    );
  });
});
