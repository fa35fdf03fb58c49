// validate-data's run() in process: inputs from INPUT_* (and modelship.yml defaults), outputs in
// GITHUB_OUTPUT, annotations on stdout. test/core/runtime/release.test.ts runs the released action tree.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/actions/validate-data/main.js';
import { ModelshipError } from '../../src/core/errors.js';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/action/project');

let scratch: string;
let summaryFile: string;
let workspace: string;
let runnerTemp: string;
let outputFile: string;
let stdout: string[];
const savedEnv = { ...process.env };

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'modelship-validate-action-'));
  // @actions/core caches the summary path on first write, so one file serves every test.
  summaryFile = join(scratch, 'summary.md');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeEach(() => {
  workspace = mkdtempSync(join(scratch, 'ws-'));
  cpSync(FIXTURES, join(workspace, 'ml'), { recursive: true });
  runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));
  outputFile = join(runnerTemp, 'output');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) delete process.env[key];
  }
  Object.assign(process.env, {
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    // What the runner passes from action.yml's defaults.
    INPUT_CONFIG: 'modelship.yml',
    'INPUT_WORKING-DIRECTORY': '.',
    'INPUT_GITHUB-TOKEN': 'ghs_fake',
    INPUT_DATA: '',
    INPUT_SCHEMA: '',
    'INPUT_REPORT-PATH': '',
    'INPUT_FAIL-ON-WARNING': 'false',
  });
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) {
    if (!(key in savedEnv)) delete process.env[key];
  }
  Object.assign(process.env, savedEnv);
});

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) {
    process.env[`INPUT_${name.toUpperCase()}`] = value;
  }
}

/** The GITHUB_OUTPUT file as name → value (`name<<delimiter`, value, `delimiter`). */
function outputs(): Record<string, string> {
  const found: Record<string, string> = {};
  const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const [, name, , value] of readFileSync(outputFile, 'utf8').matchAll(pattern)) {
    found[name!] = value!;
  }
  return found;
}

interface Report {
  ok: boolean;
  data: string;
  schema: string;
  rows: number;
  violations: { column: string; check: string; severity: string }[];
}

const readReport = (path: string): Report => JSON.parse(readFileSync(path, 'utf8')) as Report;
const annotations = () =>
  stdout
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('::error') || l.startsWith('::warning'));
const defaultReport = () => join(runnerTemp, 'modelship/validate-report.json');

describe('validate-data run()', () => {
  it('takes data and schema from modelship.yml in the working directory', async () => {
    setInputs({ 'working-directory': 'ml' });
    await run();
    expect(outputs()).toEqual({ ok: 'true', report: defaultReport() });
    const report = readReport(defaultReport());
    expect(report).toMatchObject({
      ok: true,
      rows: 5,
      data: 'ml/data/good.csv',
      schema: 'ml/data/schema.yml',
      violations: [],
    });
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      '### Data validation: `ml/data/good.csv`\n\n✅ **Data contract passed**\n',
    );
    expect(annotations()).toEqual([]);
    expect(stdout.join('')).toContain('::add-mask::ghs_fake');
  });

  it("resolves a named config's paths against the config's directory", async () => {
    // configs/alt.yml says ../data/warn.csv and ../data/schema.yml: ml/data/, not ml/../data/.
    setInputs({ 'working-directory': 'ml', config: 'configs/alt.yml' });
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    await expect(failure).rejects.toThrow(
      'ml/data/warn.csv breaks its data contract: 1 check failed (see the annotations and the job summary).',
    );
    expect(outputs()).toEqual({ ok: 'false', report: defaultReport() });
    expect(readReport(defaultReport())).toMatchObject({
      ok: false,
      data: 'ml/data/warn.csv',
      schema: 'ml/data/schema.yml',
      violations: [{ column: 'age', check: 'min', severity: 'error' }],
    });
    expect(annotations()).toEqual([
      '::error title=Data contract%3A age min,file=ml/data/warn.csv,line=3::1 of 5 values (20.00%25) in "age" are below the minimum 0, e.g. "-1" at row 2',
    ]);
  });

  it('resolves the data input against the working directory, the schema still from the config', async () => {
    setInputs({ 'working-directory': 'ml', data: 'data/warn.csv' });
    await expect(run()).rejects.toThrow('ml/data/warn.csv breaks its data contract');
    expect(readReport(defaultReport())).toMatchObject({
      data: 'ml/data/warn.csv',
      schema: 'ml/data/schema.yml',
    });
  });

  it('reads schema and fail-on-warning inputs', async () => {
    setInputs({ 'working-directory': 'ml', data: 'data/warn.csv', schema: 'data/mostly.yml' });
    await run();
    expect(outputs().ok).toBe('true');
    expect(annotations()).toEqual([
      '::warning title=Data contract%3A age min,file=ml/data/warn.csv,line=3::1 of 5 values (20.00%25) in "age" are below the minimum 0, e.g. "-1" at row 2; mostly: 0.8 allows 20.00%25',
    ]);

    writeFileSync(outputFile, '');
    setInputs({ 'fail-on-warning': 'yes' });
    await expect(run()).rejects.toThrow(
      'ml/data/warn.csv passed its data contract with 1 warning, and fail-on-warning is set.',
    );
    expect(outputs().ok).toBe('true');

    setInputs({ 'fail-on-warning': 'maybe' });
    await expect(run()).rejects.toThrow(
      'input fail-on-warning is "maybe"; expected true or false.',
    );
  });

  it('writes the report where report-path says, relative to the working directory', async () => {
    setInputs({ 'working-directory': 'ml', 'report-path': 'out/contract.json' });
    await run();
    const path = join(workspace, 'ml/out/contract.json');
    expect(outputs()).toEqual({ ok: 'true', report: path });
    expect(readReport(path).ok).toBe(true);
  });

  it('refuses a report-path that is its data or contract, before reading, leaving them as they were', async () => {
    for (const target of ['data/good.csv', 'data/schema.yml']) {
      const path = join(workspace, 'ml', target);
      const before = readFileSync(path, 'utf8');
      setInputs({
        'working-directory': 'ml',
        data: 'data/good.csv',
        schema: 'data/schema.yml',
        'report-path': target,
      });
      await expect(run()).rejects.toThrow(`report-path ${path}: is an input of this command`);
      expect(readFileSync(path, 'utf8')).toBe(before);
    }
  });

  it('writes under the working directory when RUNNER_TEMP is not set', async () => {
    delete process.env.RUNNER_TEMP;
    setInputs({ 'working-directory': 'ml' });
    await run();
    const path = join(workspace, 'ml/.modelship-out/modelship/validate-report.json');
    expect(outputs()).toEqual({ ok: 'true', report: path });
    expect(readReport(path).rows).toBe(5);
  });

  it('fails clearly when a config named explicitly does not exist', async () => {
    setInputs({ 'working-directory': 'ml', config: 'nope.yml' });
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    await expect(failure).rejects.toThrow(
      `config nope.yml: file not found in ${join(workspace, 'ml')}; check the config input.`,
    );
    expect(outputs()).toEqual({});
  });

  it('treats the default config name as optional: no modelship.yml and no data is a clear error', async () => {
    // The runner passes the default `modelship.yml` as if the user had set it.
    await expect(run()).rejects.toThrow(
      'validate-data needs a data file: set the data input, or data.train in modelship.yml.',
    );
    setInputs({ data: 'ml/data/good.csv' });
    await expect(run()).rejects.toThrow(
      'validate-data needs a data contract: set the schema input, or data.schema in modelship.yml.',
    );
    setInputs({ schema: 'ml/data/schema.yml' });
    await run();
    expect(outputs().ok).toBe('true');
    expect(readReport(defaultReport()).data).toBe('ml/data/good.csv');
  });

  it('fails clearly when working-directory does not exist', async () => {
    setInputs({ 'working-directory': 'missing' });
    await expect(run()).rejects.toThrow(
      'working-directory missing does not exist in the workspace; check the input.',
    );
  });
});
