// modelship validate takes the contract, and the data, from modelship.yml when --schema is not
// given; every invocation with --schema works as before.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, expectOneSentence, runCli } from './helpers/cli.js';

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

  it('no data and a config without data.train or data.eval asks for the data', () => {
    write(
      'nodata.yml',
      'model:\n  name: m\n  task: regression\n  path: model.onnx\n  target: a\n  features: [a]\ndata:\n  schema: data/schema.yml\n',
    );
    expectOneSentence(runCli(['validate', '-c', 'nodata.yml'], dir), /data\.train.*data\.eval/);
  });
});
