// A release used the way a runner uses it: `npm run release:build`, the action tree's tarball
// unpacked into an empty directory with no node_modules anywhere above it, the runtime archives
// served as release assets by the GitHub fake, and every action run by its action.yml's
// `runs.main` under Node 24 with INPUT_*, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY (docs/actions.md).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { STEPS } from '../../../src/actions/steps.js';
import { RUNTIME_PLATFORMS } from '../../../src/core/runtime/platform.js';
import { runtimeArchiveName } from '../../../src/core/runtime/runtimeArchive.js';
import { readTarGz } from '../../../src/core/runtime/tarArchive.js';
import { ResultsService } from '../../support/cache/resultsService.js';
import { readZip } from '../../support/cache/zip.js';
import { GitHubFake } from '../../support/github/githubFake.js';
import { actionOf, runAction, type ActionRun, type RunnerSetup } from '../../support/actionTree.js';
import { startContainerLab } from '../../support/containerLab.js';
import { node24 } from '../../support/node24.js';
import { systemRequirements } from '../../support/systemRequirements.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/action/project');
const TOKEN = 'ghs_fake';
const VERSION = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
const torch = systemRequirements(['python-torch']);
const containers = systemRequirements(['containers']);

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

let scratch: string;
/** What `npm run release:build` writes, built here into the test's own folder. */
let RELEASE: string;
let actionRoot: string;
let fake: GitHubFake;
let node: string;
/** The tool cache the runs share, as jobs on one self-hosted runner share it. */
let toolCache: string;
let stopLab: (() => Promise<void>) | undefined;
let results: ResultsService | undefined;

const downloadUrl = () => `${fake.url}/modelship/modelship/releases/download/v${VERSION}`;
const setup = (): RunnerSetup => ({
  node,
  scratch,
  token: TOKEN,
  env: { RUNNER_TOOL_CACHE: toolCache, MODELSHIP_RUNTIME_URL: downloadUrl() },
});
const runTree = (
  actionYml: string,
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
) => runAction(setup(), actionYml, workspace, inputs, env);
const downloads = () => fake.requests.filter((r) => r.operationId === '(download)');

beforeAll(async () => {
  node = node24();
  scratch = mkdtempSync(join(tmpdir(), 'modelship-release-'));
  RELEASE = join(scratch, 'release');
  execFileSync(process.execPath, ['scripts/release-build.mjs', '--out', RELEASE], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  toolCache = join(scratch, 'tool-cache');
  // What a runner does with `uses: owner/repo/actions/<step>@ref`: unpack the ref's tarball.
  actionRoot = join(scratch, 'action');
  for (const entry of readTarGz(
    readFileSync(join(RELEASE, `modelship-action-${VERSION}.tar.gz`)),
  )) {
    mkdirSync(dirname(join(actionRoot, entry.path)), { recursive: true });
    writeFileSync(join(actionRoot, entry.path), entry.data);
  }
  fake = await GitHubFake.start();
  const repo = fake.addRepo('modelship', 'modelship');
  const assets: Record<string, Buffer> = {
    SHA256SUMS: readFileSync(join(RELEASE, 'SHA256SUMS')),
  };
  for (const platform of RUNTIME_PLATFORMS) {
    const name = runtimeArchiveName(VERSION, platform);
    assets[name] = readFileSync(join(RELEASE, name));
  }
  fake.addRelease(repo, { tag: `v${VERSION}`, assets });
}, 300_000);

afterAll(async () => {
  await stopLab?.();
  await results?.stop();
  await fake?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

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

function expectTokenHidden(result: ActionRun): void {
  // The token is registered as a secret (the runner swallows that command) and never shown.
  expect(result.stdout.split('\n')).toContain(`::add-mask::${TOKEN}`);
  expect(result.shown).not.toContain(TOKEN);
  expect(result.stderr).not.toContain(TOKEN);
  expect(result.summary).not.toContain(TOKEN);
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

/** The example project, as a checkout of it leaves it (no trained model). */
function exampleWorkspace(): string {
  const workspace = mkdtempSync(join(scratch, 'ws-example-'));
  cpSync(join(ROOT, 'examples/credit-risk'), workspace, {
    recursive: true,
    filter: (path) => !path.includes('artifacts'),
  });
  return workspace;
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
}

describe('the release build', () => {
  it('makes an action tree of JavaScript only, in a tarball of at most 5 MB', () => {
    const tarball = statSync(join(RELEASE, `modelship-action-${VERSION}.tar.gz`)).size;
    expect(tarball).toBeLessThanOrEqual(5 * 2 ** 20);
    const files = filesUnder(actionRoot);
    expect(files.filter((f) => /\.(node|so(\.\d+)*|dylib|dll)$/.test(f))).toEqual([]);
    for (const step of Object.keys(STEPS)) {
      expect(files).toContain(join('actions', step, 'action.yml'));
      const { using, main } = actionOf(join(actionRoot, 'actions', step, 'action.yml'), TOKEN);
      expect(using).toBe('node24');
      expect(main).toBe(join(actionRoot, 'dist', step, 'index.js'));
      // A thin entry: the code lives in the shared chunks.
      expect(statSync(main).size).toBeLessThan(1024);
    }
    expect(actionOf(rootYml(), TOKEN).main).toBe(join(actionRoot, 'dist/index.js'));
    expect(files).toContain(join('dist', 'serve', 'index.js'));
  });

  it('makes one runtime archive per platform, each with its own natives and a SHA256SUMS', () => {
    const sums = readFileSync(join(RELEASE, 'SHA256SUMS'), 'utf8');
    const library: Record<string, RegExp> = {
      'linux-x64': /^duckdb\/libduckdb\.so$/,
      'linux-arm64': /^duckdb\/libduckdb\.so$/,
      'darwin-arm64': /^duckdb\/libduckdb\.dylib$/,
      'win32-x64': /^duckdb\/duckdb\.dll$/,
    };
    for (const platform of RUNTIME_PLATFORMS) {
      const name = runtimeArchiveName(VERSION, platform);
      expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${name.replaceAll('.', '\\.')}$`, 'm'));
      const paths = readTarGz(readFileSync(join(RELEASE, name))).map((e) => e.path);
      expect(paths).toContain('SHA256SUMS');
      expect(paths).toContain('runtime.json');
      expect(paths).toContain('duckdb/duckdb.node');
      expect(paths).toContain('onnxruntime/onnxruntime_binding.node');
      expect(
        paths.some((p) => library[platform]!.test(p)),
        `${platform}: ${paths.join(', ')}`,
      ).toBe(true);
    }
  });

  it('runs from a directory without node_modules on the resolution path', () => {
    for (let dir = actionRoot; ; dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
      if (dirname(dir) === dir) break;
    }
    const requireThere = createRequire(join(actionRoot, 'actions/validate-data/action.yml'));
    expect(() => requireThere.resolve('@duckdb/node-api')).toThrow(/Cannot find module/);
  });
});

describe('natives on demand', () => {
  it('downloads and verifies the runtime on the first run, and nothing on the second', async () => {
    const before = downloads().length;
    const first = await runTree(validateDataYml(), makeWorkspace(), {
      INPUT_DATA: 'data/good.csv',
      INPUT_SCHEMA: 'data/schema.yml',
    });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.shown).toMatch(
      /linux-x64: http:\/\/127\.0\.0\.1:\d+\/.* \([\d.]+ MiB, SHA-256 verified\) extracted into/,
    );
    expect(
      downloads()
        .slice(before)
        .map((r) => [r.path, r.status]),
    ).toEqual([
      [
        `/modelship/modelship/releases/download/v${VERSION}/${runtimeArchiveName(VERSION, 'linux-x64')}`,
        302,
      ],
    ]);
    const runtimeDir = join(toolCache, 'modelship', VERSION, 'linux-x64');
    expect(filesUnder(runtimeDir)).toEqual(
      expect.arrayContaining(['duckdb/duckdb.node', 'SHA256SUMS']),
    );
    expect(existsSync(`${runtimeDir}.complete`)).toBe(true);

    const second = await runTree(validateDataYml(), makeWorkspace(), {
      INPUT_DATA: 'data/good.csv',
      INPUT_SCHEMA: 'data/schema.yml',
    });
    expect(second.status).toBe(0);
    expect(second.shown).toContain(`${runtimeDir} (tool cache)`);
    expect(downloads().length).toBe(before + 1);
  });

  it('refuses a tampered archive and extracts nothing', async () => {
    const mirror = mkdtempSync(join(scratch, 'mirror-'));
    const name = runtimeArchiveName(VERSION, 'linux-x64');
    const bytes = Buffer.from(readFileSync(join(RELEASE, name)));
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1]! + 1) % 256;
    writeFileSync(join(mirror, name), bytes);
    // A mirror's own SHA256SUMS agreeing with the tampered file changes nothing: the digest
    // that counts is the one built into the bundle.
    writeFileSync(join(mirror, 'SHA256SUMS'), '');
    const cache = join(scratch, 'tool-cache-tampered');
    const result = await runTree(
      validateDataYml(),
      makeWorkspace(),
      { INPUT_DATA: 'data/good.csv', INPUT_SCHEMA: 'data/schema.yml' },
      { RUNNER_TOOL_CACHE: cache, MODELSHIP_RUNTIME_URL: mirror },
    );
    expect(result.status).toBe(1);
    const errors = commands(result.stdout, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`${join(mirror, name)} has SHA-256 `);
    expect(errors[0]).toContain('was refused and nothing was extracted');
    expect(filesUnder(cache)).toEqual([]);
    expect(result.outputs).toEqual({});
  });

  it("loads another platform's natives from that platform's own archive", async () => {
    const cache = join(scratch, 'tool-cache-arm64');
    const result = await runTree(
      validateDataYml(),
      makeWorkspace(),
      { INPUT_DATA: 'data/good.csv', INPUT_SCHEMA: 'data/schema.yml' },
      { RUNNER_TOOL_CACHE: cache, MODELSHIP_RUNTIME_PLATFORM: 'linux-arm64' },
    );
    // This x64 machine cannot load arm64 code: the one sentence names the file it tried.
    const dir = join(cache, 'modelship', VERSION, 'linux-arm64');
    expect(result.status).toBe(1);
    const errors = commands(result.stdout, 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(
      `native runtime for linux-arm64 at ${join(dir, 'duckdb', 'duckdb.node')} could not be loaded`,
    );
    expect(JSON.parse(readFileSync(join(dir, 'runtime.json'), 'utf8'))).toMatchObject({
      platform: 'linux-arm64',
    });
  });

  it.each([
    ['darwin-x64', 'darwin-x64'],
    ['linux-x64-musl', 'linux-x64 (musl)'],
    ['linux-ia32', 'linux-ia32'],
  ])(
    'fails on %s with one sentence naming it and the supported platforms',
    async (forced, named) => {
      const before = downloads().length;
      const result = await runTree(
        validateDataYml(),
        makeWorkspace(),
        { INPUT_DATA: 'data/good.csv', INPUT_SCHEMA: 'data/schema.yml' },
        { MODELSHIP_RUNTIME_PLATFORM: forced },
      );
      expect(result.status).toBe(1);
      expect(commands(result.stdout, 'error')).toEqual([
        `::error::Modelship's native runtime (DuckDB, onnxruntime) is not built for ${named}; run this step on one of linux-x64, linux-arm64, darwin-arm64, win32-x64 (Linux with glibc).`,
      ]);
      expect(downloads().length).toBe(before);
    },
  );

  it('runs gate without any native runtime', async () => {
    const workspace = exampleWorkspace();
    writeFileSync(
      join(workspace, 'report.json'),
      JSON.stringify({ model: 'credit-risk', metrics: { roc_auc: 0.8 } }),
    );
    const cache = join(scratch, 'tool-cache-gate');
    const before = downloads().length;
    const result = await runTree(
      join(actionRoot, 'actions/gate/action.yml'),
      workspace,
      { INPUT_REPORT: 'report.json', 'INPUT_FAIL-ON-GATE': 'false' },
      // Natives from anywhere would fail: there are none to load.
      { RUNNER_TOOL_CACHE: cache, MODELSHIP_RUNTIME_URL: join(scratch, 'nowhere') },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The rules on metrics the report lacks fail: the gate ran, on no native code.
    expect(result.outputs.passed).toBe('false');
    expect(result.summary).toContain('accuracy is missing from the candidate');
    expect(downloads().length).toBe(before);
    expect(existsSync(cache)).toBe(false);
  });
});

describe('validate-data from the release', () => {
  it('passes good data: exit 0, outputs, report and summary', async () => {
    const run = await runTree(validateDataYml(), makeWorkspace(), {
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

  it('fails bad data with one annotation per failed check on its file and line', async () => {
    const run = await runTree(validateDataYml(), makeWorkspace({ 'data/bad.csv': BAD_CSV }), {
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

  it('passes with a warning annotation when a check fails within mostly', async () => {
    const workspace = makeWorkspace({
      'data/warn.csv': readFileSync(join(FIXTURES, 'data/warn.csv'), 'utf8'),
    });
    const inputs = { INPUT_DATA: 'data/warn.csv', INPUT_SCHEMA: 'data/mostly.yml' };
    const warning =
      '::warning title=Data contract%3A age min,file=data/warn.csv,line=3::1 of 5 values (20.00%25) in "age" are below the minimum 0, e.g. "-1" at row 2; mostly: 0.8 allows 20.00%25';

    const lenient = await runTree(validateDataYml(), workspace, inputs);
    expect(lenient.status).toBe(0);
    expect(commands(lenient.stdout, 'warning')).toEqual([warning]);
    expect(commands(lenient.stdout, 'error')).toEqual([]);
    expect(lenient.outputs.ok).toBe('true');
    expect(lenient.summary).toContain('✅ **Data contract passed** with 1 warning\n');
    expect(lenient.shown).toContain('data/warn.csv: data contract passed (5 rows, 1 warning).');

    const strict = await runTree(validateDataYml(), workspace, {
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

  it('fails a missing data file with one sentence naming it, no stack trace', async () => {
    const run = await runTree(validateDataYml(), makeWorkspace(), {
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

describe('root action from the release', () => {
  it('runs validate-data by its command input with the same result', async () => {
    const files = { 'data/bad.csv': BAD_CSV };
    const inputs = { INPUT_DATA: 'data/bad.csv', INPUT_SCHEMA: 'data/schema.yml' };
    const viaRoot = await runTree(rootYml(), makeWorkspace(files), {
      ...inputs,
      INPUT_COMMAND: 'validate-data',
    });
    const direct = await runTree(validateDataYml(), makeWorkspace(files), inputs);
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

    const good = await runTree(rootYml(), makeWorkspace(), {
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
  ])('fails command %j with one clear sentence', async (command, start) => {
    const run = await runTree(rootYml(), makeWorkspace(), { INPUT_COMMAND: command });
    expect(run.status).toBe(1);
    expect(run.stdout.trim().split('\n')).toEqual([
      `::error::${start}; expected one of validate-data, train, evaluate, gate, publish-model, deploy, drift-check, affected.`,
    ]);
    expect(run.outputs).toEqual({});
    expect(run.summary).toBe('');
  });
});

describe('evaluate from the release', () => {
  it('loads onnxruntime from the runtime archive and evaluates the example offline', async () => {
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
    const run = await runTree(join(actionRoot, 'actions/evaluate/action.yml'), workspace, {
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

describe('drift-check from the release', () => {
  it('profiles and tests the example with DuckDB from the runtime archive, offline', async () => {
    const workspace = mkdtempSync(join(scratch, 'ws-drift-'));
    cpSync(join(ROOT, 'examples/credit-risk'), workspace, {
      recursive: true,
      filter: (path) => !path.includes('artifacts'),
    });
    // A reference given as data needs no release, and without issue or PR no GitHub call is made.
    const run = await runTree(join(actionRoot, 'actions/drift-check/action.yml'), workspace, {
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

describe('publish-model and deploy from the release', () => {
  /** The GitHub context of a job of owner/repo, as the runner sets it. */
  const githubEnv = (event: string, eventPath: string, sha: string) => ({
    GITHUB_REPOSITORY: 'owner/repo',
    GITHUB_API_URL: fake.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: sha,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    MODELSHIP_GITHUB_PACE_WRITES: 'false',
  });
  let workspace: string;
  let event: string;
  let token: string;

  it('publishes the example against the GitHub fake, loading its natives from the runtime archive', async () => {
    workspace = exampleWorkspace();
    const weights = Array.from({ length: 26 }, (_, j) => ((j % 5) - 2) * 0.05);
    writeFileSync(join(workspace, 'fallback.onnx'), logisticRegressionModel({ weights, bias: -1 }));
    const repo = fake.addRepo('owner', 'repo');
    token = fake.actionsToken({ writes: ['contents'] });
    const [headSha, mergeSha] = ['a1'.repeat(20), 'f1'.repeat(20)];
    fake.addPullRequest(repo, {
      author: 'alice',
      head: { ref: 'retrain', sha: headSha },
      mergeCommitSha: mergeSha,
    });
    event = join(scratch, 'push.json');
    writeFileSync(
      event,
      JSON.stringify({
        ref: 'refs/heads/main',
        after: mergeSha,
        head_commit: { id: mergeSha, timestamp: '2024-05-02T10:00:00Z' },
        repository: { full_name: 'owner/repo' },
      }),
    );
    const result = await runTree(
      join(actionRoot, 'actions/publish-model/action.yml'),
      workspace,
      // No successful run left a candidate artifact: the fallback model is published.
      { INPUT_MODEL: 'fallback.onnx', 'INPUT_GITHUB-TOKEN': token },
      githubEnv('push', event, mergeSha),
    );
    expect(result.stderr).toBe('');
    expect(result.status, result.stdout).toBe(0);
    expect(result.outputs).toMatchObject({ tag: 'credit-risk-v1.0.0', version: '1.0.0' });
    const [release] = fake.releasesOf(repo);
    expect(release?.assets.map((a) => a.name)).toEqual(
      expect.arrayContaining(['model.onnx', 'profile.json', 'SHA256SUMS', 'smoke-test.json']),
    );
    expect(fake.violations).toEqual([]);
  });

  it(
    "deploys that release: the image's Linux onnxruntime comes from the runtime archive",
    { ...containers.options, timeout: 240_000 },
    async () => {
      containers.check();
      const lab = await startContainerLab(join(scratch, 'lab'), (stop) => (stopLab = stop));
      results = await ResultsService.start();
      const cache = join(scratch, 'tool-cache-deploy');
      const before = downloads().length;
      const result = await runTree(
        join(actionRoot, 'actions/deploy/action.yml'),
        workspace,
        {
          INPUT_VERSION: '1.0.0',
          INPUT_IMAGE: `${lab.registry}/credit-risk`,
          INPUT_BUILDER: 'podman',
          'INPUT_BASE-IMAGE': lab.baseImage,
          'INPUT_TLS-VERIFY': 'false',
          INPUT_URL: 'https://models.example.com/credit-risk',
          'INPUT_GITHUB-TOKEN': token,
        },
        {
          ...githubEnv('release', event, 'c'.repeat(40)),
          ...lab.env,
          ...results.env(),
          RUNNER_TOOL_CACHE: cache,
        },
      );
      expect(result.status, result.stdout).toBe(0);
      expect(result.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await lab.registryDigest('credit-risk', 'production')).toBe(result.outputs.digest);
      expect(result.summary).toContain('Smoke test passed');
      // deploy loads no native code itself: it fetched the archive only for the image.
      expect(
        downloads()
          .slice(before)
          .map((r) => r.path),
      ).toEqual([
        `/modelship/modelship/releases/download/v${VERSION}/${runtimeArchiveName(VERSION, 'linux-x64')}`,
      ]);
      expect(fake.violations).toEqual([]);
    },
  );
});

describe('train from the release', () => {
  let service: ResultsService;
  beforeAll(async () => {
    service = await ResultsService.start();
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
  });

  /** The train step, with the results-service stand-in for its cache and artifact clients. */
  function runTrain(workspace: string, inputs: Record<string, string>) {
    return runAction(setup(), join(actionRoot, 'actions/train/action.yml'), workspace, inputs, {
      ...service.env(),
      GITHUB_SHA: 'c'.repeat(40),
      RUNNER_OS: 'Linux',
      // Tests hide any GPU the machine has.
      CUDA_VISIBLE_DEVICES: '',
    });
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

  it(
    'trains the PyTorch example, verifies it, writes the manifest, caches and uploads the artifact',
    { ...torch.options, timeout: 120_000 },
    async () => {
      torch.check();
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
      const second = await runTrain(exampleWorkspace(), {
        ...inputs,
        'INPUT_ARTIFACT-NAME': 'none',
      });
      expect(second.status).toBe(0);
      expect(second.outputs['cache-hit']).toBe('exact');
      expect(service.violations).toEqual([]);
    },
  );

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
