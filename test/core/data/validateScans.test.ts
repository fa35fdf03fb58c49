// The scan guard: a validation reads its data files once for every count, whatever the contract
// asks (types, bounds, `in`, patterns, unique, nulls) and however many checks fail. For text files
// every later query reads the flag table that one scan wrote. Parquet numbers its rows, so it keeps
// no table: after the one aggregate, it reads again only what that scan could not give, each read
// over a few columns (Parquet reads no other): a statement of examples per 25 failing checks,
// each read over one check's column (none when nothing fails), and per unique column one over
// that column alone, then one
// more for its examples if it has duplicates. A count,
// not a timing: it cannot flake on a busy machine, and a second scan of a 1.5 GB file is what it
// exists to catch.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DataContract } from '../../../src/core/config/dataContract.js';
import { validateData } from '../../../src/core/data/validate.js';
import { EXAMPLE_BATCH } from '../../../src/core/data/validationScan.js';
import { contractOf } from '../../support/dataContract.js';
import { recordQueries, scansOf } from '../../support/queryRecorder.js';
import { useTempDir } from '../../support/tempDir.js';
import { csvToParquet, EVERY_CHECK } from '../../support/validationData.js';

const dir = useTempDir();

afterEach(() => {
  vi.restoreAllMocks();
});

const CONTRACT: DataContract = contractOf({
  columns: EVERY_CHECK,
  rows: { min: 1 },
});

function rowsOf(n: number, fault: (i: number) => boolean): string {
  const lines = ['id,age,score,plan,code,created,active'];
  for (let i = 0; i < n; i++) {
    const bad = fault(i);
    lines.push(
      [
        bad ? `x${i % 7}` : `u${i}`,
        bad ? 'old' : String(18 + (i % 80)),
        bad ? '2' : i % 5 === 0 ? '' : '0.5',
        bad ? 'gold' : i % 2 ? 'pro' : 'free',
        bad ? 'same' : `c${i}`,
        bad ? '2001-01-01' : '2020-02-03',
        bad ? 'maybe' : 'true',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('a validation scans its data once', () => {
  it('with every kind of check failing (examples, duplicates, nulls)', async () => {
    const file = join(dir, 'faulty.csv');
    writeFileSync(
      file,
      rowsOf(500, (i) => i % 9 === 0),
    );
    const queries = recordQueries();
    const report = await validateData(file, CONTRACT);
    // The faults were seen: the guard is about a validation that did its work.
    const checks = new Set(report.violations.map((v) => `${v.column}.${v.check}`));
    for (const expected of ['id.pattern', 'id.unique', 'age.type', 'score.max', 'plan.in'])
      expect(checks).toContain(expected);
    expect(checks).toContain('code.unique');
    expect(checks).toContain('created.min');
    expect(checks).toContain('active.type');
    expect(scansOf(queries)).toHaveLength(1);
    expect(queries.length).toBeGreaterThan(3);
  });

  it('with nothing failing', async () => {
    const file = join(dir, 'clean.csv');
    writeFileSync(
      file,
      rowsOf(300, () => false),
    );
    const queries = recordQueries();
    const report = await validateData(file, CONTRACT);
    expect(report.ok).toBe(true);
    expect(scansOf(queries)).toHaveLength(1);
  });

  it('for a glob of files: one scan of all of them', async () => {
    writeFileSync(
      join(dir, 'part-1.csv'),
      rowsOf(100, (i) => i === 3),
    );
    writeFileSync(
      join(dir, 'part-2.csv'),
      rowsOf(100, (i) => i === 5),
    );
    const queries = recordQueries();
    const report = await validateData(join(dir, 'part-*.csv'), CONTRACT);
    expect(report.files).toHaveLength(2);
    expect(report.ok).toBe(false);
    expect(scansOf(queries)).toHaveLength(1);
  });
});

/** The data columns a statement names (each as a quoted identifier). */
function columnsOf(sql: string): string[] {
  const names = Object.keys(CONTRACT.columns);
  return names.filter((name) => sql.includes(`"${name}"`));
}

async function toParquet(csv: string): Promise<string> {
  const parquet = csv.replace(/\.csv$/, '.parquet');
  await csvToParquet(csv, parquet);
  return parquet;
}

describe('a Parquet validation scans all its columns once', () => {
  it('with every kind of check failing: examples and duplicates read only their columns', async () => {
    const csv = join(dir, 'faulty-p.csv');
    // `score` and `active` fail nothing here: no later read may touch them.
    writeFileSync(
      csv,
      rowsOf(500, (i) => i % 9 === 0)
        .replaceAll(',2,', ',0.5,')
        .replaceAll(',maybe', ',true'),
    );
    const parquet = await toParquet(csv);
    const queries = recordQueries();
    const report = await validateData(parquet, CONTRACT);
    const failing = new Set(report.violations.map((v) => v.column));
    expect([...failing].sort()).toEqual(['age', 'code', 'created', 'id', 'plan']);
    const [counts, ...reads] = scansOf(queries);
    expect(columnsOf(counts!)).toEqual(Object.keys(CONTRACT.columns));
    // One statement of examples, each of its reads over one failing check's column.
    const examples = reads.filter((sql) => sql.startsWith('(SELECT'));
    expect(examples).toHaveLength(1);
    for (const part of examples[0]!.split('UNION ALL')) {
      expect(columnsOf(part)).toHaveLength(1);
      expect(failing).toContain(columnsOf(part)[0]);
    }
    // Per unique column, its duplicates counted and then their examples read, over it alone.
    const uniques = reads.filter((sql) => !sql.startsWith('(SELECT'));
    expect(uniques.map(columnsOf)).toEqual([['id'], ['id'], ['code'], ['code']]);
  });

  it('with nothing failing: the aggregate and the unique columns', async () => {
    const csv = join(dir, 'clean-p.csv');
    writeFileSync(
      csv,
      rowsOf(300, () => false),
    );
    const parquet = await toParquet(csv);
    const queries = recordQueries();
    const report = await validateData(parquet, CONTRACT);
    expect(report.ok).toBe(true);
    const [counts, ...reads] = scansOf(queries);
    expect(columnsOf(counts!)).toEqual(Object.keys(CONTRACT.columns));
    expect(reads.map(columnsOf)).toEqual([['id'], ['code']]);
  });
});

describe('a Parquet validation of many failing checks', () => {
  it('reads their examples in statements of at most EXAMPLE_BATCH reads', async () => {
    const names = Array.from({ length: 60 }, (_, i) => `c${i}`);
    const lines = [names.join(',')];
    for (let row = 0; row < 50; row++)
      lines.push(names.map((_, i) => (row === i % 50 ? -1 : row)).join(','));
    const csv = join(dir, 'many.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const parquet = await toParquet(csv);
    const contract = contractOf({
      columns: Object.fromEntries(names.map((name) => [name, { type: 'integer', min: 0 }])),
    });
    const queries = recordQueries();
    const report = await validateData(parquet, contract);
    expect(report.violations.filter((v) => v.check === 'min')).toHaveLength(60);
    const examples = scansOf(queries).filter((sql) => sql.startsWith('(SELECT'));
    expect(examples.map((sql) => sql.split('UNION ALL').length)).toEqual([
      EXAMPLE_BATCH,
      EXAMPLE_BATCH,
      60 - 2 * EXAMPLE_BATCH,
    ]);
    // Every check's example is its own row, whichever statement read it.
    expect(report.violations.map((v) => v.examples)).toEqual(
      names.map((_, i) => [{ row: (i % 50) + 1, value: '-1' }]),
    );
  });
});
