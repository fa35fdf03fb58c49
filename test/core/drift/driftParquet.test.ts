// Parquet read column by column: each column grouped by its stored value and typed afterwards,
// its nulls and invalid numbers counted from the same groups. Checked against counts made here in
// JavaScript from the rows written, and against text columns decided by their own values.
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readDistributions } from '../../../src/core/data/columnDistributions.js';
import { declaredKinds } from '../../../src/core/data/columnKinds.js';
import { openDataSource } from '../../../src/core/data/dataSource.js';
import { withDatabase } from '../../../src/core/data/duckdb.js';
import { computeDrift } from '../../../src/core/drift/index.js';
import { recordQueries, scansOf } from '../../support/queryRecorder.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Writes rows (SQL literals per column) to a Parquet file with the given column types. */
async function parquet(name: string, types: Record<string, string>, rows: string[][]) {
  const path = join(dir, name);
  const columns = Object.entries(types);
  const select = rows
    .map(
      (row) =>
        `SELECT ${row.map((v, j) => `(${v})::${columns[j]![1]} AS "${columns[j]![0]}"`).join(', ')}`,
    )
    .join(' UNION ALL ');
  await withDatabase((db) => db.run(`COPY (${select}) TO '${path}' (FORMAT parquet)`));
  return path;
}

/** The i-th row's values: every kind of cell a column can hold, nulls and non-finite numbers too. */
function row(i: number): string[] {
  const int = i % 7 === 0 ? 'NULL' : String(((i * 37) % 11) - 5);
  const special = ["'NaN'", "'Infinity'", "'-Infinity'", "'-0.0'", 'NULL'];
  const double = i % 10 < special.length ? special[i % 10]! : String(((i * 13) % 9) / 4);
  const cat = i % 6 === 0 ? 'NULL' : `'${'abcdefgh'[(i * 5) % 8]}'`;
  const text = i % 9 === 0 ? 'NULL' : `'${(i % 4) * 0.5}'`;
  const when = i % 8 === 0 ? 'NULL' : `TIMESTAMP '2024-01-01' + INTERVAL ${i} HOUR`;
  return [int, double, cat, text, when];
}

const TYPES = { int: 'BIGINT', dbl: 'DOUBLE', cat: 'VARCHAR', text: 'VARCHAR', when: 'TIMESTAMP' };

/** Counts of each value in JavaScript, keys as strings. */
function tally(values: (string | number | null)[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) if (v !== null) out.set(String(v), (out.get(String(v)) ?? 0) + 1);
  return out;
}

describe('Parquet distributions', () => {
  it('counts nulls, invalid numbers, values and categories as a count of the rows does', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    const path = await parquet('cells.parquet', TYPES, rows);
    const js = (i: number) => rows.map((r) => (r[i] === 'NULL' ? null : r[i]!.replaceAll("'", '')));
    const { full, cut } = await withDatabase(async (db) => {
      const source = await openDataSource(db, path);
      const kinds = declaredKinds(source, undefined);
      const columns = source.columns.map((name, i) => ({ name, info: kinds[i]! }));
      return {
        full: await readDistributions(db, source, columns),
        cut: await readDistributions(db, source, columns, { top: 3 }),
      };
    });
    expect(full.rows).toBe(300);
    for (const data of [full, cut]) {
      const int = data.columns.get('int')!;
      const ints = js(0).map((v) => (v === null ? null : Number(v)));
      expect(int.kind).toBe('numeric');
      if (int.kind !== 'numeric') return;
      expect(int.nulls).toBe(ints.filter((v) => v === null).length);
      expect(int.invalid).toBe(0);
      const intCounts = tally(ints);
      expect([...int.values].map(String)).toEqual(
        [...intCounts.keys()].sort((a, b) => Number(a) - Number(b)),
      );
      expect([...int.counts]).toEqual([...int.values].map((v) => intCounts.get(String(v))));

      const dbl = data.columns.get('dbl')!;
      const doubles = js(1).map((v) => (v === null ? null : Number(v)));
      if (dbl.kind !== 'numeric') throw new Error('dbl is not numeric');
      expect(dbl.nulls).toBe(doubles.filter((v) => v === null).length);
      // NaN and ±Infinity are not finite numbers: invalid, out of the values.
      expect(dbl.invalid).toBe(doubles.filter((v) => v !== null && !Number.isFinite(v)).length);
      const finite = doubles.filter((v): v is number => v !== null && Number.isFinite(v));
      // -0.0 and 0 are one value.
      const dblCounts = tally(finite.map((v) => (v === 0 ? 0 : v)));
      expect([...dbl.values].map((v) => String(v === 0 ? 0 : v))).toEqual(
        [...dblCounts.keys()].sort((a, b) => Number(a) - Number(b)),
      );
      expect([...dbl.counts]).toEqual(
        [...dbl.values].map((v) => dblCounts.get(String(v === 0 ? 0 : v))),
      );

      // A text column of numbers is decided numeric by its values; one of words stays categories.
      const text = data.columns.get('text')!;
      if (text.kind !== 'numeric') throw new Error('text is not numeric');
      expect(text.nulls).toBe(js(3).filter((v) => v === null).length);
      expect(text.count).toBe(js(3).filter((v) => v !== null).length);

      const when = data.columns.get('when')!;
      expect(when.kind).toBe('datetime');
      expect(when.nulls).toBe(js(4).filter((v) => v === null).length);
    }
    const cats = js(2);
    const catCounts = tally(cats);
    const fullCat = full.columns.get('cat')!;
    if (fullCat.kind !== 'categorical') throw new Error('cat is not categorical');
    expect(fullCat.nulls).toBe(cats.filter((v) => v === null).length);
    expect(fullCat.categories).toEqual(catCounts);
    // In value order, as a text file's categories are.
    expect([...fullCat.categories.keys()]).toEqual([...catCounts.keys()].sort());
    const cutCat = cut.columns.get('cat')!;
    if (cutCat.kind !== 'categorical') throw new Error('cat is not categorical');
    const top = [...catCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3);
    expect([...cutCat.categories]).toEqual(top);
    expect(cutCat.nulls).toBe(fullCat.nulls);
    expect(cutCat.distinct).toBe(catCounts.size);
    expect(cutCat.other).toEqual({
      distinct: catCounts.size - 3,
      count: cats.filter((v) => v !== null).length - top.reduce((s, [, n]) => s + n, 0),
    });
  });

  it('decides each text column of a reference by its own values when drift reads some of them', async () => {
    // The reference's first column is words; the current file lacks it, so drift reads only
    // `num`, whose numbers-as-text must be checked themselves (they had been checked by
    // position, against `word`, and read as categories).
    const types = { word: 'VARCHAR', num: 'VARCHAR' };
    const reference = await parquet(
      'reference.parquet',
      types,
      Array.from({ length: 200 }, (_, i) => [`'w${i % 5}'`, `'${i % 50}'`]),
    );
    const current = await parquet(
      'current.parquet',
      { num: 'VARCHAR' },
      Array.from({ length: 200 }, (_, i) => [`'${(i % 50) + 20}'`]),
    );
    const report = await computeDrift({ reference, current });
    expect(Object.keys(report.columns)).toEqual(['num']);
    expect(report.columns.num!.type).toBe('numeric');
    expect(report.columns.num!.method).toBe('ks');
  });

  it('leaves a typed time column of the reference out unread', async () => {
    const reference = await parquet(
      'timed.parquet',
      { when: 'TIMESTAMP', x: 'BIGINT' },
      Array.from({ length: 100 }, (_, i) => [
        `TIMESTAMP '2024-01-01' + INTERVAL ${i} HOUR`,
        String(i),
      ]),
    );
    const queries = recordQueries();
    const report = await computeDrift({ reference, current: reference });
    expect(scansOf(queries).filter((sql) => sql.includes('"when"'))).toEqual([]);
    expect(Object.keys(report.columns)).toEqual(['x']);
    expect(report.notes.join(' ')).toContain(
      'Left out as time columns (their ranges move by design): when.',
    );
    expect(report.reference.rows).toBe(100);
  });
});
