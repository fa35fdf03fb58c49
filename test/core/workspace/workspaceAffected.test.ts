// Discovery (`modelship models`) and `modelship affected` on a real git history: a repository
// with two models, renames, deletions, shared paths, a workspace file and a Modelship upgrade.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { affectedModels } from '../../../src/core/workspace/affected.js';
import { discoverWorkspace } from '../../../src/core/workspace/discovery.js';
import { pathGlob } from '../../../src/core/workspace/pathGlob.js';
import { useTempDir } from '../../support/tempDir.js';

const temp = useTempDir();
let count = 0;

function git(repo: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function write(repo: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
}

/** Stages everything and commits; returns the new commit. */
function commit(repo: string, message: string): string {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}

const config = (name: string, extra = '') =>
  `model: { name: ${name}, task: regression, path: artifacts/model.onnx, target: y }\n${extra}`;

/** Two models: `alpha` depends on its folder, `beta` declares `paths`; data live elsewhere. */
function twoModelRepo(): string {
  const repo = join(temp, `repo-${count++}`);
  mkdirSync(repo);
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'user.name', 'Test');
  write(repo, {
    'models/alpha/modelship.yml': config(
      'alpha',
      'data: { schema: ../../data/alpha/schema.yml, train: ../../data/alpha/train.csv }\ntrain: { command: node train.mjs }\n',
    ),
    'models/alpha/train.mjs': '// trains alpha\n',
    'data/alpha/train.csv': 'x,y\n1,2\n',
    'data/alpha/schema.yml': 'columns: {}\n',
    'models/beta/modelship.yml': config(
      'beta',
      'data: { eval: data/*.csv }\ntrain: { command: python ../../lib/train_beta.py --fast }\npaths: [train.py]\n',
    ),
    'models/beta/train.py': '# trains beta\n',
    'models/beta/notes.txt': 'not a dependency\n',
    'models/beta/data/eval.csv': 'x,y\n1,2\n',
    'lib/train_beta.py': '# beta’s trainer\n',
    'lib/common.py': '# shared\n',
    'README.md': '# repo\n',
    'package.json': JSON.stringify({ devDependencies: { modelship: '^0.1.0' } }),
    // Never searched: dependencies and dot-folders.
    'node_modules/x/modelship.yml': config('alpha'),
    '.modelship-out/modelship.yml': config('alpha'),
    // Nor a release bundle written into the repository (package --out, registry download --out).
    'models/alpha/release/modelship.yml': config('alpha'),
    'models/alpha/release/manifest.json': '{}',
    'models/alpha/release/SHA256SUMS': '',
  });
  commit(repo, 'two models');
  return repo;
}

const names = (result: ReturnType<typeof affectedModels>) => result.affected.map((m) => m.name);

describe('discovery', () => {
  it('finds every modelship.yml outside node_modules, dot-folders and release bundles, with what each depends on', () => {
    const repo = twoModelRepo();
    const workspace = discoverWorkspace(repo);
    expect(workspace.file).toBeUndefined();
    expect(workspace.models).toEqual([
      {
        name: 'alpha',
        config: 'models/alpha/modelship.yml',
        directory: 'models/alpha',
        dependsOn: [
          'models/alpha/modelship.yml',
          'data/alpha/schema.yml',
          'data/alpha/train.csv',
          'models/alpha/**',
        ],
      },
      {
        name: 'beta',
        config: 'models/beta/modelship.yml',
        directory: 'models/beta',
        // paths replaces the folder; the data glob stays a glob.
        dependsOn: ['models/beta/modelship.yml', 'models/beta/data/*.csv', 'models/beta/train.py'],
      },
    ]);
  });

  it('adds the folders of the files train.command names when the config has no paths', () => {
    const repo = twoModelRepo();
    write(repo, {
      'models/beta/modelship.yml': config(
        'beta',
        'train: { command: python ../../lib/train_beta.py }\n',
      ),
    });
    const beta = discoverWorkspace(repo).models.find((m) => m.name === 'beta');
    expect(beta?.dependsOn).toEqual(['models/beta/modelship.yml', 'models/beta/**', 'lib/**']);
  });

  it('reads the models and shared paths of modelship.workspace.yml: files, folders and globs', () => {
    const repo = twoModelRepo();
    write(repo, {
      'modelship.workspace.yml':
        'models: [models/alpha, "models/b*/modelship.yml"]\nshared: [lib/common.py, ./requirements/]\n',
    });
    const workspace = discoverWorkspace(repo);
    expect(workspace.file).toBe('modelship.workspace.yml');
    expect(workspace.shared).toEqual(['lib/common.py', 'requirements']);
    expect(workspace.models.map((m) => m.config)).toEqual([
      'models/alpha/modelship.yml',
      'models/beta/modelship.yml',
    ]);
  });

  it('refuses a duplicate model name, naming both files, and a workspace entry that names nothing', () => {
    const repo = twoModelRepo();
    write(repo, { 'models/gamma/modelship.yml': config('beta') });
    expect(() => discoverWorkspace(repo)).toThrow(
      'models/beta/modelship.yml and models/gamma/modelship.yml both name the model beta; model names must be unique, so rename one (model.name).',
    );
    rmSync(join(repo, 'models/gamma'), { recursive: true });
    write(repo, { 'modelship.workspace.yml': 'models: [models/alpha, models/delta]\n' });
    expect(() => discoverWorkspace(repo)).toThrow(
      `${join(repo, 'modelship.workspace.yml')}: the models entry "models/delta" names no config file (a modelship.yml, a folder holding one, or a glob of them); fix the path or remove the entry.`,
    );
  });
});

describe('affected, on a git history', () => {
  it('names only the model whose training folder changed', () => {
    const repo = twoModelRepo();
    const base = git(repo, 'rev-parse', 'HEAD');
    write(repo, { 'models/alpha/train.mjs': '// trains alpha better\n' });
    commit(repo, 'alpha');
    const result = affectedModels(repo, base);
    expect(names(result)).toEqual(['alpha']);
    expect(result.affected[0]!.reasons).toEqual(['models/alpha/train.mjs changed']);
    expect(result.unaffected.map((m) => m.name)).toEqual(['beta']);
  });

  it('counts a rename by both its paths, and a deletion', () => {
    const repo = twoModelRepo();
    const base = git(repo, 'rev-parse', 'HEAD');
    // Data moved out of a model's inputs is still a change to that model.
    renameSync(join(repo, 'data/alpha/train.csv'), join(repo, 'data/train-old.csv'));
    commit(repo, 'move alpha data');
    expect(affectedModels(repo, base).affected).toMatchObject([
      { name: 'alpha', reasons: ['data/alpha/train.csv renamed to data/train-old.csv'] },
    ]);
    const second = git(repo, 'rev-parse', 'HEAD');
    // Not in beta's paths: nothing; its train.py: beta.
    rmSync(join(repo, 'models/beta/notes.txt'));
    commit(repo, 'notes');
    expect(names(affectedModels(repo, second))).toEqual([]);
    rmSync(join(repo, 'models/beta/train.py'));
    renameSync(join(repo, 'data/train-old.csv'), join(repo, 'data/alpha/train.csv'));
    commit(repo, 'drop train.py');
    const result = affectedModels(repo, second);
    expect(result.affected).toMatchObject([
      { name: 'alpha', reasons: ['data/alpha/train.csv renamed from data/train-old.csv'] },
      { name: 'beta', reasons: ['models/beta/train.py deleted'] },
    ]);
  });

  it('affects nothing for a change outside every model, and everything for a shared path', () => {
    const repo = twoModelRepo();
    write(repo, { 'modelship.workspace.yml': 'shared: [lib/common.py]\n' });
    const base = commit(repo, 'workspace');
    write(repo, { 'README.md': '# the repo\n', 'lib/other.py': '# not shared\n' });
    const readme = commit(repo, 'docs');
    expect(affectedModels(repo, base).affected).toEqual([]);
    write(repo, { 'lib/common.py': '# shared, changed\n' });
    commit(repo, 'shared');
    const result = affectedModels(repo, readme);
    expect(names(result)).toEqual(['alpha', 'beta']);
    expect(result.affected[0]!.reasons).toEqual(['shared path lib/common.py changed']);
    expect(result.everything).toBeUndefined();
  });

  it('affects every model when the workspace file changes', () => {
    const repo = twoModelRepo();
    const base = git(repo, 'rev-parse', 'HEAD');
    write(repo, { 'modelship.workspace.yml': 'shared: []\n' });
    commit(repo, 'workspace');
    const result = affectedModels(repo, base);
    expect(result.everything).toBe('modelship.workspace.yml changed');
    expect(names(result)).toEqual(['alpha', 'beta']);
  });

  it('affects every model when Modelship’s version changes, in package.json or a workflow', () => {
    const repo = twoModelRepo();
    write(repo, {
      '.github/workflows/pr.yml':
        'jobs: { a: { steps: [ { uses: modelship/modelship/actions/evaluate@v0 } ] } }\n',
    });
    const base = commit(repo, 'workflow');
    write(repo, {
      'package.json': JSON.stringify({
        scripts: { t: 'x' },
        devDependencies: { modelship: '^0.1.0' },
      }),
    });
    const scripts = commit(repo, 'a script, same Modelship');
    expect(names(affectedModels(repo, base))).toEqual([]);
    write(repo, { 'package.json': JSON.stringify({ devDependencies: { modelship: '^0.2.0' } }) });
    const bumped = commit(repo, 'modelship 0.2');
    expect(affectedModels(repo, scripts).everything).toBe(
      "Modelship's version in package.json changed (^0.1.0 → ^0.2.0)",
    );
    write(repo, {
      '.github/workflows/pr.yml':
        'jobs: { a: { steps: [ { uses: modelship/modelship/actions/evaluate@v1 } ] } }\n',
    });
    commit(repo, 'actions v1');
    expect(affectedModels(repo, bumped).everything).toBe(
      "Modelship's version in .github/workflows/pr.yml changed (v0 → v1)",
    );
  });

  it('compares from the merge base, as a pull request does, whatever the base branch did since', () => {
    const repo = twoModelRepo();
    const fork = git(repo, 'rev-parse', 'HEAD');
    write(repo, { 'models/beta/train.py': '# main moved on\n' });
    const main = commit(repo, 'main');
    git(repo, 'checkout', '-q', '-b', 'pr', fork);
    write(repo, { 'models/alpha/train.mjs': '// pr\n' });
    commit(repo, 'pr');
    expect(names(affectedModels(repo, main))).toEqual(['alpha']);
  });

  it('reads models from a folder below the top of the repository, and Modelship from the top', () => {
    const repo = twoModelRepo();
    const base = git(repo, 'rev-parse', 'HEAD');
    write(repo, { 'models/alpha/train.mjs': '// changed\n', 'README.md': '# changed\n' });
    const alpha = commit(repo, 'alpha');
    const result = affectedModels(join(repo, 'models'), base);
    expect(result.affected).toMatchObject([
      { name: 'alpha', config: 'alpha/modelship.yml', reasons: ['alpha/train.mjs changed'] },
    ]);
    write(repo, { 'package.json': JSON.stringify({ devDependencies: { modelship: '^0.3.0' } }) });
    commit(repo, 'modelship 0.3');
    expect(affectedModels(join(repo, 'models'), alpha).everything).toBe(
      "Modelship's version in package.json changed (^0.1.0 → ^0.3.0)",
    );
  });

  it('affects every model without a base (a new branch), and refuses an unknown base or another head', () => {
    const repo = twoModelRepo();
    const first = git(repo, 'rev-parse', 'HEAD');
    expect(affectedModels(repo, '0'.repeat(40)).everything).toBe(
      'there is no base commit to compare with',
    );
    expect(() => affectedModels(repo, 'f'.repeat(40))).toThrow(
      `--base ${'f'.repeat(40)} is not a commit of the repository in ${repo}; fetch its history (actions/checkout with fetch-depth: 0) or name another commit.`,
    );
    const plain = join(temp, `plain-${count++}`);
    mkdirSync(plain);
    expect(() => affectedModels(plain, first)).toThrow(
      `${plain} is not in a git repository: modelship affected compares commits, so run it in a clone (or list the models with modelship models).`,
    );
    write(repo, { 'README.md': 'x\n' });
    commit(repo, 'next');
    expect(() => affectedModels(repo, first, first)).toThrow(
      /^--head \S+ is not the commit checked out \([0-9a-f]{12}\): models are read from the working tree, so check out \S+ first or leave --head out\.$/,
    );
  });
});

describe('modelship models and modelship affected', () => {
  async function cli(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true));
    try {
      const code = await main(args);
      return { code, stdout: out.join(''), stderr: err.join('') };
    } finally {
      vi.restoreAllMocks();
    }
  }

  it('prints models as text and JSON, and affected models with their reasons', async () => {
    const repo = twoModelRepo();
    const base = git(repo, 'rev-parse', 'HEAD');
    write(repo, { 'models/beta/train.py': '# changed\n' });
    const head = commit(repo, 'beta');
    const text = await cli(['models', '--root', repo]);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n').slice(0, 3)).toEqual([
      '2 models (every modelship.yml under the root):',
      'alpha  models/alpha/modelship.yml',
      '  depends on: models/alpha/modelship.yml, data/alpha/schema.yml, data/alpha/train.csv, models/alpha/**',
    ]);
    const json = JSON.parse((await cli(['models', '--root', repo, '--json'])).stdout);
    expect(json).toMatchObject({
      workspace: null,
      shared: [],
      models: [{ name: 'alpha' }, { name: 'beta' }],
    });

    const affected = await cli(['affected', '--root', repo, '--base', base]);
    expect(affected.stdout).toBe(
      `1 of 2 models affected (${base.slice(0, 12)}...${head.slice(0, 12)}):\nbeta  models/beta/modelship.yml  (models/beta/train.py changed)\nnot affected: alpha\n`,
    );
    const affectedJson = JSON.parse(
      (await cli(['affected', '--root', repo, '--base', base, '--head', head, '--json'])).stdout,
    );
    expect(affectedJson).toEqual({
      base,
      head,
      everything: null,
      models: [
        {
          name: 'beta',
          config: 'models/beta/modelship.yml',
          directory: 'models/beta',
          reasons: ['models/beta/train.py changed'],
        },
      ],
      unaffected: ['alpha'],
    });
  });

  it('exits 2 with one sentence for a duplicate name or a missing --base', async () => {
    const repo = twoModelRepo();
    write(repo, { 'models/gamma/modelship.yml': config('alpha') });
    const duplicate = await cli(['models', '--root', repo]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toBe(
      'modelship: models/alpha/modelship.yml and models/gamma/modelship.yml both name the model alpha; model names must be unique, so rename one (model.name).\n',
    );
    const noBase = await cli(['affected', '--root', repo]);
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toContain("required option '--base <sha>' not specified");
  });
});

describe('path globs', () => {
  it.each([
    ['models/a/**', 'models/a', true],
    ['models/a/**', 'models/a/x/y.py', true],
    ['models/a/**', 'models/ab/x', false],
    ['**/*.csv', 'x.csv', true],
    ['**/*.csv', 'a/b/x.csv', true],
    ['data/*.csv', 'data/sub/x.csv', false],
    ['data/{a,b}.csv', 'data/b.csv', true],
    ['data/[ab].csv', 'data/a.csv', false],
    ['data/[ab].csv', 'data/[ab].csv', true],
    ['lib', 'lib/x/y.py', true],
    ['lib', 'library.py', false],
    ['**', 'anything/at/all', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(pathGlob(pattern)(path)).toBe(expected);
  });
});
