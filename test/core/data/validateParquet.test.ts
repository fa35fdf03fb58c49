// Parquet is validated without a flag table (one aggregate, then examples read back by row
// number): its reports must equal the flag table's reports on a CSV of the same rows, to the
// counts, the first examples in file order and their rows, for one file and for a glob. The
// Parquet files have small row groups, so the reads run in parallel over many of them and a LIMIT
// that kept rows out of file order would show.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataContract } from '../../../src/core/config/dataContract.js';
import { validateData } from '../../../src/core/data/validate.js';
import type { ValidationReport } from '../../../src/core/data/validationReport.js';
import { contractOf } from '../../support/dataContract.js';
import { useTempDir } from '../../support/tempDir.js';
import { csvToParquet, EVERY_CHECK } from '../../support/validationData.js';

const dir = useTempDir();
const ROWS = 9000;

// Unique checks of every type: the examples of duplicates are read back by their typed values.
const COLUMNS = {
  ...EVERY_CHECK,
  score: { ...EVERY_CHECK.score, unique: true },
  created: { ...EVERY_CHECK.created, unique: true },
  active: { ...EVERY_CHECK.active, unique: true },
  late: { type: 'integer', max: 10, unique: true },
} as const;
const FAILING: DataContract = contractOf({ columns: COLUMNS, rows: { min: 1 } });
/** Checks the rows pass: a bound no value breaks, no pattern, no `in`, nullable columns. */
const PASSING: DataContract = contractOf({
  columns: {
    id: { type: 'string', nullable: true },
    late: { type: 'integer', max: 1000 },
    score: { type: 'number', nullable: true, min: -1e12 },
    created: { type: 'timestamp', min: '1990-01-01' },
  },
  extra_columns: 'ignore',
});
const NATIVE: Record<string, string> = {
  age: 'BIGINT',
  score: 'DOUBLE',
  created: 'TIMESTAMP',
  active: 'BOOLEAN',
  late: 'BIGINT',
};

/**
 * Rows `from`..`to` (1-based, global) as CSV text in the form DuckDB prints each native value, so
 * a native Parquet copy's examples read the same; `typeFaults` adds values no type reads.
 */
function csvOf(from: number, to: number, typeFaults: boolean): string {
  const lines = [Object.keys(COLUMNS).join(',')];
  for (let i = from; i <= to; i++) {
    const fault = (every: number, offset: number) => i % every === offset;
    lines.push(
      [
        fault(97, 3) ? `x${i}` : fault(89, 5) ? `u${i - 1}` : `u${i}`,
        typeFaults && fault(211, 7)
          ? 'old'
          : fault(53, 1)
            ? ''
            : fault(61, 2)
              ? '-5'
              : `${18 + (i % 80)}`,
        fault(7, 0) ? '' : fault(173, 9) ? '2.0' : `0.${(i % 9) + 1}`,
        fault(131, 4) ? 'gold' : i % 2 ? 'pro' : 'free',
        i > ROWS - 40 && i % 3 === 0 ? 'dup' : `c${i}`,
        fault(157, 8)
          ? '2001-01-01 00:00:00'
          : `2020-02-${String((i % 27) + 1).padStart(2, '0')} 10:00:00`,
        typeFaults && fault(199, 11) ? 'maybe' : fault(223, 6) ? '' : i % 3 ? 'true' : 'false',
        i > ROWS - 2 ? '11' : String(i % 10),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The report with every path's `.csv` read as `.parquet`, to compare with the Parquet one's. */
function asParquet(report: ValidationReport): unknown {
  return JSON.parse(JSON.stringify(report).replaceAll('.csv', '.parquet'));
}

const sets = [
  { name: 'native columns', native: true, typeFaults: false },
  { name: 'text columns, with values no type reads', native: false, typeFaults: true },
];

describe.each(sets)('Parquet ($name) and CSV of the same rows', ({ native, typeFaults }) => {
  const tag = native ? 'native' : 'text';
  const single = { csv: join(dir, `${tag}.csv`), parquet: join(dir, `${tag}.parquet`) };
  const glob = {
    csv: join(dir, `${tag}-part-*.csv`),
    parquet: join(dir, `${tag}-part-*.parquet`),
  };

  // Row groups of 2,048 rows: the reads run in parallel over several of them.
  const options = { types: native ? NATIVE : {}, rowGroup: 2048 };

  beforeAll(async () => {
    writeFileSync(single.csv, csvOf(1, ROWS, typeFaults));
    await csvToParquet(single.csv, single.parquet, options);
    const parts: [number, number][] = [
      [1, 4000],
      [4001, ROWS],
    ];
    for (const [i, [from, to]] of parts.entries()) {
      const csv = join(dir, `${tag}-part-${i + 1}.csv`);
      writeFileSync(csv, csvOf(from, to, typeFaults));
      await csvToParquet(csv, csv.replace('.csv', '.parquet'), options);
    }
  });

  for (const [shape, paths] of [
    ['one file', single],
    ['a glob of two files', glob],
  ] as const) {
    it(`${shape}: failing checks give the same report`, async () => {
      const csv = await validateData(paths.csv, FAILING);
      const parquet = await validateData(paths.parquet, FAILING);
      expect(parquet).toEqual(asParquet(csv));
      // The report is one of failures (the comparison is not of two empty lists).
      const failed = parquet.violations.map((v) => `${v.column}.${v.check}`);
      expect(failed).toEqual(
        expect.arrayContaining([
          'id.pattern',
          'id.unique',
          'age.nullable',
          'age.min',
          'score.max',
          'plan.in',
          'code.unique',
          'created.min',
          'active.nullable',
          'late.max',
          'score.unique',
          'created.unique',
          'active.unique',
          'late.unique',
        ]),
      );
      if (typeFaults) expect(failed).toEqual(expect.arrayContaining(['age.type', 'active.type']));
      // Checks that fail only at the end of the data still find their rows there.
      const late = parquet.violations.find((v) => v.column === 'late' && v.check === 'max')!;
      expect(late.unexpected_count).toBe(2);
      expect(late.examples.map((e) => e.row)).toEqual(
        paths === single ? [ROWS - 1, ROWS] : [ROWS - 4001, ROWS - 4000],
      );
    });

    it(`${shape}: passing checks give the same report`, async () => {
      const csv = await validateData(paths.csv, PASSING);
      const parquet = await validateData(paths.parquet, PASSING);
      expect(parquet).toEqual(asParquet(csv));
      expect(parquet.ok).toBe(true);
      expect(parquet.rows).toBe(ROWS);
    });
  }
});
