import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryOfRemote } from '../../src/cli/registry/repository.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { cliAgainstFake, useCliEnvironment } from '../support/github/cliAgainstFake.js';
import { seedModelReleases } from '../support/github/seedModelReleases.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';
import { useTempDir } from '../support/tempDir.js';

const { fake } = useGitHubFake();
const dir = useTempDir();
let testIndex = 0;
const freshDir = () => join(dir, `t${++testIndex}`);

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

useCliEnvironment();
const cli = cliAgainstFake;

const model = randomBytes(50_000);
const card = '# credit-risk v1.2.0\n';

/** A published release the way publish-model makes it: assets plus SHA256SUMS. */
function seedBundle(github: GitHubFake) {
  const repo = github.addRepo('acme', 'models');
  const manifest = JSON.stringify({
    manifest_version: 1,
    name: 'credit-risk',
    version: '1.2.0',
    tag: 'credit-risk-v1.2.0',
    task: 'binary-classification',
    commit: 'a'.repeat(40),
    gate: { passed: true },
    files: { 'model.onnx': { sha256: sha256(model), size_bytes: model.length } },
  });
  const files: Record<string, string | Buffer> = {
    'model.onnx': model,
    'MODEL_CARD.md': card,
    'manifest.json': manifest,
  };
  const sums = Object.entries(files)
    .map(([name, bytes]) => `${sha256(bytes)}  ${name}\n`)
    .join('');
  github.addRelease(repo, {
    tag: 'credit-risk-v1.1.0',
    createdAt: '2024-01-01T00:00:00Z',
    assets: { ...files, SHA256SUMS: sums },
  });
  const release = github.addRelease(repo, {
    tag: 'credit-risk-v1.2.0',
    createdAt: '2024-02-01T00:00:00Z',
    assets: { ...files, SHA256SUMS: sums },
  });
  github.addRelease(repo, { tag: 'credit-risk-v1.3.0-rc', prerelease: true });
  return { repo, release };
}

function oneLine(stderr: string) {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(/^modelship: /);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('modelship registry list', () => {
  it('lists every model across pages, newest first, with production per model', async () => {
    const github = fake();
    seedModelReleases(github);
    const { code, stdout, stderr } = await cli(github, ['registry', 'list']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const headers = stdout.split('\n').filter((l) => /^\S/.test(l));
    expect(headers).toEqual([
      'credit (acme/models): 40 versions, production credit-v1.3.7',
      'credit-risk (acme/models): 40 versions, production credit-risk-v1.3.9',
      'fraud (acme/models): 40 versions, production fraud-v1.3.8',
    ]);
    const rows = stdout.split('\n').filter((l) => l.startsWith('  '));
    expect(rows).toHaveLength(120);
    const creditRows = rows.filter((l) => / credit-v/.test(l));
    expect(creditRows[0]).toMatch(
      /^ {2}1\.3\.9\s+draft\s+unpublished\s+0 assets {2}credit-v1\.3\.9$/,
    );
    expect(creditRows[1]).toMatch(
      /^ {2}1\.3\.8\s+prerelease\s+2024-01-01\s+0 assets {2}credit-v1\.3\.8$/,
    );
    expect(creditRows[2]).toMatch(/^ {2}1\.3\.7\s+production\s+2024-01-01/);
    expect(rows.filter((l) => /production/.test(l))).toHaveLength(3);
    expect(rows.find((l) => l.endsWith('fraud-v1.0.0'))).toMatch(/1 asset {2}fraud-v1\.0\.0$/);
    expect(stdout).not.toMatch(/v2\.0\.0|v01\.0\.0/);
  });

  it('prints JSON for one model, not confusing credit with credit-risk', async () => {
    const github = fake();
    seedModelReleases(github);
    const { code, stdout } = await cli(github, ['registry', 'list', '--model', 'credit', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      repository: string;
      models: {
        name: string;
        production: string | null;
        versions: Record<string, unknown>[];
      }[];
    };
    expect(json.repository).toBe('acme/models');
    expect(json.models).toHaveLength(1);
    const [credit] = json.models;
    expect(credit?.name).toBe('credit');
    expect(credit?.production).toBe('credit-v1.3.7');
    expect(credit?.versions).toHaveLength(40);
    expect(credit?.versions.every((v) => String(v.tag).startsWith('credit-v'))).toBe(true);
    expect(credit?.versions[0]).toMatchObject({
      version: '1.3.9',
      tag: 'credit-v1.3.9',
      production: false,
      draft: true,
      prerelease: false,
      published_at: null,
      assets: 0,
    });
    expect(credit?.versions[1]).toMatchObject({ production: false, prerelease: true });
    expect(credit?.versions[2]).toMatchObject({ version: '1.3.7', production: true });
    expect(credit?.versions.filter((v) => v.production)).toHaveLength(1);
    expect(Object.keys(credit?.versions[2] ?? {}).sort()).toEqual(
      [
        'assets',
        'created_at',
        'draft',
        'prerelease',
        'production',
        'published_at',
        'tag',
        'url',
        'version',
      ].sort(),
    );
    // 123 releases, 100 per page: two pages, once.
    expect(github.requestsTo('repos/list-releases')).toHaveLength(2);
  });

  it('takes the model from --config and the repository from --repo', async () => {
    const github = fake();
    seedModelReleases(github);
    const configDir = freshDir();
    mkdirSync(configDir, { recursive: true });
    const config = join(configDir, 'modelship.yml');
    const example = readFileSync(join('examples', 'credit-risk', 'modelship.yml'), 'utf8');
    writeFileSync(config, example.replace(/name: credit-risk/, 'name: fraud'));
    const { code, stdout, stderr } = await cli(
      github,
      ['registry', 'list', '--config', config, '--repo', 'acme/models'],
      { GITHUB_REPOSITORY: 'someone/else' },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^fraud \(acme\/models\): 40 versions, production fraud-v1\.3\.8\n/);
    expect(stdout).not.toMatch(/credit/);
  });
});

describe('modelship registry show', () => {
  it('shows production: URL, assets with sizes and digests, and the verified manifest', async () => {
    const github = fake();
    seedBundle(github);
    const { code, stdout, stderr } = await cli(github, [
      'registry',
      'show',
      'production',
      '--model',
      'credit-risk',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^credit-risk-v1\.2\.0: credit-risk 1\.2\.0, production, published /);
    expect(stdout).toMatch(/url: \S+\/acme\/models\/releases\/tag\/credit-risk-v1\.2\.0/);
    expect(stdout).toContain('assets (4):');
    expect(stdout).toMatch(new RegExp(`model\\.onnx\\s+48\\.8 KiB\\s+sha256:${sha256(model)}`));
    expect(stdout).toContain('manifest.json (verified against SHA256SUMS):');
    expect(stdout).toContain('  commit: ' + 'a'.repeat(40));
    expect(stdout).toContain('  gate: passed');
    expect(stdout).toContain('  files: 1 entries (model.onnx)');
  });

  it('shows an older version by number or tag, saying what production is, as JSON', async () => {
    const github = fake();
    seedBundle(github);
    for (const query of ['1.1.0', 'v1.1.0', 'credit-risk-v1.1.0']) {
      const { code, stdout } = await cli(github, ['registry', 'show', query, '--json']);
      expect(code).toBe(0);
      const json = JSON.parse(stdout) as Record<string, unknown>;
      expect(json).toMatchObject({
        repository: 'acme/models',
        tag: 'credit-risk-v1.1.0',
        version: '1.1.0',
        production: false,
        production_tag: 'credit-risk-v1.2.0',
        manifest: { name: 'credit-risk', gate: { passed: true } },
      });
      expect(json.assets).toContainEqual({
        name: 'model.onnx',
        size: model.length,
        digest: `sha256:${sha256(model)}`,
      });
    }
  });

  it('refuses an unknown version or an unversioned query in one line', async () => {
    const github = fake();
    seedBundle(github);
    const unknown = await cli(github, ['registry', 'show', '9.9.9', '--model', 'credit-risk']);
    expect(unknown.code).toBe(2);
    oneLine(unknown.stderr);
    expect(unknown.stderr).toMatch(/acme\/models has no published release credit-risk-v9\.9\.9/);
    const bad = await cli(github, ['registry', 'show', 'latest']);
    expect(bad.code).toBe(2);
    oneLine(bad.stderr);
    expect(bad.stderr).toMatch(/"latest" is not a model version/);
  });

  it('refuses a tag of another model than --model, naming both', async () => {
    const github = fake();
    seedModelReleases(github);
    const run = await cli(github, ['registry', 'show', 'credit-v1.3.7', '--model', 'credit-risk']);
    expect(run.code).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toContain(
      'version credit-v1.3.7 is a release of credit, not of credit-risk: name a release of credit-risk, such as credit-risk-v1.3.7.',
    );
  });

  it('asks for a model when the repository holds several', async () => {
    const github = fake();
    seedModelReleases(github);
    const { code, stderr } = await cli(github, ['registry', 'show', 'production']);
    expect(code).toBe(2);
    oneLine(stderr);
    expect(stderr).toMatch(/several models \(credit, credit-risk, fraud\): name one with --model/);
  });
});

describe('modelship registry download', () => {
  it('downloads every asset, verified, and only the named ones with --asset', async () => {
    const github = fake();
    seedBundle(github);
    const all = freshDir();
    const run = await cli(github, ['registry', 'download', 'production', '--out', all]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readdirSync(all).sort()).toEqual(
      ['MODEL_CARD.md', 'SHA256SUMS', 'manifest.json', 'model.onnx'].sort(),
    );
    expect(sha256(readFileSync(join(all, 'model.onnx')))).toBe(sha256(model));
    expect(readFileSync(join(all, 'MODEL_CARD.md'), 'utf8')).toBe(card);
    expect(run.stdout).toMatch(/downloaded 4 assets of credit-risk-v1\.2\.0 → .*, verified/);

    const some = freshDir();
    const named = await cli(github, [
      'registry',
      'download',
      'credit-risk-v1.1.0',
      '--out',
      some,
      '--asset',
      'model.onnx',
      '--asset',
      'MODEL_CARD.md',
    ]);
    expect(named.code).toBe(0);
    expect(readdirSync(some).sort()).toEqual(['MODEL_CARD.md', 'model.onnx']);
    expect(named.stdout).toMatch(/downloaded 2 assets of credit-risk-v1\.1\.0/);
  });

  it('refuses a tampered asset with exit 2 and leaves nothing behind', async () => {
    const github = fake();
    const { release } = seedBundle(github);
    github.tamperAsset(release, 'model.onnx', randomBytes(50_000));
    const fresh = join(freshDir(), 'nested', 'out');
    const run = await cli(github, ['registry', 'download', '1.2.0', '--out', fresh]);
    expect(run.code).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toMatch(
      /model\.onnx of release credit-risk-v1\.2\.0 has SHA-256 .* SHA256SUMS/,
    );
    expect(existsSync(join(fresh, '..', '..'))).toBe(false);
    expect(run.stdout).toBe('');

    const existing = freshDir();
    mkdirSync(existing, { recursive: true });
    writeFileSync(join(existing, 'keep.txt'), 'mine');
    const again = await cli(github, ['registry', 'download', '1.2.0', '--out', existing]);
    expect(again.code).toBe(2);
    expect(readdirSync(existing)).toEqual(['keep.txt']);
  });

  it('never overwrites files it did not download: -o into a project keeps its own files', async () => {
    const github = fake();
    seedBundle(github);
    const project = freshDir();
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, 'MODEL_CARD.md'), 'the project card');
    const run = await cli(github, ['registry', 'download', '1.2.0', '--out', project]);
    expect(run.code).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toMatch(
      /--out .*: already holds MODEL_CARD\.md, not downloaded by modelship registry download; choose another directory/,
    );
    expect(readdirSync(project)).toEqual(['MODEL_CARD.md']);
    expect(readFileSync(join(project, 'MODEL_CARD.md'), 'utf8')).toBe('the project card');
    // An earlier download is replaced: its SHA256SUMS lists the files.
    const earlier = freshDir();
    expect((await cli(github, ['registry', 'download', '1.2.0', '--out', earlier])).code).toBe(0);
    expect((await cli(github, ['registry', 'download', '1.2.0', '--out', earlier])).code).toBe(0);
  });

  it('refuses an asset the release does not have', async () => {
    const github = fake();
    seedBundle(github);
    const out = freshDir();
    const run = await cli(github, [
      'registry',
      'download',
      '1.2.0',
      '--out',
      out,
      '--asset',
      'x.bin',
    ]);
    expect(run.code).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toMatch(/no asset named x\.bin \(assets: model\.onnx, MODEL_CARD\.md/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('modelship registry settings', () => {
  it('names the variables to set when there is no token, and never prints a token', async () => {
    const github = fake();
    seedBundle(github);
    const run = await cli(github, ['registry', 'list'], { GITHUB_TOKEN: undefined });
    expect(run.code).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toMatch(/needs a GitHub token .* set GITHUB_TOKEN or GH_TOKEN/);

    const viaGh = await cli(github, ['registry', 'list', '--model', 'credit-risk'], {
      GITHUB_TOKEN: undefined,
      GH_TOKEN: github.userToken('hubot'),
    });
    expect(viaGh.code).toBe(0);
    expect(viaGh.stdout).toMatch(/production credit-risk-v1\.2\.0/);

    const ok = await cli(github, ['registry', 'show', 'production', '--model', 'credit-risk']);
    expect(ok.stdout + ok.stderr).not.toContain(ok.token);
  });

  it('names --repo and GITHUB_REPOSITORY when no repository is known', async () => {
    const github = fake();
    const noGit = freshDir();
    mkdirSync(noGit, { recursive: true });
    const cwd = process.cwd();
    process.chdir(noGit);
    try {
      const run = await cli(github, ['registry', 'list'], { GITHUB_REPOSITORY: undefined });
      expect(run.code).toBe(2);
      oneLine(run.stderr);
      expect(run.stderr).toMatch(/pass --repo owner\/name or set GITHUB_REPOSITORY/);
      const bad = await cli(github, ['registry', 'list', '--repo', 'not a repo']);
      expect(bad.code).toBe(2);
      oneLine(bad.stderr);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('remotes', () => {
  it('reads owner/name from https and ssh remotes', () => {
    const acme = { owner: 'acme', repo: 'models' };
    expect(repositoryOfRemote('https://github.com/acme/models.git')).toEqual(acme);
    expect(repositoryOfRemote('https://github.com/acme/models')).toEqual(acme);
    expect(repositoryOfRemote('https://x-access-token:t@github.com/acme/models.git')).toEqual(acme);
    expect(repositoryOfRemote('git@github.com:acme/models.git')).toEqual(acme);
    expect(repositoryOfRemote('ssh://git@github.com:22/acme/models.git')).toEqual(acme);
    expect(repositoryOfRemote('git@ghe.example.com:acme/models')).toEqual(acme);
    expect(repositoryOfRemote('/srv/git/models.git')).toBeUndefined();
    expect(repositoryOfRemote('https://github.com/acme')).toBeUndefined();
  });
});
