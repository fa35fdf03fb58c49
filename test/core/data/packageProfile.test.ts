// profile.json of a release bundle: DuckDB's numbers against the same statistics computed
// independently in JavaScript over the example's training CSV.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataContractSchema, loadDataContract } from '../../../src/core/config/dataContract.js';
import {
  buildProfile,
  type CategoricalColumnProfile,
  type DataProfile,
  type NumericColumnProfile,
} from '../../../src/core/data/profile.js';
import { EXAMPLE, TRAIN_CSV } from '../../support/evaluateProject.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
let profile: DataProfile;
let rows: Record<string, string>[];

/** The example's CSV has no quoted fields: a plain split reads it. */
function readCsv(path: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  const names = header!.split(',');
  return lines.map((line) => {
    const fields = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, fields[i]!]));
  });
}

/** Quantile with linear interpolation between order statistics (R type 7, quantile_cont). */
function quantile(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

const numeric = (name: string) =>
  profile.columns.find((c) => c.name === name) as NumericColumnProfile;
const categorical = (name: string) =>
  profile.columns.find((c) => c.name === name) as CategoricalColumnProfile;

beforeAll(async () => {
  const contract = loadDataContract(join(EXAMPLE, 'data/schema.yml')).contract;
  profile = await buildProfile(TRAIN_CSV, { contract, display: 'data/train.csv' });
  rows = readCsv(TRAIN_CSV);
});

describe('buildProfile', () => {
  it('profiles every column of the training data', () => {
    expect(profile.rows).toBe(rows.length);
    expect(profile.data).toBe('data/train.csv');
    expect(profile.columns.map((c) => c.name)).toEqual(Object.keys(rows[0]!));
    expect(numeric('credit_amount').kind).toBe('numeric');
    expect(categorical('purpose').kind).toBe('categorical');
  });

  it('matches independently computed numeric statistics (credit_amount)', () => {
    const values = rows.map((r) => Number(r.credit_amount)).sort((a, b) => a - b);
    const n = values.length;
    const mean = values.reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const column = numeric('credit_amount');
    expect(column).toMatchObject({ count: n, nulls: 0, invalid: 0, declared: 'number' });
    expect(column.min).toBe(values[0]);
    expect(column.max).toBe(values[n - 1]);
    expect(column.mean).toBeCloseTo(mean, 8);
    expect(column.std).toBeCloseTo(std, 6);
    const levels = [1, 5, 10, 20, 25, 30, 40, 50, 60, 70, 75, 80, 90, 95, 99];
    expect(Object.keys(column.quantiles!)).toEqual(levels.map((p) => `p${p}`));
    for (const p of levels)
      expect(column.quantiles![`p${p}`]).toBeCloseTo(quantile(values, p / 100), 6);
    expect(column.deciles).toHaveLength(11);
    column.deciles!.forEach((edge, i) => expect(edge).toBeCloseTo(quantile(values, i / 10), 6));
    expect(column.deciles![0]).toBe(column.min);
    expect(column.deciles![10]).toBe(column.max);
  });

  it('matches exact category counts (purpose), most frequent first', () => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.purpose!, (counts.get(r.purpose!) ?? 0) + 1);
    const column = categorical('purpose');
    expect(column.distinct).toBe(counts.size);
    expect(Object.fromEntries(column.categories.map((c) => [c.value, c.count]))).toEqual(
      Object.fromEntries(counts),
    );
    const ordered = column.categories.map((c) => c.count);
    expect(ordered).toEqual([...ordered].sort((a, b) => b - a));
    expect(column.other).toEqual({ distinct: 0, count: 0 });
  });

  it('keeps the top categories and puts the rest in other', async () => {
    const small = await buildProfile(TRAIN_CSV, { topCategories: 3 });
    const column = small.columns.find((c) => c.name === 'purpose') as CategoricalColumnProfile;
    const full = categorical('purpose');
    expect(column.categories).toEqual(full.categories.slice(0, 3));
    expect(column.other).toEqual({
      distinct: full.distinct - 3,
      count: full.categories.slice(3).reduce((s, c) => s + c.count, 0),
    });
  });

  it('infers types without a contract and counts nulls and invalid values', async () => {
    const file = join(dir, 'mixed.csv');
    writeFileSync(file, 'x,y,z\n1,a,1\n,b,2\n3,,oops\n4,a,\n');
    const mixed = await buildProfile(file);
    const [x, y, z] = mixed.columns;
    expect(x).toMatchObject({
      kind: 'numeric',
      declared: null,
      count: 3,
      nulls: 1,
      min: 1,
      max: 4,
    });
    expect((x as NumericColumnProfile).mean).toBeCloseTo(8 / 3, 12);
    expect(y).toMatchObject({
      kind: 'categorical',
      count: 3,
      nulls: 1,
      categories: [
        { value: 'a', count: 2 },
        { value: 'b', count: 1 },
      ],
    });
    expect(z).toMatchObject({ kind: 'categorical', count: 3, nulls: 1, distinct: 3 });
    // With a contract saying number, the bad value is counted as invalid, not as a category.
    const typed = await buildProfile(file, {
      contract: dataContractSchema.parse({
        columns: { z: { type: 'number', nullable: true } },
        extra_columns: 'ignore',
      }),
    });
    expect(typed.columns[2]).toMatchObject({
      kind: 'numeric',
      count: 3,
      invalid: 1,
      min: 1,
      max: 2,
    });
  });
});
