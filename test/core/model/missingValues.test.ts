// Per-feature missing and unknown settings (modelship.yml): validated once, then applied the same
// way by evaluate, serve's /predict, drift's prediction drift and train's model check.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { computeDrift } from '../../../src/core/drift/index.js';
import { predictionProfile } from '../../../src/core/drift/modelDrift.js';
import { linearRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { createServer } from '../../../src/core/serve/server.js';
import { buildCliIfStale, runCli } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';

const dir = useTempDir();

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function configWith(features: string): string {
  return `model:
  name: m
  task: regression
  path: model.onnx
  target: y
  features:
${features}
`;
}

const errorOf = modelshipErrorOf;

describe('missing and unknown in modelship.yml', () => {
  it('reads the settings, the object form of a numeric column and the string shorthand', () => {
    const file = write(
      'ok.yml',
      configWith(`    - income
    - { column: age, missing: 0 }
    - { column: contract, one_hot: [a, b], missing: zeros, unknown: zeros }
    - { column: phone, map: { "yes": 1, "no": 0 }, missing: -1, unknown: 0.5 }
    - { column: region, one_hot: [n, s], missing: error, unknown: error }`),
    );
    expect(loadConfig(file).config.model.features).toEqual([
      'income',
      { column: 'age', missing: 0 },
      { column: 'contract', one_hot: ['a', 'b'], missing: 'zeros', unknown: 'zeros' },
      { column: 'phone', map: { yes: 1, no: 0 }, missing: -1, unknown: 0.5 },
      { column: 'region', one_hot: ['n', 's'], missing: 'error', unknown: 'error' },
    ]);
  });

  it.each([
    [
      '{ column: income, unknown: zeros }',
      'model.features.0.unknown: a numeric feature has no categories to be unknown; remove unknown, or encode income with one_hot or map, got "zeros"',
    ],
    [
      '{ column: income, missing: zeros }',
      'model.features.0.missing: zeros is for one_hot features; income takes missing: <number> or error, got "zeros"',
    ],
    [
      '{ column: phone, map: { "yes": 1 }, missing: zeros }',
      'model.features.0.missing: zeros is for one_hot features; phone takes missing: <number> or error, got "zeros"',
    ],
    [
      '{ column: contract, one_hot: [a], missing: 0 }',
      'model.features.0.missing: a one_hot feature takes missing: zeros (all its inputs 0) or error, not a number, got 0',
    ],
    [
      '{ column: contract, one_hot: [a], unknown: 1 }',
      'model.features.0.unknown: a one_hot feature takes unknown: zeros (all its inputs 0) or error, not a number, got 1',
    ],
    [
      '{ column: phone, map: { "yes": 1 }, unknown: zeros }',
      'model.features.0.unknown: zeros is for one_hot features; a map feature takes unknown: <number> (its input) or error, got "zeros"',
    ],
    [
      '{ column: c, one_hot: [a], missing: blank }',
      'model.features.0.missing: a text is for a model\'s string input; an encoded feature takes missing: zeros or error, got "blank"',
    ],
    [
      '{ column: c, one_hot: [a], map: { "a": 1 } }',
      'model.features.0: a feature takes one of one_hot or map, not both, got a mapping',
    ],
  ])('refuses %s', (feature, message) => {
    const file = write('bad.yml', configWith(`    - ${feature}`));
    // file:line:column of the offending value, then the key path and the reason.
    const text = errorOf(() => loadConfig(file));
    expect(text.startsWith(`${file}:7:`)).toBe(true);
    expect(text.slice(text.indexOf(' ') + 1)).toBe(message);
  });
});

/*
 * A linear model whose weights keep every input apart (1, 10, 20, 100, 1000): each row's target is
 * the prediction its filled-in inputs make, so mae is 0 only when every blank and unknown value
 * became exactly what its feature's setting says.
 */
const SETTINGS = `    - { column: income, missing: 5 }
    - { column: contract, one_hot: [monthly, yearly], missing: zeros, unknown: zeros }
    - { column: phone, map: { "yes": 1, "no": 0 }, missing: 3, unknown: 7 }
    - age`;
const PLAIN = `    - income
    - { column: contract, one_hot: [monthly, yearly] }
    - { column: phone, map: { "yes": 1, "no": 0 } }
    - age`;
const WEIGHTS = [1, 10, 20, 100, 1000];
// income, contract, phone, age → the filled inputs → y = x·w.
const ROWS: [string, string, string, string, number[]][] = [
  ['1', 'monthly', 'yes', '2', [1, 1, 0, 1, 2]],
  ['', 'yearly', 'no', '1', [5, 0, 1, 0, 1]],
  ['2', '', '', '3', [2, 0, 0, 3, 3]],
  ['3', 'weekly', 'maybe', '0', [3, 0, 0, 7, 0]],
];
const EXPECTED = ROWS.map(([, , , , x]) => x.reduce((sum, v, i) => sum + v * WEIGHTS[i]!, 0));

function project(name: string, features: string): string {
  const csv = [
    'income,contract,phone,age,y',
    ...ROWS.map((r, i) => [...r.slice(0, 4), EXPECTED[i]].join(',')),
  ].join('\n');
  write('data.csv', `${csv}\n`);
  return write(
    name,
    `${configWith(features)}data:\n  eval: data.csv\n  train: data.csv\ntrain:\n  gpu: none\n`,
  );
}

describe('the same settings in every command', () => {
  let withSettings: string;
  let plain: string;

  beforeAll(() => {
    buildCliIfStale();
    writeFileSync(join(dir, 'model.onnx'), linearRegressionModel({ weights: WEIGHTS, bias: 0 }));
    withSettings = project('settings.yml', SETTINGS);
    plain = project('plain.yml', PLAIN);
  });

  it('evaluate fills blanks and unknown values as the features say', () => {
    const result = runCli(['evaluate', '--config', 'settings.yml', '--json', 'report.json'], dir);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
      rows: number;
      metrics: Record<string, number>;
    };
    expect(report.rows).toBe(4);
    expect(report.metrics.mae).toBe(0);
    expect(report.metrics.r2).toBe(1);
  });

  it('evaluate stops at the first blank without settings, naming the setting', () => {
    const result = runCli(['evaluate', '--config', 'plain.yml'], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    // One line, no stack trace; the message may be prefixed with the model it was scoring.
    expect(result.stderr).toMatch(
      /^modelship: [^\n]*\S*data\.csv row 2: income is missing; fill it in the data, or set missing: <number> on feature income in modelship\.yml\.\n$/,
    );
  });

  it('serve /predict fills null, blank and absent values and unknown categories', async () => {
    const server = createServer({
      modelPath: join(dir, 'model.onnx'),
      config: loadConfig(withSettings).config,
    });
    await server.ready;
    const { url } = await server.listen(0, '127.0.0.1');
    try {
      const rows = [
        { income: 1, contract: 'monthly', phone: 'yes', age: 2 },
        { income: null, contract: 'yearly', phone: 'no', age: 1 },
        { income: '2', age: 3 },
        { income: 3, contract: 'weekly', phone: 'maybe', age: 0 },
      ];
      const res = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify({ rows }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { predictions: number[] }).predictions).toEqual(EXPECTED);
    } finally {
      await server.close();
    }
  });

  it('serve /predict answers 400 with the setting that would take the value', async () => {
    const server = createServer({
      modelPath: join(dir, 'model.onnx'),
      config: loadConfig(plain).config,
    });
    await server.ready;
    const { url } = await server.listen(0, '127.0.0.1');
    const post = async (row: Record<string, unknown>) => {
      const res = await fetch(`${url}/predict`, {
        method: 'POST',
        body: JSON.stringify({ rows: [row] }),
      });
      return { status: res.status, error: ((await res.json()) as { error: string }).error };
    };
    try {
      const row = { income: 1, contract: 'monthly', phone: 'yes', age: 2 };
      expect(await post({ ...row, contract: 'weekly' })).toEqual({
        status: 400,
        error:
          'request row 1: contract "weekly" is not one of the 2 one_hot categories in modelship.yml (monthly, yearly); add it to the one_hot list, or set unknown: zeros on feature contract in modelship.yml.',
      });
      expect(await post({ ...row, phone: 'maybe' })).toEqual({
        status: 400,
        error:
          'request row 1: phone "maybe" is not a key of its map in modelship.yml (yes, no); add it to the map, or set unknown: <number> on feature phone in modelship.yml.',
      });
      expect(await post({ ...row, contract: null })).toEqual({
        status: 400,
        error:
          'request row 1: contract is missing; fill it in the data, or set missing: zeros on feature contract in modelship.yml.',
      });
    } finally {
      await server.close();
    }
  });

  it('drift --model scores current data with the same settings, and skips without them', async () => {
    const model = join(dir, 'model.onnx');
    const scores = await predictionProfile(loadConfig(withSettings), model, join(dir, 'data.csv'));
    const values =
      scores.kind === 'numeric'
        ? scores.values!.flatMap((v) => Array<number>(v.count).fill(v.value))
        : [];
    expect(values.sort((a, b) => a - b)).toEqual([...EXPECTED].sort((a, b) => a - b));
    const options = {
      reference: join(dir, 'data.csv'),
      current: join(dir, 'data.csv'),
      modelPath: model,
    };
    const filled = await computeDrift({ ...options, config: loadConfig(withSettings) });
    expect(filled.prediction?.score).not.toBeUndefined();
    const strict = await computeDrift({ ...options, config: loadConfig(plain) });
    expect(strict.prediction).toBeUndefined();
    expect(strict.notes).toContainEqual(
      expect.stringMatching(
        /^Prediction drift skipped: \S*data\.csv row 2: income is missing; fill it in the data, or set missing: <number> on feature income in modelship\.yml\.$/,
      ),
    );
  });

  it("train's model check counts { column, missing } as one input", () => {
    writeFileSync(
      join(dir, 'train.yml'),
      readFileSync(withSettings, 'utf8').replace('path: model.onnx', 'path: trained.onnx'),
    );
    const result = runCli(
      ['train', '--config', 'train.yml', '--command', 'cp model.onnx trained.onnx'],
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/loads on cpu with 5 inputs/);
  });
});
