import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import { ModelRegistry } from '../../../src/github/releases/registry.js';
import { clientFor, useGitHubFake } from '../../support/github/useGitHubFake.js';
import { useTempDir } from '../../support/tempDir.js';

const { fake } = useGitHubFake();
const dir = useTempDir();
let testIndex = 0;
const freshDir = () => join(dir, `t${++testIndex}`);

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

function registryOver(github: ReturnType<typeof fake>) {
  const octokit = clientFor(github, github.actionsToken({ readOnly: true }));
  return new ModelRegistry({ octokit, owner: 'acme', repo: 'models' });
}

describe('ModelRegistry downloads', () => {
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
    const release = await registry.newest('credit-risk');
    const target = join(freshDir(), 'card');
    const result = await registry.download(release!, ['MODEL_CARD.md'], target);
    const dest = join(target, 'MODEL_CARD.md');
    expect(readFileSync(dest, 'utf8')).toBe(card);
    expect(result).toEqual([
      { name: 'MODEL_CARD.md', path: dest, sha256: sha256(card), size: card.length },
    ]);
    // SHA256SUMS, then the card: each through a redirect to storage.
    expect(github.requestsTo('repos/get-release-asset').map((r) => r.status)).toEqual([302, 302]);
    expect(github.requestsTo('(storage)')).toHaveLength(2);
  });

  it('downloads and verifies against SHA256SUMS', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    const target = freshDir();
    const [result] = await registry.download(release!, ['model.onnx'], target);
    expect(result?.sha256).toBe(sha256(model));
    expect(readFileSync(join(target, 'model.onnx')).equals(model)).toBe(true);
    expect(readdirSync(target)).toEqual(['model.onnx']);
  });

  it('accepts sha256sum’s binary-mode lines and upper-case hex', async () => {
    const { github } = seedRelease(`${sha256(model).toUpperCase()} *model.onnx\n`);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(registry.download(release!, ['model.onnx'], freshDir())).resolves.toMatchObject([
      { sha256: sha256(model) },
    ]);
  });

  it('retries a 502 on the download', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    github.failNext('repos/get-release-asset', { kind: 'bad-gateway' });
    const target = freshDir();
    await registry.download(release!, ['model.onnx'], target);
    expect(readFileSync(join(target, 'model.onnx')).equals(model)).toBe(true);
  });

  it('refuses a tampered asset whose bytes no longer match SHA256SUMS, leaving no file of the set', async () => {
    const { github, release: stored } = seedRelease(goodSums);
    github.tamperAsset(stored, 'model.onnx', Buffer.concat([model, Buffer.from('backdoor')]));
    // Releases made before GitHub computed digests have none: only the bytes can tell.
    stored.assets.find((a) => a.name === 'model.onnx')!.digest = null;
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    const target = freshDir();
    const attempt = registry.download(release!, ['MODEL_CARD.md', 'model.onnx'], target);
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
    await expect(registry.download(release!, ['model.onnx'], freshDir())).rejects.toThrow(
      /on GitHub but [0-9a-f]{64} in SHA256SUMS/,
    );
    expect(github.requestsTo('(storage)')).toHaveLength(1); // SHA256SUMS only
  });

  it('refuses a release without SHA256SUMS', async () => {
    const { github } = seedRelease();
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(registry.download(release!, ['model.onnx'], freshDir())).rejects.toThrow(
      /has no SHA256SUMS asset, so model\.onnx cannot be verified/,
    );
    expect(github.requestsTo('repos/get-release-asset')).toHaveLength(0);
  });

  it('refuses an asset SHA256SUMS does not list', async () => {
    const { github } = seedRelease(`${sha256(card)}  MODEL_CARD.md\n`);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(registry.download(release!, ['model.onnx'], freshDir())).rejects.toThrow(
      /SHA256SUMS of release credit-risk-v1\.0\.0 does not list model\.onnx/,
    );
  });

  it('refuses a malformed SHA256SUMS', async () => {
    const { github } = seedRelease(`${sha256(model)}  model.onnx\nnot a checksum line\n`);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(registry.download(release!, ['model.onnx'], freshDir())).rejects.toThrow(
      /line 2 is not "<sha256> {2}<file>"/,
    );
  });

  it('writes SHA256SUMS as published when it is asked for, beside what it verifies', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    const target = freshDir();
    await registry.download(release!, ['SHA256SUMS', 'model.onnx'], target);
    expect(readFileSync(join(target, 'SHA256SUMS'), 'utf8')).toBe(goodSums);
    expect(readdirSync(target).sort()).toEqual(['SHA256SUMS', 'model.onnx']);
  });

  it('names the assets a release has when the one asked for is missing', async () => {
    const { github } = seedRelease(goodSums);
    const registry = registryOver(github);
    const release = await registry.byTag('credit-risk-v1.0.0');
    await expect(registry.download(release!, ['model.pt'], freshDir())).rejects.toThrow(
      /has no asset named model\.pt \(assets: model\.onnx, MODEL_CARD\.md, SHA256SUMS\)/,
    );
  });
});
