// Contracts that survive the next month of data: inference leaves timestamp bounds out unless
// asked, types two-valued words other than true/false as strings with an `in` list, and the
// binary negative label comes from the contract or model.negative, never `not <positive>`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { inferContract } from '../../../src/core/data/inferContract.js';
import { labelsOf } from '../../../src/core/serve/serveTarget.js';
import { buildCliIfStale, runCli } from '../../support/cli.js';

let dir: string;
const abs = (name: string) => join(dir, name);

beforeAll(() => {
  buildCliIfStale();
  dir = mkdtempSync(join(tmpdir(), 'modelship-contract-inference-'));
  writeFileSync(
    abs('train.csv'),
    'day,at,answer,flag,n\n2024-01-01,2024-01-01 10:00:00,YES,True,1\n2024-01-31,2024-01-31 11:00:00,NO,false,5\n',
  );
  writeFileSync(
    abs('next.csv'),
    'day,at,answer,flag,n\n2024-02-01,2024-02-01 10:00:00,NO,TRUE,2\n2024-02-28,2024-02-28 11:00:00,YES,False,3\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('schema infer: timestamp bounds', () => {
  it('leaves timestamp and date bounds out by default; numeric bounds stay', async () => {
    const contract = await inferContract(abs('train.csv'));
    expect(contract.columns.day).toEqual({
      type: 'timestamp',
      nullable: false,
      unique: false,
      mostly: 1,
    });
    expect(contract.columns.at!.min).toBeUndefined();
    expect(contract.columns.at!.max).toBeUndefined();
    expect(contract.columns.n).toMatchObject({ type: 'integer', min: 1, max: 5 });
  });

  it('adds them with timestampBounds', async () => {
    const contract = await inferContract(abs('train.csv'), { timestampBounds: true });
    expect(contract.columns.day).toMatchObject({
      min: '2024-01-01 00:00:00',
      max: '2024-01-31 00:00:00',
    });
  });

  it('the next month passes a contract the CLI inferred from this month', () => {
    const infer = runCli(['schema', 'infer', 'train.csv', '-o', 'schema.yml'], dir);
    expect(infer.code).toBe(0);
    const yaml = readFileSync(abs('schema.yml'), 'utf8');
    expect(yaml).toContain('  day: { type: timestamp }\n');
    const check = runCli(['validate', 'next.csv', '-s', 'schema.yml'], dir);
    expect(check.stdout).toMatch(/^PASS next\.csv/);
    expect(check.code).toBe(0);
  });

  it('--timestamp-bounds writes the observed range', () => {
    const infer = runCli(['schema', 'infer', 'train.csv', '--timestamp-bounds'], dir);
    expect(infer.code).toBe(0);
    expect(infer.stdout).toContain(
      '  day: { type: timestamp, min: 2024-01-01 00:00:00, max: 2024-01-31 00:00:00 }\n',
    );
  });
});

describe('schema infer: two-valued columns', () => {
  it('types YES/NO as a string with an in list, and true/false in any case as boolean', async () => {
    const contract = await inferContract(abs('train.csv'));
    expect(contract.columns.answer).toMatchObject({ type: 'string', in: ['NO', 'YES'] });
    expect(contract.columns.flag).toMatchObject({ type: 'boolean' });
  });

  it('keeps 0/1 integer and y/n, t/f strings', async () => {
    writeFileSync(abs('words.csv'), 'b,yn,tf\n0,y,t\n1,n,f\n');
    const contract = await inferContract(abs('words.csv'));
    expect(contract.columns.b!.type).toBe('integer');
    expect(contract.columns.yn).toMatchObject({ type: 'string', in: ['n', 'y'] });
    expect(contract.columns.tf).toMatchObject({ type: 'string', in: ['f', 't'] });
  });
});

describe('the binary negative label', () => {
  const config = (extra = '') =>
    `model:\n  name: m\n  task: binary-classification\n  path: model.onnx\n  target: answer\n  positive: 'YES'\n${extra}  features: [n]\ndata:\n  schema: schema.yml\n`;

  it('comes from the inferred contract of a YES/NO target', () => {
    runCli(['schema', 'infer', 'train.csv', '-o', 'schema.yml'], dir);
    writeFileSync(abs('modelship.yml'), config());
    expect(labelsOf(loadConfig(abs('modelship.yml')))).toEqual({ negativeLabel: 'NO' });
  });

  it('model.negative names it, ahead of the contract', () => {
    writeFileSync(abs('negative.yml'), config("  negative: 'No, never'\n"));
    expect(labelsOf(loadConfig(abs('negative.yml')))).toEqual({ negativeLabel: 'No, never' });
  });

  it('model.negative must differ from model.positive', () => {
    writeFileSync(abs('same.yml'), config("  negative: 'YES'\n"));
    expect(() => loadConfig(abs('same.yml'))).toThrow(/model\.negative/);
  });
});
