import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Feature } from '../../../src/core/config/modelshipConfig.js';
import { literal, withDatabase } from '../../../src/core/data/duckdb.js';
import { ModelshipError } from '../../../src/core/errors.js';
import {
  loadEvaluationData,
  type EvaluationDataOptions,
} from '../../../src/core/model/evaluationData.js';
import { featureNames, featureWidth } from '../../../src/core/model/featureMatrix.js';
import { loadOnnxModel } from '../../../src/core/model/onnxModel.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { predict } from '../../../src/core/model/predict.js';
import { ROOT } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const FEATURES: Feature[] = [
  'duration',
  { column: 'housing', one_hot: ['rent', 'own', 'for free'] },
  { column: 'own_telephone', map: { yes: 1, none: 0 } },
  'age',
];
const OPTIONS: EvaluationDataOptions = {
  features: FEATURES,
  target: 'class',
  extraColumns: ['sex'],
};

const CSV = [
  'id,age,sex,housing,duration,own_telephone,class',
  '1,30,female,own,12,yes,good',
  '2,45.5,,rent,48,none,bad',
  '3, 22 ,male,for free,6,yes,good',
  '4,60,male,own,,yes,bad',
].join('\n');

async function errorOf(path: string, options = OPTIONS): Promise<string> {
  const error = await loadEvaluationData(path, options).then(
    () => new Error('expected the load to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelshipError);
  return (error as Error).message;
}

describe('loadEvaluationData from CSV', () => {
  it('reads the matrix, the labels and the extra columns in file order', async () => {
    const file = write('eval.csv', CSV);
    const data = await loadEvaluationData(file, {
      ...OPTIONS,
      features: [{ column: 'duration', missing: -1 }, ...FEATURES.slice(1)],
      extraColumns: ['sex', 'age', 'id'],
    });
    expect(data.rows).toBe(4);
    expect(Array.from(data.matrix)).toEqual(
      [
        [12, 0, 1, 0, 1, 30],
        [48, 1, 0, 0, 0, 45.5],
        [6, 0, 0, 1, 1, 22],
        [-1, 0, 1, 0, 1, 60],
      ].flat(),
    );
    expect(data.target).toEqual(['good', 'bad', 'good', 'bad']);
    expect(data.extras).toEqual({
      sex: ['female', '(missing)', 'male', 'male'],
      age: ['30', '45.5', ' 22 ', '60'],
      id: ['1', '2', '3', '4'],
    });
  });

  it('names the row of a missing numeric value', async () => {
    const file = write('missing.csv', CSV);
    expect(await errorOf(file)).toBe(
      `${file} row 4: duration is missing; fill it in the data, or set missing: <number> on feature duration in modelship.yml.`,
    );
  });

  it('names the first non-numeric value and its row', async () => {
    const file = write('text.csv', CSV.replace('6,yes', 'six,yes').replace('45.5', 'old'));
    expect(await errorOf(file)).toBe(
      `${file} row 2: age "old" is not a number; fix the value, or encode the column with one_hot or map in modelship.yml.`,
    );
  });

  it('names an unknown category and its row', async () => {
    const file = write('category.csv', CSV.replace('for free', 'castle'));
    const filled: Feature[] = [{ column: 'duration', missing: 0 }, ...FEATURES.slice(1)];
    expect(await errorOf(file, { ...OPTIONS, features: filled })).toBe(
      `${file} row 3: housing "castle" is not one of the 3 one_hot categories in modelship.yml (rent, own, for free); add it to the one_hot list, or set unknown: zeros on feature housing in modelship.yml.`,
    );
    const data = await loadEvaluationData(file, {
      ...OPTIONS,
      features: [
        filled[0]!,
        { column: 'housing', one_hot: ['rent', 'own', 'for free'], unknown: 'zeros' },
        ...FEATURES.slice(2),
      ],
    });
    expect(Array.from(data.matrix.subarray(12, 18))).toEqual([6, 0, 0, 0, 1, 22]);
  });

  it('names a row without a label', async () => {
    const file = write('label.csv', CSV.replace(',yes,bad', ',yes,').replace(',,yes', ',1,yes'));
    expect(await errorOf(file)).toBe(
      `${file} row 4: the target class is empty; every evaluation row needs a label.`,
    );
  });

  it('lists missing columns and the columns the file has', async () => {
    const file = write('columns.csv', CSV);
    expect(
      await errorOf(file, {
        features: [...FEATURES, 'savings'],
        target: 'label',
        extraColumns: ['sex'],
      }),
    ).toBe(
      `${file}: columns savings, label that the model's features or modelship.yml's target, fairness or slices read are missing; the file has id, age, sex, housing, duration, own_telephone, class.`,
    );
    expect(await errorOf(file, { ...OPTIONS, target: 'label' })).toMatch(
      /: column label that the model's features or modelship.yml's target, fairness or slices read is missing; the file has id,/,
    );
  });

  it('reports a file without data rows and a missing file', async () => {
    const empty = write('header.csv', 'id,age,sex,housing,duration,own_telephone,class\n');
    expect(await errorOf(empty)).toBe(
      `${empty}: has no data rows; evaluation needs labelled rows (check data.eval).`,
    );
    expect(await errorOf(join(dir, 'absent.csv'))).toMatch(/absent\.csv: file not found/);
  });

  it('keeps file order across many rows', async () => {
    const rows = 20_000;
    const lines = ['n,housing,own_telephone,age,duration,class,sex'];
    for (let i = 0; i < rows; i++)
      lines.push(`${i},own,yes,${i % 90},${i},${i % 2 ? 'bad' : 'good'},x`);
    const file = write('many.csv', lines.join('\n'));
    const data = await loadEvaluationData(file, OPTIONS);
    expect(data.rows).toBe(rows);
    const column = (j: number) => Array.from({ length: rows }, (_, i) => data.matrix[i * 6 + j]);
    expect(column(0)).toEqual(Array.from({ length: rows }, (_, i) => i));
    expect(column(5)).toEqual(Array.from({ length: rows }, (_, i) => i % 90));
    expect(data.target[rows - 1]).toBe('bad');
  });
  it('finds a bad value past the first chunk, and reads globs in file order', async () => {
    const header = 'n,housing,own_telephone,age,duration,class,sex';
    const body = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => `${from + k},own,yes,30,${from + k},good,x`);
    const lines = [header, ...body(0, 5000)];
    lines[4501] = '4500,own,yes,30,4500 days,good,x';
    const file = write('late.csv', lines.join('\n'));
    expect(await errorOf(file)).toBe(
      `${file} row 4501: duration "4500 days" is not a number; fix the value, or encode the column with one_hot or map in modelship.yml.`,
    );
    write('part-1.csv', [header, ...body(0, 3000)].join('\n'));
    write('part-2.csv', [header, ...body(3000, 4000)].join('\n'));
    const data = await loadEvaluationData(join(dir, 'part-*.csv'), OPTIONS);
    expect(data.rows).toBe(4000);
    expect(Array.from({ length: 4000 }, (_, i) => data.matrix[i * 6])).toEqual(
      Array.from({ length: 4000 }, (_, i) => i),
    );
  });
});

describe('loadEvaluationData from Parquet', () => {
  it('matches one_hot and map by string form and reads labels as text', async () => {
    const file = join(dir, 'eval.parquet');
    await withDatabase((db) =>
      db.run(
        `COPY (SELECT * FROM (VALUES (1::BIGINT, 2.5::DOUBLE, true, 1, 'x'), (2, 3.0, false, 0, NULL)) t(grade, amount, flag, label, sex)) TO ${literal(file)} (FORMAT parquet)`,
      ),
    );
    const data = await loadEvaluationData(file, {
      features: [
        'amount',
        { column: 'grade', one_hot: ['1', 2] },
        { column: 'flag', map: { true: 1, false: -1 } },
        'flag',
      ],
      target: 'label',
      extraColumns: ['sex', 'grade'],
    });
    expect(Array.from(data.matrix)).toEqual([2.5, 1, 0, 1, 1, 3, 0, 1, -1, 0]);
    expect(data.target).toEqual(['1', '0']);
    expect(data.extras).toEqual({ sex: ['x', '(missing)'], grade: ['1', '2'] });
  });
});

describe('the credit-risk example', () => {
  it('reads 300 rows × 26 features of eval.csv and scores them', async () => {
    const loaded = loadConfig(join(ROOT, 'examples', 'credit-risk', 'modelship.yml'));
    const { model } = loaded.config;
    const sensitive = loaded.config.fairness?.sensitive ?? [];
    const data = await loadEvaluationData(loaded.resolve(loaded.config.data.eval!), {
      features: model.features!,
      target: model.target,
      extraColumns: sensitive,
    });
    const width = featureWidth(model.features!);
    expect(width).toBe(26);
    expect(data.rows).toBe(300);
    expect(data.matrix).toHaveLength(300 * 26);
    expect(new Set(data.target)).toEqual(new Set(['good', 'bad']));
    expect(Object.keys(data.extras)).toEqual(['personal_status', 'foreign_worker']);
    // The first row of eval.csv: 0<=X<200, 48 months, 5951, … own, none, yes.
    const names = featureNames(model.features!);
    const first = Object.fromEntries(names.map((n, i) => [n, data.matrix[i]]));
    expect(first).toMatchObject({
      duration: 48,
      credit_amount: 5951,
      age: 22,
      'checking_status=0<=X<200': 1,
      'checking_status=<0': 0,
      'housing=own': 1,
      own_telephone: 0,
      foreign_worker: 1,
    });
    // Every one_hot group of every row has exactly one category set.
    for (let r = 0; r < data.rows; r++) {
      const row = data.matrix.subarray(r * width, (r + 1) * width);
      for (const prefix of ['checking_status=', 'savings_status=', 'employment=', 'housing=']) {
        const ones = names.reduce((n, name, i) => n + (name.startsWith(prefix) ? row[i]! : 0), 0);
        expect(ones).toBe(1);
      }
    }
    const path = join(dir, 'credit.onnx');
    const weights = Array.from({ length: width }, (_, i) => (i % 3) / 1000 - 0.001);
    writeFileSync(path, logisticRegressionModel({ weights, bias: -0.5 }));
    const onnx = await loadOnnxModel(path, { features: width });
    const out = await predict(onnx, data.matrix, data.rows, model.task);
    expect(out.kind).toBe('binary');
    if (out.kind === 'binary') expect(out.scores.every((s) => s > 0 && s < 1)).toBe(true);
    await onnx.release();
  });
});
