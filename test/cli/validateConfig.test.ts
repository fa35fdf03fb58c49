// modelship validate takes the contract, and the data, from modelship.yml when --schema is not
// given; every invocation with --schema works as before.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, expectOneSentence, runCli } from '../support/cli.js';

let dir: string;
const abs = (name: string) => join(dir, name);
const write = (name: string, text: string) => writeFileSync(abs(name), text);
const CONFIG =
  'model:\n  name: m\n  task: regression\n  path: model.onnx\n  target: a\n  features: [a]\ndata:\n  schema: data/schema.yml\n  train: data/train.csv\n  eval: data/eval.csv\n';

beforeAll(() => {
  buildCliIfStale();
  dir = mkdtempSync(join(tmpdir(), 'modelship-validate-config-'));
  mkdirSync(abs('data'));
  mkdirSync(abs('ml'));
  mkdirSync(abs('empty'));
  write('data/schema.yml', 'columns:\n  a: { type: integer, min: 0 }\n');
  write('data/train.csv', 'a\n1\n2\n');
  write('data/eval.csv', 'a\n3\n');
  write('data/bad.csv', 'a\n-1\n');
  write('modelship.yml', CONFIG);
  write('ml/other.yml', CONFIG.replaceAll('data/', '../data/'));
  write('other.schema.yml', 'columns:\n  a: { type: integer, max: 0 }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('modelship validate with modelship.yml', () => {
  it('uses data.schema of ./modelship.yml for the data given', () => {
    const result = runCli(['validate', 'data/bad.csv'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^FAIL data\/bad\.csv: 1 rows, 1 columns, 1 failed check,/);
    expect(result.code).toBe(1);
  });

  it('validates data.train and data.eval when no data is given', () => {
    const result = runCli(['validate'], dir);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/^PASS .*data\/train\.csv: 2 rows/),
      expect.stringMatching(/^PASS .*data\/eval\.csv: 1 rows/),
    ]);
    expect(result.code).toBe(0);
  });

  it('--config names another config; its paths are relative to it', () => {
    const result = runCli(['validate', '--config', 'ml/other.yml', '--json', 'out.json'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = JSON.parse(readFileSync(abs('out.json'), 'utf8')) as unknown[];
    expect(written).toHaveLength(2);
    expect(written).toMatchObject([
      { ok: true, rows: 2 },
      { ok: true, rows: 1 },
    ]);
  });

  it('--schema wins over the config', () => {
    const result = runCli(['validate', 'data/train.csv', '-s', 'other.schema.yml'], dir);
    expect(result.stdout).toMatch(/^FAIL data\/train\.csv/);
    expect(result.code).toBe(1);
  });

  it('no --schema and no modelship.yml is the error it always was', () => {
    write('empty/good.csv', 'a\n1\n');
    expectOneSentence(
      runCli(['validate', 'good.csv'], abs('empty')),
      /^modelship: required option '-s, --schema <file>' not specified \(run modelship --help for usage\)$/,
    );
  });

  it('a config without data.schema says how to name the contract', () => {
    write('noschema.yml', CONFIG.replace('  schema: data/schema.yml\n', ''));
    expectOneSentence(
      runCli(['validate', 'data/train.csv', '-c', 'noschema.yml'], dir),
      /noschema\.yml.*data\.schema.*--schema/,
    );
  });

  it('validates data.current too when the config sets it', () => {
    write('data/current.csv', 'a\n4\n5\n6\n');
    write('current.yml', `${CONFIG}  current: data/current.csv\n`);
    const result = runCli(['validate', '-c', 'current.yml'], dir);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/^PASS .*data\/train\.csv: 2 rows/),
      expect.stringMatching(/^PASS .*data\/eval\.csv: 1 rows/),
      expect.stringMatching(/^PASS .*data\/current\.csv: 3 rows/),
    ]);
    expect(result.code).toBe(0);
    write('bad-current.yml', `${CONFIG}  current: data/bad.csv\n`);
    const bad = runCli(['validate', '-c', 'bad-current.yml'], dir);
    expect(bad.stdout).toMatch(/^FAIL data\/bad\.csv: 1 rows, 1 columns, 1 failed check,/m);
    expect(bad.code).toBe(1);
  });

  it('lets data.current lack the target column, saying so, and checks its other columns', () => {
    mkdirSync(abs('labelled'));
    write(
      'labelled/schema.yml',
      'columns:\n  y: { type: integer }\n  a: { type: integer, min: 0 }\n',
    );
    write('labelled/train.csv', 'y,a\n1,1\n0,2\n');
    write('labelled/current.csv', 'a\n3\n4\n');
    write('labelled/current-bad.csv', 'a\n3\n-4\n');
    const config = (current: string) =>
      `model:\n  name: m\n  task: regression\n  path: model.onnx\n  target: y\n  features: [a]\ndata:\n  schema: schema.yml\n  train: train.csv\n  current: ${current}\n`;
    write('labelled/modelship.yml', config('current.csv'));
    const result = runCli(['validate', '-c', 'labelled/modelship.yml'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^PASS .*labelled\/current\.csv: 2 rows/m);
    expect(result.stdout).toContain(
      'note: labelled/current.csv (data.current) has no y column (model.target); its other columns were checked.',
    );
    expect(result.code).toBe(0);
    write('labelled/bad.yml', config('current-bad.csv'));
    const bad = runCli(['validate', '-c', 'labelled/bad.yml', '--json', 'labelled/out.json'], dir);
    expect(bad.stdout).toMatch(
      /^FAIL .*labelled\/current-bad\.csv: 2 rows, 1 columns, 1 failed check/m,
    );
    expect(bad.code).toBe(1);
    const [, current] = JSON.parse(readFileSync(abs('labelled/out.json'), 'utf8')) as {
      violations: { check: string; column: string }[];
    }[];
    expect(current!.violations.map((v) => [v.check, v.column])).toEqual([['min', 'a']]);
    // A training file without the target is still a failure: it is only excused for current data.
    write('labelled/train.csv', 'a\n1\n');
    const train = runCli(['validate', '-c', 'labelled/modelship.yml'], dir);
    expect(train.stdout).toMatch(/^FAIL .*labelled\/train\.csv: .*1 failed check/m);
    expect(train.code).toBe(1);
  });

  it('no data and a config without data.train or data.eval asks for the data', () => {
    write(
      'nodata.yml',
      'model:\n  name: m\n  task: regression\n  path: model.onnx\n  target: a\n  features: [a]\ndata:\n  schema: data/schema.yml\n',
    );
    expectOneSentence(runCli(['validate', '-c', 'nodata.yml'], dir), /data\.train.*data\.eval/);
  });
});
