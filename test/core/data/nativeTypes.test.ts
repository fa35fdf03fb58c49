// Native columns (Parquet) skip the `type` check only where DuckDB's type already guarantees it;
// where a value can still fail (a DOUBLE or a UBIGINT read as an integer, a VARCHAR or BOOLEAN
// read as a number) the check stays and counts. And the unique check's examples, read back for the
// first duplicated values, are the first duplicate rows in file order.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planContract } from '../../../src/core/data/contractPlan.js';
import type { DataSource } from '../../../src/core/data/dataSource.js';
import { Database } from '../../../src/core/data/duckdb.js';
import { validateData } from '../../../src/core/data/validate.js';
import { contractOf } from '../../support/dataContract.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

/** The columns whose `type` check is planned, for [DuckDB type, contract type] pairs. */
function typeChecked(pairs: [string, string][]): string[] {
  const names = pairs.map((_, i) => `c${i}`);
  const source: DataSource = {
    display: 'x.parquet',
    files: ['x.parquet'],
    format: 'parquet',
    columns: names,
    types: Object.fromEntries(pairs.map(([native], i) => [names[i], native])),
  };
  const contract = contractOf({
    columns: Object.fromEntries(pairs.map(([, type], i) => [names[i], { type }])),
  });
  return planContract(contract, source)
    .checks.filter((check) => check.check === 'type')
    .map((check) => pairs[names.indexOf(check.column.name)]!.join(' as '));
}

describe('the type check on native columns', () => {
  it('is left out where every value reads as the contract type', () => {
    expect(
      typeChecked([
        ['BIGINT', 'integer'],
        ['SMALLINT', 'integer'],
        ['UINTEGER', 'integer'],
        ['DOUBLE', 'number'],
        ['DECIMAL(10,2)', 'number'],
        ['BIGINT', 'number'],
        ['BOOLEAN', 'boolean'],
        ['DATE', 'timestamp'],
        ['TIMESTAMP', 'timestamp'],
        ['VARCHAR', 'string'],
        ['DOUBLE', 'string'],
      ]),
    ).toEqual([]);
  });

  it('stays where a value can fail to read', () => {
    const failing: [string, string][] = [
      ['HUGEINT', 'integer'],
      ['UBIGINT', 'integer'],
      ['DOUBLE', 'integer'],
      ['DATE', 'integer'],
      ['VARCHAR', 'number'],
      ['BOOLEAN', 'number'],
      ['BIGINT', 'boolean'],
      ['TIMESTAMP', 'boolean'],
      ['DOUBLE', 'timestamp'],
      ['BLOB', 'integer'],
    ];
    expect(typeChecked(failing)).toEqual(failing.map((pair) => pair.join(' as ')));
  });

  it('a text file checks every non-string column', () => {
    const source: DataSource = {
      display: 'x.csv',
      files: ['x.csv'],
      format: 'csv',
      columns: ['a', 'b'],
      types: { a: 'VARCHAR', b: 'VARCHAR' },
    };
    const contract = contractOf({ columns: { a: { type: 'integer' }, b: { type: 'string' } } });
    expect(planContract(contract, source).checks.map((c) => `${c.column.name}.${c.check}`)).toEqual(
      ['a.nullable', 'a.type', 'b.nullable'],
    );
  });
});

describe('validating Parquet with native types', () => {
  let parquet: string;

  beforeAll(async () => {
    parquet = join(dir, 'native.parquet');
    const db = await Database.open();
    try {
      // huge: 2^63 at row 3 (UBIGINT) does not fit an integer; id: duplicates of 'b' (rows 2, 5, 9), 'a'
      // (rows 4, 6), 'c' (rows 7, 8) and 'd' (rows 10 to 16), counted by hand: 14 rows.
      await db.run(`COPY (SELECT * FROM (VALUES
        (1, 1::UBIGINT, 'x'), (2, 2::UBIGINT, 'b'), (3, 9223372036854775808::UBIGINT, 'y'), (4, 4, 'a'),
        (5, 5, 'b'), (6, 6, 'a'), (7, 7, 'c'), (8, 8, 'c'), (9, 9, 'b'), (10, 10, 'd'),
        (11, 11, 'd'), (12, 12, 'd'), (13, 13, 'd'), (14, 14, 'd'), (15, 15, 'd'), (16, 16, 'd')
      ) t(n, huge, id)) TO '${parquet}' (FORMAT parquet)`);
    } finally {
      db.close();
    }
  });

  it('counts a UBIGINT too wide for an integer and every duplicate row, examples in file order', async () => {
    const report = await validateData(
      parquet,
      contractOf({
        columns: {
          n: { type: 'integer', min: 1 },
          huge: { type: 'integer' },
          id: { type: 'string', unique: true },
        },
      }),
    );
    expect(report.rows).toBe(16);
    const found = report.violations.map((v) => `${v.column}.${v.check}:${v.unexpected_count}`);
    expect(found).toEqual(['huge.type:1', 'id.unique:14']);
    const huge = report.violations.find((v) => v.check === 'type')!;
    expect(huge.examples).toEqual([{ row: 3, value: '9223372036854775808' }]);
    const unique = report.violations.find((v) => v.check === 'unique')!;
    expect(unique.examples).toEqual(
      [2, 4, 5, 6, 7].map((row) => ({
        row,
        value: row === 4 || row === 6 ? 'a' : row === 7 ? 'c' : 'b',
      })),
    );
  });
});
