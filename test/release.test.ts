// The shipped bundles run the way a GitHub runner runs them: from a copy of action.yml files and
// dist/ alone (no node_modules anywhere above), with INPUT_* from action.yml defaults, and the
// runner's GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files (DESIGN.md §6, §7 bundling).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { logisticRegressionModel } from '../src/core/model/onnxWriter.js';
import { ResultsService } from './cache/resultsService.js';
import { readZip } from './cache/zip.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'test/fixtures/action/project');
const TOKEN = 'ghs_fake';

// Eight data rows; each contract check of fixtures' schema.yml fails on exactly one planted row.
const BAD_CSV = [
  'id,age,color,email',
  '1,30,red,a@x.org',
  '2,41,green,',
  '3,-5,blue,b@x.org', // row 3: age below min
  '4,200,red,c@x.org', // row 4: age above max
  '5,50,purple,d@x.org', // row 5: color not in the list
  '6,60,green,not-an-email', // row 6: email pattern; id 6 repeated below
  '6,70,blue,e@x.org', // row 7: id repeated
  'x,20,red,f@x.org', // row 8: id not an integer
  '',
].join('\n');

const BAD_ANNOTATIONS = [
  '::error title=Data contract%3A id type,file=data/bad.csv,line=9::1 of 8 values (12.50%25) in "id" are not of type integer, e.g. "x" at row 8',
  '::error title=Data contract%3A id unique,file=data/bad.csv,line=7::2 of 8 values (25.00%25) in "id" are repeated values, e.g. "6" at row 6',
  '::error title=Data contract%3A age min,file=data/bad.csv,line=4::1 of 8 values (12.50%25) in "age" are below the minimum 0, e.g. "-5" at row 3',
  '::error title=Data contract%3A age max,file=data/bad.csv,line=5::1 of 8 values (12.50%25) in "age" are above the maximum 120, e.g. "200" at row 4',
  '::error title=Data contract%3A color in,file=data/bad.csv,line=6::1 of 8 values (12.50%25) in "color" are not among the 3 allowed values, e.g. "purple" at row 5',
  '::error title=Data contract%3A email pattern,file=data/bad.csv,line=7::1 of 7 values (14.29%25) in "email" do not match the pattern "^[^@]+@[^@]+$", e.g. "not-an-email" at row 6',
];
const BAD_SENTENCE =
  '::error::data/bad.csv breaks its data contract: 6 checks failed (see the annotations and the job summary).';

interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout without the `::add-mask::` commands, which the runner consumes. */
  shown: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
  runnerTemp: string;
}

let scratch: string;
let actionRoot: string;

beforeAll(() => {
  execFileSync('npm', ['run', 'bundle'], { cwd: ROOT, stdio: 'pipe' });
  scratch = mkdtempSync(join(tmpdir(), 'modelship-bundle-'));
  actionRoot = join(scratch, 'action');
  mkdirSync(join(actionRoot, 'actions/validate-data'), { recursive: true });
  copyFileSync(join(ROOT, 'action.yml'), join(actionRoot, 'action.yml'));
  copyFileSync(
    join(ROOT, 'actions/validate-data/action.yml'),
    join(actionRoot, 'actions/validate-data/action.yml'),
  );
  mkdirSync(join(actionRoot, 'actions/train'), { recursive: true });
  copyFileSync(
    join(ROOT, 'actions/train/action.yml'),
    join(actionRoot, 'actions/train/action.yml'),
  );
  mkdirSync(join(actionRoot, 'actions/evaluate'), { recursive: true });
  copyFileSync(
    join(ROOT, 'actions/evaluate/action.yml'),
    join(actionRoot, 'actions/evaluate/action.yml'),
  );
  mkdirSync(join(actionRoot, 'actions/drift-check'), { recursive: true });
  copyFileSync(
    join(ROOT, 'actions/drift-check/action.yml'),
    join(actionRoot, 'actions/drift-check/action.yml'),
  );
  cpSync(join(ROOT, 'dist'), join(actionRoot, 'dist'), { recursive: true });
}, 180_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Reads an action.yml: the script the runner starts and the INPUT_* it sets from defaults. */
function actionOf(actionYml: string): { main: string; env: Record<string, string> } {
  const spec = parse(readFileSync(actionYml, 'utf8')) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; main: string };
  };
  expect(spec.runs.using).toBe('node24');
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (input.default === undefined) continue;
    // The runner evaluates expressions in defaults; github.token is the only one used.
    const value = input.default.replace(/\$\{\{\s*github\.token\s*\}\}/g, TOKEN);
    expect(value).not.toContain('${{');
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return { main: resolve(dirname(actionYml), spec.runs.main), env };
}

/** Parses the GITHUB_OUTPUT file: `name<<delimiter`, value lines, `delimiter`. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const match = /^([^<]+)<<(.+)$/.exec(line);
    if (!match) throw new Error(`unexpected GITHUB_OUTPUT line: ${line}`);
    const [, name, delimiter] = match;
    const end = lines.indexOf(delimiter!, i + 1);
    if (end < 0) throw new Error(`unterminated output ${name}`);
    outputs[name!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/** A workspace holding the fixture contracts and `files`, as actions/checkout leaves one. */
function makeWorkspace(files: Record<string, string> = {}): string {
  const workspace = mkdtempSync(join(scratch, 'ws-'));
  mkdirSync(join(workspace, 'data'));
  for (const name of ['schema.yml', 'mostly.yml', 'good.csv']) {
    copyFileSync(join(FIXTURES, 'data', name), join(workspace, 'data', name));
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(workspace, name), text);
  return workspace;
}

/** Runs an action.yml's `runs.main` with node, as the runner does. */
function runAction(
  actionYml: string,
  workspace: string,
  inputs: Record<string, string>,
): ActionRun {
  const { main, env: defaults } = actionOf(actionYml);
  const runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));
  const files = join(scratch, `files-${Math.random().toString(36).slice(2)}`);
  mkdirSync(files);
  const outputFile = join(files, 'output');
  const summaryFile = join(files, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const result = spawnSync(process.execPath, [main], {
    cwd: workspace,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...defaults,
      ...inputs,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
    },
  });
  const shown = result.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    shown,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
    runnerTemp,
  };
}

const validateDataYml = () => join(actionRoot, 'actions/validate-data/action.yml');
const rootYml = () => join(actionRoot, 'action.yml');
const commands = (stdout: string, kind: string) =>
  stdout.split('\n').filter((l) => l.startsWith(`::${kind} `) || l.startsWith(`::${kind}::`));

/** A markdown table row's cells, split on unescaped pipes. */
function cells(row: string): string[] {
  return row
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

function expectTokenHidden(run: ActionRun): void {
  // The token is registered as a secret (the runner swallows that command) and never shown.
  expect(run.stdout.split('\n')).toContain(`::add-mask::${TOKEN}`);
  expect(run.shown).not.toContain(TOKEN);
  expect(run.stderr).not.toContain(TOKEN);
  expect(run.summary).not.toContain(TOKEN);
}

describe('bundles', () => {
  it('emit the DuckDB binding with its shared library beside each bundle', () => {
    for (const dir of ['dist', 'dist/validate-data']) {
      const names = readdirSync(join(actionRoot, dir));
      expect(names).toContain('index.js');
      expect(names).toContain('duckdb.node');
      expect(names).toContain('libduckdb.so');
    }
  });

  it('run from a directory without node_modules on the resolution path', () => {
    for (let dir = actionRoot; ; dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
      if (dirname(dir) === dir) break;
    }
    const requireThere = createRequire(join(actionRoot, 'actions/validate-data/action.yml'));
    expect(() => requireThere.resolve('@duckdb/node-api')).toThrow(/Cannot find module/);
    expect(actionOf(validateDataYml()).main).toBe(join(actionRoot, 'dist/validate-data/index.js'));
    expect(actionOf(rootYml()).main).toBe(join(actionRoot, 'dist/index.js'));
  });
});

describe('validate-data bundle', () => {
  it('passes good data: exit 0, outputs, report and summary', () => {
    const run = runAction(validateDataYml(), makeWorkspace(), {
      INPUT_DATA: 'data/good.csv',
      INPUT_SCHEMA: 'data/schema.yml',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const reportPath = join(run.runnerTemp, 'modelship/validate-report.json');
    expect(run.outputs).toEqual({ ok: 'true', report: reportPath });
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    expect(report).toMatchObject({
      ok: true,
      rows: 5,
      data: 'data/good.csv',
      schema: 'data/schema.yml',
      columns: ['id', 'age', 'color', 'email'],
      violations: [],
    });
    expect(run.summary).toContain('✅ **Data contract passed**\n');
    expect(run.summary).toContain('### Data validation: `data/good.csv`');
    expect(commands(run.stdout, 'error')).toEqual([]);
    expect(commands(run.stdout, 'warning')).toEqual([]);
    expect(run.shown).toContain('data/good.csv: data contract passed (5 rows).');
    expectTokenHidden(run);
  });

  it('fails bad data with one annotation per failed check on its file and line', () => {
    const run = runAction(validateDataYml(), makeWorkspace({ 'data/bad.csv': BAD_CSV }), {
      INPUT_DATA: 'data/bad.csv',
      INPUT_SCHEMA: 'data/schema.yml',
    });
    expect(run.status).toBe(1);
    expect(commands(run.stdout, 'error')).toEqual([...BAD_ANNOTATIONS, BAD_SENTENCE]);
    // Spot checks of the file:line mapping (data row + 1 for the header).
    expect(run.stdout).toContain('title=Data contract%3A age min,file=data/bad.csv,line=4::');
    expect(run.stdout).toContain('title=Data contract%3A id type,file=data/bad.csv,line=9::');
    const reportPath = join(run.runnerTemp, 'modelship/validate-report.json');
    expect(run.outputs).toEqual({ ok: 'false', report: reportPath });
    const report = JSON.parse(readFileSync(reportPath, 'utf8'));
    expect(report.ok).toBe(false);
    expect(report.violations.map((v: { column: string; check: string }) => v.check)).toEqual([
      'type',
      'unique',
      'min',
      'max',
      'in',
      'pattern',
    ]);
    expect(run.summary).toContain('❌ **Data contract failed**: 6 checks failed\n');
    const rows = run.summary
      .split('\n')
      .filter((l) => l.startsWith('|'))
      .map(cells);
    expect(rows[0]).toEqual(['', 'Column', 'Check', 'Unexpected', '%', 'Examples (row: value)']);
    expect(rows.slice(2)).toEqual([
      ['❌', '`id`', 'type', '1', '12.50', '8: `x`'],
      ['❌', '`id`', 'unique', '2', '25.00', '6: `6`, 7: `6`'],
      ['❌', '`age`', 'min', '1', '12.50', '3: `-5`'],
      ['❌', '`age`', 'max', '1', '12.50', '4: `200`'],
      ['❌', '`color`', 'in', '1', '12.50', '5: `purple`'],
      ['❌', '`email`', 'pattern', '1', '14.29', '6: `not-an-email`'],
    ]);
    expectTokenHidden(run);
  });

  it('passes with a warning annotation when a check fails within mostly', () => {
    const workspace = makeWorkspace({
      'data/warn.csv': readFileSync(join(FIXTURES, 'data/warn.csv'), 'utf8'),
    });
    const inputs = { INPUT_DATA: 'data/warn.csv', INPUT_SCHEMA: 'data/mostly.yml' };
    const warning =
      '::warning title=Data contract%3A age min,file=data/warn.csv,line=3::1 of 5 values (20.00%25) in "age" are below the minimum 0, e.g. "-1" at row 2; mostly: 0.8 allows 20.00%25';

    const lenient = runAction(validateDataYml(), workspace, inputs);
    expect(lenient.status).toBe(0);
    expect(commands(lenient.stdout, 'warning')).toEqual([warning]);
    expect(commands(lenient.stdout, 'error')).toEqual([]);
    expect(lenient.outputs.ok).toBe('true');
    expect(lenient.summary).toContain('✅ **Data contract passed** with 1 warning\n');
    expect(lenient.shown).toContain('data/warn.csv: data contract passed (5 rows, 1 warning).');

    const strict = runAction(validateDataYml(), workspace, {
      ...inputs,
      'INPUT_FAIL-ON-WARNING': 'true',
    });
    expect(strict.status).toBe(1);
    expect(commands(strict.stdout, 'warning')).toEqual([warning]);
    expect(commands(strict.stdout, 'error')).toEqual([
      '::error::data/warn.csv passed its data contract with 1 warning, and fail-on-warning is set.',
    ]);
    expect(strict.outputs.ok).toBe('true');
  });

  it('fails a missing data file with one sentence naming it, no stack trace', () => {
    const run = runAction(validateDataYml(), makeWorkspace(), {
      INPUT_DATA: 'data/nope.csv',
      INPUT_SCHEMA: 'data/schema.yml',
    });
    expect(run.status).toBe(1);
    const errors = commands(run.stdout, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error::[^\n]*data\/nope\.csv[^\n]*: file not found; [^\n]+\.$/);
    expect(errors[0]).toContain(join(run.workspace, 'data/nope.csv'));
    expect(run.stdout).not.toMatch(/\bat .+:\d+:\d+/);
    expect(run.stdout).not.toContain('::debug::');
    expect(run.stderr).toBe('');
    expect(run.outputs).toEqual({});
  });
});

describe('root action bundle', () => {
  it('runs validate-data by its command input with the same result', () => {
    const files = { 'data/bad.csv': BAD_CSV };
    const inputs = { INPUT_DATA: 'data/bad.csv', INPUT_SCHEMA: 'data/schema.yml' };
    const viaRoot = runAction(rootYml(), makeWorkspace(files), {
      ...inputs,
      INPUT_COMMAND: 'validate-data',
    });
    const direct = runAction(validateDataYml(), makeWorkspace(files), inputs);
    expect(viaRoot.status).toBe(1);
    expect(commands(viaRoot.stdout, 'error')).toEqual([...BAD_ANNOTATIONS, BAD_SENTENCE]);
    expect(viaRoot.outputs).toEqual({
      ok: 'false',
      report: join(viaRoot.runnerTemp, 'modelship/validate-report.json'),
    });
    expect(readFileSync(viaRoot.outputs.report!, 'utf8').replaceAll(viaRoot.workspace, 'WS')).toBe(
      readFileSync(direct.outputs.report!, 'utf8').replaceAll(direct.workspace, 'WS'),
    );
    expect(viaRoot.summary).toBe(direct.summary);
    expectTokenHidden(viaRoot);

    const good = runAction(rootYml(), makeWorkspace(), {
      INPUT_COMMAND: 'validate-data',
      INPUT_DATA: 'data/good.csv',
      INPUT_SCHEMA: 'data/schema.yml',
    });
    expect(good.status).toBe(0);
    expect(good.outputs.ok).toBe('true');
  });

  it.each([
    ['train-everything', 'command "train-everything" is not a Modelship step'],
    ['constructor', 'command "constructor" is not a Modelship step'],
    ['', 'the command input is not set'],
  ])('fails command %j with one clear sentence', (command, start) => {
    const run = runAction(rootYml(), makeWorkspace(), { INPUT_COMMAND: command });
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      `::error::${start}; expected one of validate-data, train, evaluate, gate, publish-model, deploy, drift-check.`,
    ]);
    expect(run.outputs).toEqual({});
    expect(run.summary).toBe('');
  });
});

describe('evaluate bundle', () => {
  it('loads onnxruntime from beside the bundle and evaluates the example offline', () => {
    const workspace = mkdtempSync(join(scratch, 'ws-eval-'));
    cpSync(join(ROOT, 'examples/credit-risk'), workspace, {
      recursive: true,
      filter: (path) => !path.includes('artifacts'),
    });
    const width = 26;
    const weights = Array.from({ length: width }, (_, j) => ((j % 5) - 2) * 0.05);
    writeFileSync(
      join(workspace, 'candidate.onnx'),
      logisticRegressionModel({ weights, bias: -1 }),
    );
    writeFileSync(
      join(workspace, 'baseline.onnx'),
      logisticRegressionModel({ weights: weights.map((w) => w / 2), bias: -1 }),
    );
    expect(readdirSync(join(actionRoot, 'dist/evaluate/onnxruntime')).sort()).toEqual([
      'libonnxruntime.so.1',
      'onnxruntime_binding.node',
    ]);
    const run = runAction(join(actionRoot, 'actions/evaluate/action.yml'), workspace, {
      INPUT_MODEL: 'candidate.onnx',
      INPUT_BASELINE: 'baseline.onnx',
      'INPUT_FAIL-ON-GATE': 'false',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.outputs.passed).toMatch(/^(true|false)$/);
    expect(run.outputs['comment-url']).toBe('');
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as {
      rows: number;
      baseline: { label: string } | null;
      gate: { passed: boolean };
    };
    expect(report.rows).toBe(300);
    expect(report.baseline?.label).toBe('baseline.onnx');
    expect(String(report.gate.passed)).toBe(run.outputs.passed);
    expect(run.summary).toContain('## Modelship · `credit-risk`');
    expectTokenHidden(run);
  });
});

describe('drift-check bundle', () => {
  it('profiles and tests the example with DuckDB from beside the bundle, offline', () => {
    const workspace = mkdtempSync(join(scratch, 'ws-drift-'));
    cpSync(join(ROOT, 'examples/credit-risk'), workspace, {
      recursive: true,
      filter: (path) => !path.includes('artifacts'),
    });
    // A reference given as data needs no release, and without issue or PR no GitHub call is made.
    const run = runAction(join(actionRoot, 'actions/drift-check/action.yml'), workspace, {
      INPUT_REFERENCE: 'data/train.csv',
      'INPUT_OPEN-ISSUE': 'false',
      'INPUT_OPEN-PR': 'false',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.outputs.drifted).toBe('true');
    expect(Number(run.outputs['drift-share'])).toBeGreaterThanOrEqual(0.5);
    expect(run.outputs['issue-number']).toBe('');
    const report = JSON.parse(readFileSync(run.outputs.report!, 'utf8')) as {
      reference: { kind: string };
      columns: Record<string, { drifted: boolean }>;
    };
    expect(report.reference.kind).toBe('data');
    expect(report.columns.age?.drifted).toBe(true);
    expectTokenHidden(run);
  });
});

describe('train bundle', () => {
  let service: ResultsService;
  beforeAll(async () => {
    service = await ResultsService.start();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
  });

  /** Like runAction, but without blocking: the results-service stand-in lives in this process. */
  async function runTrain(workspace: string, inputs: Record<string, string>) {
    const { main, env: defaults } = actionOf(join(actionRoot, 'actions/train/action.yml'));
    const runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));
    const outputFile = join(runnerTemp, 'output');
    const summaryFile = join(runnerTemp, 'summary');
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    const child = spawn(process.execPath, [main], {
      cwd: workspace,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...defaults,
        ...inputs,
        ...service.env(),
        GITHUB_ACTIONS: 'true',
        GITHUB_SHA: 'c'.repeat(40),
        RUNNER_OS: 'Linux',
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_WORKSPACE: workspace,
        RUNNER_TEMP: runnerTemp,
        // The runner's tool cache would hold these; tests hide any GPU the machine has.
        CUDA_VISIBLE_DEVICES: '',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return {
      status,
      stdout,
      stderr,
      outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
      summary: readFileSync(summaryFile, 'utf8'),
    };
  }

  function exampleWorkspace(): string {
    const workspace = mkdtempSync(join(scratch, 'ws-train-'));
    cpSync(join(ROOT, 'examples/credit-risk'), workspace, {
      recursive: true,
      filter: (path) => !path.includes('artifacts'),
    });
    mkdirSync(join(workspace, '.cache/torchdata'), { recursive: true });
    writeFileSync(join(workspace, '.cache/torchdata/weights.bin'), 'cached bytes');
    return workspace;
  }

  it('trains the PyTorch example, verifies it, writes the manifest, caches and uploads the artifact', async () => {
    const inputs = {
      'INPUT_TRAIN-COMMAND': '',
      INPUT_COMMAND: '/usr/bin/python3 train.py',
      INPUT_GPU: 'optional',
      'INPUT_CACHE-PATHS': '.cache/torchdata',
      'INPUT_TIMEOUT-MINUTES': '5',
    };
    const first = await runTrain(exampleWorkspace(), inputs);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('::group::Training: /usr/bin/python3 train.py');
    expect(first.outputs['gpu-count']).toBe('0');
    expect(first.outputs['cache-hit']).toBe('miss');
    expect(first.outputs['model-path']).toMatch(/artifacts\/model\.onnx$/);
    const manifest = JSON.parse(readFileSync(first.outputs.manifest!, 'utf8')) as {
      commit_sha: string;
      run: { command: string; exit_code: number };
      metrics: { device: string } | null;
    };
    expect(manifest.commit_sha).toBe('c'.repeat(40));
    expect(manifest.run).toMatchObject({ command: '/usr/bin/python3 train.py', exit_code: 0 });
    expect(manifest.metrics?.device).toBe('cpu');
    expect(first.summary).toContain('### ✅ Trained in');
    expect(first.summary).toContain('Cache: **miss**');

    const artifact = service.artifacts.find((a) => a.name === 'candidate-credit-risk');
    expect(artifact).toBeDefined();
    expect(first.outputs['artifact-id']).toBe(String(artifact!.id));
    const zip = readZip(await service.artifactBlob(artifact!));
    expect([...zip.keys()].sort()).toEqual(['manifest.json', 'metrics.json', 'model.onnx']);
    expect(zip.get('model.onnx')).toEqual(readFileSync(first.outputs['model-path']!));

    // The next run of the same inputs restores the entry the first one saved.
    const second = await runTrain(exampleWorkspace(), { ...inputs, 'INPUT_ARTIFACT-NAME': 'none' });
    expect(second.status).toBe(0);
    expect(second.outputs['cache-hit']).toBe('exact');
    expect(service.violations).toEqual([]);
  }, 120_000);

  it('fails a failing command with its exit code and the tail of its output in the summary', async () => {
    const run = await runTrain(exampleWorkspace(), {
      INPUT_COMMAND: 'echo preparing; echo "CUDA out of memory" >&2; exit 3',
      'INPUT_ARTIFACT-NAME': 'none',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /::error::train command "echo preparing;.*" exited with code 3; last lines: .*CUDA out of memory/,
    );
    expect(run.stdout).not.toMatch(/\n\s+at /);
    expect(run.summary).toContain('CUDA out of memory');
    expect(run.outputs['model-path']).toBeUndefined();
  }, 60_000);

  it('fails fast with gpu: required on a machine without a GPU', async () => {
    const run = await runTrain(exampleWorkspace(), {
      INPUT_GPU: 'required',
      'INPUT_ARTIFACT-NAME': 'none',
    });
    expect(run.status).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('self-hosted, linux, x64, gpu');
    expect(run.stdout).not.toContain('::group::Training');
  }, 60_000);
});
