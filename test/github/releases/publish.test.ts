import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitHubPermissionError } from '../../../src/github/requestError.js';
import {
  publishRelease,
  type PublishReleaseOptions,
} from '../../../src/github/releases/publish.js';
import { ModelRegistry } from '../../../src/github/releases/registry.js';
import type { GitHubFake } from '../../support/github/githubFake.js';
import { clientFor, useGitHubFake } from '../../support/github/useGitHubFake.js';
import { useTempDir } from '../../support/tempDir.js';

const { fake } = useGitHubFake();
const dir = useTempDir();
let testIndex = 0;

const TAG = 'credit-risk-v1.2.0';
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Six files of a model version in a fresh folder; with SHA256SUMS written by publish, seven. */
function modelFiles(seed = 'a'): { paths: Record<string, string>; dir: string } {
  const folder = join(dir, `t${++testIndex}`);
  mkdirSync(folder, { recursive: true });
  const contents: Record<string, string | Buffer> = {
    'model.onnx': randomBytes(70_000),
    'model-card.md': `# credit-risk ${seed}\n\nAUC 0.81\n`,
    'metrics.json': JSON.stringify({ auc: 0.81, seed }),
    'profile.json': JSON.stringify({ rows: 1000 }),
    'manifest.json': JSON.stringify({ commit: 'c'.repeat(40) }),
    'modelship.yml': 'model:\n  name: credit-risk\n',
  };
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(contents)) {
    paths[name] = join(folder, name);
    writeFileSync(paths[name], content);
  }
  return { paths, dir: folder };
}

function options(paths: Record<string, string>, extra: Partial<PublishReleaseOptions> = {}) {
  return {
    owner: 'acme',
    repo: 'models',
    tag: TAG,
    name: 'credit-risk 1.2.0',
    body: '## credit-risk 1.2.0\n\n| metric | production | candidate |\n|---|---|---|\n| auc | 0.80 | 0.81 |\n',
    assets: Object.values(paths).map((path) => ({ path })),
    targetCommitish: 'd'.repeat(40),
    ...extra,
  };
}

function setup() {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  const octokit = clientFor(github, github.actionsToken({ writes: ['contents'] }));
  return { github, repo, octokit };
}

const WRITES = [
  'repos/create-release',
  'repos/update-release',
  'repos/delete-release-asset',
  'repos/upload-release-asset',
];
const writesTo = (github: GitHubFake, since = 0) =>
  github.requests.slice(since).filter((r) => WRITES.includes(r.operationId));

const ASSET_NAMES = [
  'SHA256SUMS',
  'manifest.json',
  'metrics.json',
  'model-card.md',
  'model.onnx',
  'modelship.yml',
  'profile.json',
];

describe('publishRelease', () => {
  it('publishes a first version: a draft, seven verified assets, then published', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    const result = await publishRelease(octokit, options(paths));

    expect(result.action).toBe('published');
    const releases = github.releasesOf(repo);
    expect(releases).toHaveLength(1);
    const [release] = releases;
    expect(release).toMatchObject({
      id: result.releaseId,
      tag: TAG,
      draft: false,
      name: 'credit-risk 1.2.0',
      targetCommitish: 'd'.repeat(40),
    });
    expect(release?.body).toContain('| auc | 0.80 | 0.81 |');
    expect(result.url).toBe(`https://github.com/acme/models/releases/tag/${TAG}`);
    expect(release?.assets.map((a) => a.name).sort()).toEqual(ASSET_NAMES);
    expect(release?.assets.every((a) => a.state === 'uploaded')).toBe(true);
    const model = release?.assets.find((a) => a.name === 'model.onnx');
    expect(model?.bytes.equals(readFileSync(paths['model.onnx'] ?? ''))).toBe(true);
    expect(model?.contentType).toBe('application/octet-stream');
    expect(release?.assets.find((a) => a.name === 'metrics.json')?.contentType).toBe(
      'application/json',
    );

    // Draft first: created once, every upload before the one update that publishes it.
    const ops = github.requests.map((r) => r.operationId);
    expect(github.requestsTo('repos/create-release')).toHaveLength(1);
    expect(github.requestsTo('repos/upload-release-asset')).toHaveLength(7);
    expect(github.requestsTo('repos/update-release')).toHaveLength(1);
    expect(ops.lastIndexOf('repos/upload-release-asset')).toBeLessThan(
      ops.indexOf('repos/update-release'),
    );
    expect(ops.indexOf('repos/get-release')).toBeLessThan(ops.indexOf('repos/update-release'));
    expect(ops.at(-1)).toBe('repos/update-release');
    for (const asset of release?.assets ?? []) {
      expect(asset.createdAt < (release?.publishedAt ?? '')).toBe(true);
    }

    // SHA256SUMS lists the six files; the registry verifies a download against it.
    const sums = release?.assets.find((a) => a.name === 'SHA256SUMS')?.bytes.toString('utf8');
    expect(sums?.trim().split('\n')).toHaveLength(6);
    expect(sums).toContain(`${sha256(readFileSync(paths['model.onnx'] ?? ''))}  model.onnx\n`);
    const registry = new ModelRegistry({ octokit, owner: 'acme', repo: 'models' });
    const production = await registry.newest('credit-risk');
    expect(production?.tag).toBe(TAG);
    const [downloaded] = await registry.download(production!, ['model.onnx'], join(dir, 'got'));
    expect(downloaded?.sha256).toBe(result.assets.find((a) => a.name === 'model.onnx')?.sha256);
  });

  it('is a no-op on a re-run after success: same release, reads only', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    const first = await publishRelease(octokit, options(paths));
    const before = github.requests.length;

    const again = await publishRelease(octokit, options(paths));

    expect(again).toMatchObject({
      action: 'unchanged',
      releaseId: first.releaseId,
      url: first.url,
    });
    expect(github.releasesOf(repo)).toHaveLength(1);
    const rerun = github.requests.slice(before);
    expect(rerun.every((r) => r.method === 'GET')).toBe(true);
    expect(writesTo(github, before)).toEqual([]);
    expect(rerun.map((r) => r.operationId)).toContain('repos/list-releases');
  });

  it('resumes after a failure after 3 of 7 uploads: one release, seven assets, published', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    // The 4th upload breaks off, leaving a partial asset, and stays broken through the retries.
    github.failNext('repos/upload-release-asset', { kind: 'bad-gateway', partial: true }, 4, {
      after: 3,
    });

    await expect(publishRelease(octokit, options(paths))).rejects.toThrow(
      /GitHub failed on POST .*\/releases\/\d+\/assets\?name=.* \(502/,
    );
    const [draft] = github.releasesOf(repo);
    expect(github.releasesOf(repo)).toHaveLength(1);
    expect(draft?.draft).toBe(true);
    expect(draft?.assets.map((a) => a.state)).toEqual(['uploaded', 'uploaded', 'uploaded', 'open']);
    expect(github.requestsTo('repos/update-release')).toHaveLength(0);
    const before = github.requests.length;

    const resumed = await publishRelease(octokit, options(paths));

    expect(resumed).toMatchObject({ action: 'resumed', releaseId: draft?.id });
    const releases = github.releasesOf(repo);
    expect(releases).toHaveLength(1);
    expect(releases[0]?.draft).toBe(false);
    expect(releases[0]?.assets.map((a) => a.name).sort()).toEqual(ASSET_NAMES);
    expect(releases[0]?.assets.every((a) => a.state === 'uploaded')).toBe(true);
    const rerunWrites = writesTo(github, before).map((r) => r.operationId);
    expect(rerunWrites.filter((op) => op === 'repos/create-release')).toHaveLength(0);
    expect(rerunWrites.filter((op) => op === 'repos/delete-release-asset')).toHaveLength(1);
    expect(rerunWrites.filter((op) => op === 'repos/upload-release-asset')).toHaveLength(4);

    const third = await publishRelease(octokit, options(paths));
    expect(third).toMatchObject({ action: 'unchanged', releaseId: draft?.id });
  });

  it('resumes when the retry of a broken-off upload met its partial asset (422)', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    github.failNext('repos/upload-release-asset', { kind: 'bad-gateway', partial: true }, 1, {
      after: 5,
    });
    await expect(publishRelease(octokit, options(paths))).rejects.toThrow(/rejected .* \(422/);
    expect(github.releasesOf(repo)[0]?.assets).toHaveLength(6);

    const resumed = await publishRelease(octokit, options(paths));
    expect(resumed.action).toBe('resumed');
    expect(github.releasesOf(repo)).toHaveLength(1);
    expect(github.releasesOf(repo)[0]?.assets).toHaveLength(7);
  });

  it('replaces assets of a draft that differ from this run, and removes strays', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    const draft = github.addRelease(repo, {
      tag: TAG,
      draft: true,
      assets: {
        'metrics.json': readFileSync(paths['metrics.json'] ?? ''),
        'model.onnx': 'an older model',
        'notes.txt': 'left over',
      },
    });
    const result = await publishRelease(octokit, options(paths));
    expect(result).toMatchObject({ action: 'resumed', releaseId: draft.id });
    expect(draft.assets.map((a) => a.name).sort()).toEqual(ASSET_NAMES);
    expect(github.requestsTo('repos/delete-release-asset')).toHaveLength(2);
    expect(github.requestsTo('repos/upload-release-asset')).toHaveLength(6);
  });

  it('fails on a tag that exists with other content, and changes nothing', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    const other = modelFiles('b');
    await publishRelease(octokit, options(other.paths));
    const existing = github.releasesOf(repo)[0];
    const snapshot = JSON.stringify(existing);
    const before = github.requests.length;

    await expect(publishRelease(octokit, options(paths))).rejects.toThrow(
      /^Tag credit-risk-v1\.2\.0 already exists with different content \(.*model\.onnx differs.*\): .*bump the version.*nothing was changed/,
    );
    expect(writesTo(github, before)).toEqual([]);
    expect(github.releasesOf(repo)).toHaveLength(1);
    expect(JSON.stringify(github.releasesOf(repo)[0])).toBe(snapshot);
  });

  it('fails on a published release with the tag but no SHA256SUMS', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    github.addRelease(repo, { tag: TAG, assets: { 'model.onnx': 'x' } });
    await expect(publishRelease(octokit, options(paths))).rejects.toThrow(
      /Tag credit-risk-v1\.2\.0 already exists as a published release without SHA256SUMS/,
    );
    expect(writesTo(github)).toEqual([]);
  });

  it('reports a tampered asset of the published release rather than unchanged', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    await publishRelease(octokit, options(paths));
    const [release] = github.releasesOf(repo);
    github.tamperAsset(release!, 'model.onnx', 'not the reviewed model');
    const before = github.requests.length;

    await expect(publishRelease(octokit, options(paths))).rejects.toThrow(
      /Release credit-risk-v1\.2\.0 lists this content in SHA256SUMS, but its files were altered after publishing \(model\.onnx has \d+ bytes/,
    );
    expect(writesTo(github, before)).toEqual([]);

    // Same size, other bytes: GitHub's digest tells.
    const size = release!.assets.find((a) => a.name === 'metrics.json')!.bytes.length;
    github.tamperAsset(release!, 'model.onnx', readFileSync(paths['model.onnx'] ?? ''));
    github.tamperAsset(release!, 'metrics.json', 'x'.repeat(size));
    await expect(publishRelease(octokit, options(paths))).rejects.toThrow(
      /altered after publishing \(metrics\.json has SHA-256 [0-9a-f]{64}, not [0-9a-f]{64}\)/,
    );
    const registry = new ModelRegistry({ octokit, owner: 'acme', repo: 'models' });
    const production = await registry.newest('credit-risk');
    await expect(
      registry.download(production!, ['metrics.json'], join(dir, 'tampered')),
    ).rejects.toThrow(/altered after publishing/);
  });

  it('takes a SHA256SUMS that lists the files, and refuses one that does not', async () => {
    const { github, repo, octokit } = setup();
    const files = modelFiles();
    const list = Object.entries(files.paths)
      .map(([name, path]) => `${sha256(readFileSync(path))} *${name}`)
      .join('\n');
    const sums = join(files.dir, 'SHA256SUMS');
    writeFileSync(sums, list);
    const withSums = { ...files.paths, SHA256SUMS: sums };
    const result = await publishRelease(octokit, options(withSums));
    expect(result.action).toBe('published');
    expect(github.releasesOf(repo)[0]?.assets.find((a) => a.name === 'SHA256SUMS')?.bytes).toEqual(
      Buffer.from(list),
    );

    writeFileSync(sums, list.split('\n').slice(1).join('\n'));
    const before = github.requests.length;
    await expect(
      publishRelease(octokit, options(withSums, { tag: 'credit-risk-v1.3.0' })),
    ).rejects.toThrow(/SHA256SUMS does not match the files being published \(.* is not listed\)/);
    expect(github.requests.length).toBe(before);
  });

  it('refuses a tag that is not a model version, and names the permission a 403 lacks', async () => {
    const { github, octokit } = setup();
    const { paths } = modelFiles();
    await expect(publishRelease(octokit, options(paths, { tag: 'v1.2.0' }))).rejects.toThrow(
      /"v1\.2\.0" is not a model release tag/,
    );
    const readOnly = clientFor(github, github.actionsToken({ readOnly: true }));
    const error = await publishRelease(readOnly, options(paths)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubPermissionError);
    expect((error as Error).message).toMatch(
      /GitHub refused POST \/repos\/acme\/models\/releases \(403 .*\): the token lacks `contents: write`/,
    );
  });

  it('never edits a published release on the fake either: immutable releases refuse asset changes', async () => {
    const { github, repo, octokit } = setup();
    const { paths } = modelFiles();
    await publishRelease(octokit, options(paths));
    const [release] = github.releasesOf(repo);
    expect(release?.immutable).toBe(true);
    const asset = release!.assets[0]!;
    await expect(
      octokit.rest.repos.deleteReleaseAsset({ owner: 'acme', repo: 'models', asset_id: asset.id }),
    ).rejects.toMatchObject({ status: 422 });
    expect(release?.assets).toHaveLength(7);
  });
});
