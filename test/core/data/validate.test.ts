import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataContract } from '../../../src/core/config/dataContract.js';
import { Database } from '../../../src/core/data/duckdb.js';
import { validateData } from '../../../src/core/data/validate.js';
import {
  CHECK_NAMES,
  type ValidationReport,
  type Violation,
} from '../../../src/core/data/validationReport.js';
import { contractOf } from '../../support/dataContract.js';
import { csvText } from '../../support/csvText.js';
import { pick, randomInt, seededRandom } from '../../support/prng.js';
import { expectedChecks, percentOf, type ExpectedCheck } from '../../support/referenceChecks.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

/** The one violation of a column and check; fails the test when there is none or several. */
function violation(report: ValidationReport, column: string | null, check: string): Violation {
  const found = report.violations.filter((v) => v.column === column && v.check === check);
  expect(found, `${column}.${check}`).toHaveLength(1);
  return found[0]!;
}

function pairs(report: ValidationReport): string[] {
  return report.violations.map((v) => `${v.column}.${v.check}`).sort();
}

// ---------------------------------------------------------------------------------------------
// A 2,000-row file with planted faults of every check, and a ledger of what was planted where.
// ---------------------------------------------------------------------------------------------

const N = 2000;
const COLUMNS = ['id', 'age', 'score', 'active', 'created', 'sex', 'email', 'rating', 'note'];

interface Fixture {
  /** Decoded values by column, '' for an empty field (plain or quoted). */
  values: Record<string, string[]>;
  /** Encoded fields by row, as written to the file. */
  encoded: string[][];
  /** Planted values: column → value → 1-based rows, in file order. */
  ledger: Record<string, Record<string, number[]>>;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function buildFixture(): Fixture {
  const random = seededRandom(20240611);
  const values: Record<string, string[]> = {};
  for (const c of COLUMNS) values[c] = [];
  for (let i = 1; i <= N; i++) {
    values.id!.push(`ID-${pad(i, 5)}`);
    values.age!.push(String(randomInt(random, 18, 100)));
    values.score!.push((randomInt(random, 0, 1000) / 1000).toFixed(3));
    values.active!.push(pick(random, ['true', 'false', 'TRUE', 'False', 'yes', 'no', 'y', 'n']));
    const ts = `${randomInt(random, 2020, 2024)}-${pad(randomInt(random, 1, 12))}-${pad(randomInt(random, 1, 28))}`;
    values.created!.push(
      `${ts}${pick(random, [' ', 'T'])}${pad(randomInt(random, 0, 23))}:${pad(randomInt(random, 0, 59))}:${pad(randomInt(random, 0, 59))}`,
    );
    values.sex!.push(pick(random, ['male', 'female']));
    values.email!.push(`user${i}@example.com`);
    values.rating!.push(String(randomInt(random, 1, 5)));
    values.note!.push(pick(random, ['plain', 'with, comma', 'say "hi"', 'two\nlines', '']));
  }
  const encoded: string[][] = Array.from({ length: N }, () => []);
  const quotedEmpty = new Set<string>();
  const ledger: Fixture['ledger'] = {};
  const used = new Map<string, Set<number>>();
  const plant = (column: string, value: string, count: number, quoted = false) => {
    const taken = used.get(column) ?? new Set<number>();
    used.set(column, taken);
    const rows: number[] = [];
    while (rows.length < count) {
      const row = randomInt(random, 1, N);
      if (taken.has(row)) continue;
      taken.add(row);
      rows.push(row);
      values[column]![row - 1] = value;
      if (quoted) quotedEmpty.add(`${column}:${row}`);
    }
    const key = quoted ? '""' : value;
    ledger[column] = { ...ledger[column], [key]: rows.sort((a, b) => a - b) };
  };
  // id: two duplicated values (3 copies and 2 copies), pattern faults, one only anchoring catches.
  plant('id', 'ID-90001', 3);
  plant('id', 'ID-90002', 2);
  plant('id', 'id-00100', 1);
  plant('id', 'ID-123', 1);
  plant('id', 'xID-12345x', 1);
  plant('id', 'ID-1234', 1);
  // age (integer 18..100, not nullable)
  plant('age', 'twenty', 2);
  plant('age', '1.5', 2);
  plant('age', '17', 3);
  plant('age', '101', 2);
  plant('age', '18', 5);
  plant('age', '100', 5);
  plant('age', '', 3);
  plant('age', '', 2, true);
  // score (number 0..1, nullable, mostly 0.99: each check within tolerance)
  plant('score', '', 100);
  plant('score', 'n/a', 3);
  plant('score', '1.5', 4);
  plant('score', '-0.1', 2);
  plant('score', '0', 3);
  plant('score', '1', 3);
  // active (boolean, mostly 0.99): exactly 1% fails, the boundary of the tolerance
  plant('active', 'maybe', 20);
  // created (timestamp with bounds)
  plant('created', 'yesterday', 2);
  plant('created', '2019-12-31 23:59:59', 3);
  plant('created', '2025-01-01 00:00:00', 1);
  plant('created', '2020-01-01 00:00:00', 2);
  plant('created', '2024-12-31 23:59:59', 2);
  // sex (in)
  plant('sex', 'Male', 3);
  plant('sex', 'unknown', 2);
  // email (pattern "@", searched; nullable)
  plant('email', '', 50);
  plant('email', 'no-at-sign', 4);
  plant('email', '@', 1);
  // rating (integer in 1..5, mostly 0.995): 0.75% not in the set (error), 0.05% not integers
  plant('rating', '6', 15);
  plant('rating', 'five', 1);

  for (let r = 0; r < N; r++) {
    for (const c of COLUMNS) {
      const value = values[c]![r]!;
      if (quotedEmpty.has(`${c}:${r + 1}`)) encoded[r]!.push('""');
      else if (/[",\n]/.test(value)) encoded[r]!.push(`"${value.replaceAll('"', '""')}"`);
      else encoded[r]!.push(value);
    }
  }
  return { values, encoded, ledger };
}

const CONTRACT = {
  columns: {
    id: { type: 'string', unique: true, pattern: '^ID-[0-9]{5}$' },
    age: { type: 'integer', min: 18, max: 100 },
    score: { type: 'number', min: 0, max: 1, nullable: true, mostly: 0.99 },
    active: { type: 'boolean', mostly: 0.99 },
    created: { type: 'timestamp', min: '2020-01-01 00:00:00', max: '2024-12-31T23:59:59' },
    sex: { type: 'string', in: ['male', 'female'] },
    email: { type: 'string', pattern: '@', nullable: true },
    rating: { type: 'integer', in: [1, 2, 3, 4, 5], mostly: 0.995 },
    country: { type: 'string' },
  },
  rows: { min: 1000, max: 2000 },
  extra_columns: 'error',
};

describe('validateData on a 2,000-row CSV with planted faults', () => {
  const fixture = buildFixture();
  const file = join(dir, 'planted.csv');
  const contract: DataContract = contractOf(CONTRACT);
  let report: ValidationReport;
  let expected: ExpectedCheck[];

  beforeAll(async () => {
    writeFileSync(file, csvText(COLUMNS, fixture.encoded));
    report = await validateData(file, contract, { schemaFile: 'schema.yml' });
    expected = Object.entries(contract.columns)
      .filter(([name]) => COLUMNS.includes(name))
      .flatMap(([name, column]) => expectedChecks(name, column, fixture.values[name]!));
  });

  it('counts every data row and fails', () => {
    expect(report.rows).toBe(N);
    expect(report.ok).toBe(false);
    expect(report.columns).toEqual(COLUMNS);
  });

  it('reports exactly the failing checks the reference finds, plus the column checks', () => {
    expect(pairs(report)).toEqual(
      [
        ...expected.map((e) => `${e.column}.${e.check}`),
        'country.missing_column',
        'note.extra_column',
      ].sort(),
    );
  });

  it('the reference agrees with the ledger of planted faults', () => {
    const count = (column: string, check: string) =>
      expected.find((e) => e.column === column && e.check === check)?.rows.length;
    const planted = (column: string, ...values: string[]) =>
      values.reduce((n, v) => n + (fixture.ledger[column]![v]?.length ?? 0), 0);
    expect(count('id', 'unique')).toBe(5);
    expect(count('id', 'pattern')).toBe(
      planted('id', 'id-00100', 'ID-123', 'xID-12345x', 'ID-1234'),
    );
    expect(count('age', 'type')).toBe(planted('age', 'twenty', '1.5'));
    expect(count('age', 'nullable')).toBe(planted('age', '', '""'));
    expect(count('age', 'min')).toBe(planted('age', '17'));
    expect(count('age', 'max')).toBe(planted('age', '101'));
    expect(count('score', 'type')).toBe(3);
    expect(count('active', 'type')).toBe(20);
    expect(count('created', 'min')).toBe(3);
    expect(count('created', 'max')).toBe(1);
    expect(count('sex', 'in')).toBe(5);
    expect(count('email', 'pattern')).toBe(4);
    expect(count('rating', 'in')).toBe(15);
  });

  it('every value check agrees with the reference: counts, percent, element count, examples', () => {
    for (const e of expected) {
      const v = violation(report, e.column, e.check);
      const label = `${e.column}.${e.check}`;
      expect(v.unexpected_count, label).toBe(e.rows.length);
      expect(v.element_count, label).toBe(e.of);
      expect(v.unexpected_percent, label).toBeCloseTo(percentOf(e.rows.length, e.of), 3);
      expect(v.examples, label).toEqual(
        e.rows.slice(0, 5).map((row, i) => ({ row, value: e.values[i]! })),
      );
    }
  });

  it('percentages are of non-null values, and of all rows for nullable', () => {
    const nonNullScores = N - fixture.ledger.score!['']!.length;
    expect(violation(report, 'score', 'max').element_count).toBe(nonNullScores);
    expect(violation(report, 'score', 'max').unexpected_percent).toBeCloseTo((100 * 4) / 1900, 3);
    expect(violation(report, 'age', 'nullable').element_count).toBe(N);
    expect(violation(report, 'age', 'nullable').unexpected_percent).toBe(0.25);
    // age has 5 empty rows: its type check is of the 1,995 others.
    expect(violation(report, 'age', 'type').element_count).toBe(N - 5);
    expect(violation(report, 'email', 'pattern').element_count).toBe(N - 50);
  });

  it('an empty field and a quoted empty field are both null', () => {
    const v = violation(report, 'age', 'nullable');
    const rows = [...fixture.ledger.age!['']!, ...fixture.ledger.age!['""']!].sort((a, b) => a - b);
    expect(v.unexpected_count).toBe(5);
    expect(v.examples).toEqual(rows.map((row) => ({ row, value: null })));
  });

  it('an integer column reads "1.5" as a type violation, not a rounded 2, and not below min', () => {
    const type = violation(report, 'age', 'type');
    expect(type.unexpected_count).toBe(4);
    const typeRows = [...fixture.ledger.age!.twenty!, ...fixture.ledger.age!['1.5']!];
    expect(type.examples.map((e) => e.row).sort((a, b) => a - b)).toEqual(
      typeRows.sort((a, b) => a - b),
    );
    expect(new Set(type.examples.map((e) => e.value))).toEqual(new Set(['twenty', '1.5']));
    const min = violation(report, 'age', 'min');
    expect(min.unexpected_count).toBe(3);
    expect(min.examples).toEqual(fixture.ledger.age!['17']!.map((row) => ({ row, value: '17' })));
    // "n/a" in the number column is a type violation only.
    const scoreRows = new Set(fixture.ledger.score!['n/a']);
    for (const check of ['min', 'max'])
      for (const e of violation(report, 'score', check).examples)
        expect(scoreRows.has(e.row)).toBe(false);
  });

  it('min and max are inclusive', () => {
    expect(violation(report, 'age', 'max').examples).toEqual(
      fixture.ledger.age!['101']!.map((row) => ({ row, value: '101' })),
    );
    expect(violation(report, 'created', 'min').examples).toEqual(
      fixture.ledger.created!['2019-12-31 23:59:59']!.map((row) => ({
        row,
        value: '2019-12-31 23:59:59',
      })),
    );
    expect(violation(report, 'created', 'max').unexpected_count).toBe(1);
    expect(violation(report, 'created', 'type').examples.map((e) => e.value)).toEqual([
      'yesterday',
      'yesterday',
    ]);
  });

  it('pattern is searched, not anchored, unless the pattern anchors it', () => {
    const email = violation(report, 'email', 'pattern');
    expect(email.examples).toEqual(
      fixture.ledger.email!['no-at-sign']!.map((row) => ({ row, value: 'no-at-sign' })),
    );
    const id = violation(report, 'id', 'pattern');
    expect(id.examples.map((e) => e.value).sort()).toEqual(
      ['ID-123', 'ID-1234', 'id-00100', 'xID-12345x'].sort(),
    );
  });

  it('unique counts every row whose value repeats: 3 copies are 3 rows', () => {
    const v = violation(report, 'id', 'unique');
    expect(v.unexpected_count).toBe(5);
    const rows = [...fixture.ledger.id!['ID-90001']!, ...fixture.ledger.id!['ID-90002']!].sort(
      (a, b) => a - b,
    );
    expect(v.examples.map((e) => e.row)).toEqual(rows);
    expect(v.examples.filter((e) => e.value === 'ID-90001')).toHaveLength(3);
    expect(v.examples.filter((e) => e.value === 'ID-90002')).toHaveLength(2);
  });

  it('mostly: within tolerance is a warning, beyond it an error; nullable ignores mostly', () => {
    for (const check of ['type', 'min', 'max'])
      expect(violation(report, 'score', check).severity).toBe('warning');
    // exactly 1% of 2,000 fails and mostly is 0.99: the boundary passes, with a warning
    expect(violation(report, 'active', 'type').severity).toBe('warning');
    expect(violation(report, 'rating', 'type').severity).toBe('warning');
    expect(violation(report, 'rating', 'in').severity).toBe('error');
    for (const v of report.violations)
      if (!['score', 'active', 'rating'].includes(String(v.column)))
        expect(v.severity, `${v.column}.${v.check}`).toBe('error');
  });

  it('reports a missing column and an extra column over every row', () => {
    const missing = violation(report, 'country', 'missing_column');
    expect(missing).toMatchObject({ severity: 'error', unexpected_count: N, examples: [] });
    const extra = violation(report, 'note', 'extra_column');
    expect(extra).toMatchObject({ severity: 'error', unexpected_count: N, examples: [] });
    expect(extra.message).toContain('note');
  });

  it('has the JSON report shape of docs/reports.md', () => {
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['ok', 'rows', 'violations']));
    expect(typeof json.ok).toBe('boolean');
    expect(json.rows).toBe(N);
    const violations = json.violations as Record<string, unknown>[];
    expect(violations.length).toBeGreaterThan(10);
    for (const v of violations) {
      expect(Object.keys(v)).toEqual(
        expect.arrayContaining([
          'column',
          'check',
          'severity',
          'unexpected_count',
          'unexpected_percent',
          'examples',
        ]),
      );
      expect(CHECK_NAMES).toContain(v.check);
      expect(['error', 'warning']).toContain(v.severity);
      expect(Number.isInteger(v.unexpected_count)).toBe(true);
      expect(typeof v.unexpected_percent).toBe('number');
      expect(v.column === null || typeof v.column === 'string').toBe(true);
      for (const example of v.examples as Record<string, unknown>[]) {
        expect(Object.keys(example).sort()).toEqual(['row', 'value']);
        expect(Number.isInteger(example.row)).toBe(true);
        expect(example.value === null || typeof example.value === 'string').toBe(true);
      }
    }
  });

  it('extra_columns: error, warn and ignore', async () => {
    const declared = Object.fromEntries(
      COLUMNS.filter((c) => c !== 'note').map((c) => [c, { type: 'string', nullable: true }]),
    );
    const run = (extra: string) =>
      validateData(file, contractOf({ columns: declared, extra_columns: extra }));
    const error = await run('error');
    expect(error.ok).toBe(false);
    expect(error.violations.map((v) => [v.column, v.check, v.severity])).toEqual([
      ['note', 'extra_column', 'error'],
    ]);
    const warn = await run('warn');
    expect(warn.ok).toBe(true);
    expect(warn.violations.map((v) => [v.column, v.check, v.severity])).toEqual([
      ['note', 'extra_column', 'warning'],
    ]);
    const ignore = await run('ignore');
    expect(ignore).toMatchObject({ ok: true, violations: [] });
  });

  it('rows: min and max bounds are inclusive', async () => {
    const run = (rows: object) =>
      validateData(
        file,
        contractOf({ columns: { id: { type: 'string' } }, rows, extra_columns: 'ignore' }),
      );
    expect(await run({ min: N, max: N })).toMatchObject({ ok: true, violations: [] });
    const tooFew = await run({ min: N + 1 });
    expect(tooFew.ok).toBe(false);
    expect(violation(tooFew, null, 'rows')).toMatchObject({
      severity: 'error',
      unexpected_count: N,
    });
    expect(violation(tooFew, null, 'rows').message).toContain(`at least ${N + 1}`);
    const tooMany = await run({ max: N - 1 });
    expect(tooMany.ok).toBe(false);
    expect(violation(tooMany, null, 'rows').message).toContain(`at most ${N - 1}`);
  });

  it('warnings alone leave the report ok', async () => {
    const warnOnly = await validateData(
      file,
      contractOf({
        columns: { score: CONTRACT.columns.score, active: CONTRACT.columns.active },
        extra_columns: 'ignore',
      }),
    );
    expect(warnOnly.ok).toBe(true);
    expect(pairs(warnOnly)).toEqual(['active.type', 'score.max', 'score.min', 'score.type']);
    expect(warnOnly.violations.every((v) => v.severity === 'warning')).toBe(true);
    // one more failure than the tolerance allows turns the boundary case into an error
    const stricter = await validateData(
      file,
      contractOf({
        columns: { active: { type: 'boolean', mostly: 0.9905 } },
        extra_columns: 'ignore',
      }),
    );
    expect(stricter.ok).toBe(false);
    expect(violation(stricter, 'active', 'type').severity).toBe('error');
  });
});

describe('validateData on a wide file', () => {
  it('keeps every check apart when there are more checks than one 62-bit mask holds', async () => {
    const random = seededRandom(99);
    const width = 30;
    const rows = 300;
    const names = Array.from({ length: width }, (_, i) => `c${i}`);
    const values: Record<string, string[]> = {};
    for (const name of names)
      values[name] = Array.from({ length: rows }, () =>
        pick(random, ['1', '2', '3', '4', '5', '0', '9', '', 'x', '7']),
      );
    const contract = contractOf({
      columns: Object.fromEntries(
        names.map((name, i) => [
          name,
          { type: 'integer', min: 1, max: 8, in: [1, 2, 3, 4, 5, 7, i % 9] },
        ]),
      ),
    });
    const file = join(dir, 'wide.csv');
    writeFileSync(
      file,
      csvText(
        names,
        Array.from({ length: rows }, (_, r) => names.map((n) => values[n]![r]!)),
      ),
    );
    const report = await validateData(file, contract);
    const expected = names.flatMap((n) => expectedChecks(n, contract.columns[n]!, values[n]!));
    // 30 columns × 5 checks: three masks of flags
    expect(expected.length).toBe(150);
    expect(pairs(report)).toEqual(expected.map((e) => `${e.column}.${e.check}`).sort());
    for (const e of expected) {
      const v = violation(report, e.column, e.check);
      expect(v.unexpected_count, `${e.column}.${e.check}`).toBe(e.rows.length);
      expect(v.element_count, `${e.column}.${e.check}`).toBe(e.of);
      expect(v.examples.map((x) => x.row)).toEqual(e.rows.slice(0, 5));
    }
  });
});

describe('validateData examples follow file order', () => {
  it('in a 200,000-row file, faults late in the file carry their own row numbers', async () => {
    const rows = 200_000;
    const bad = [61_234, 99_999, 150_000, 170_001, 199_999, 200_000];
    const dupRows = [120_000, 180_000, 199_998];
    const lines = ['id,value'];
    for (let i = 1; i <= rows; i++) {
      const value = bad.includes(i) ? 'x' : String(i % 10);
      const id = dupRows.includes(i) ? 'dup' : String(i);
      lines.push(`${id},${value}`);
    }
    const file = join(dir, 'big.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const report = await validateData(
      file,
      contractOf({
        columns: { id: { type: 'string', unique: true }, value: { type: 'integer', max: 8 } },
      }),
    );
    expect(report.rows).toBe(rows);
    const type = violation(report, 'value', 'type');
    expect(type.unexpected_count).toBe(6);
    expect(type.examples).toEqual(bad.slice(0, 5).map((row) => ({ row, value: 'x' })));
    // value 9 at every row ending in 9, none of which is a planted fault
    const max = violation(report, 'value', 'max');
    const nines = Array.from({ length: rows }, (_, i) => i + 1).filter(
      (i) => i % 10 === 9 && !bad.includes(i),
    );
    expect(max.unexpected_count).toBe(nines.length);
    expect(max.examples).toEqual(nines.slice(0, 5).map((row) => ({ row, value: '9' })));
    expect(violation(report, 'id', 'unique').examples).toEqual(
      dupRows.map((row) => ({ row, value: 'dup' })),
    );
  });
});

describe('validateData on a glob of CSV files', () => {
  it('counts over every file; examples carry the file and the row within it', async () => {
    const globDir = join(dir, 'parts');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(globDir);
    const parts = [
      ['1', '2', '3'],
      ['4', '-1', '6', '7'],
      ['-2', '9', '', '-3'],
    ];
    parts.forEach((values, i) =>
      writeFileSync(
        join(globDir, `part-${i + 1}.csv`),
        `n,id\n${values.map((v, j) => `${v},p${i}-${j}`).join('\n')}\n`,
      ),
    );
    writeFileSync(join(globDir, 'part-4.csv'), 'n,id\n5,p1-0\n');
    // a file with a header and no rows shifts no row numbers
    writeFileSync(join(globDir, 'part-0.csv'), 'n,id\n');
    const report = await validateData(
      join(globDir, 'part-*.csv'),
      contractOf({
        columns: { n: { type: 'integer', min: 0 }, id: { type: 'string', unique: true } },
      }),
    );
    expect(report.rows).toBe(12);
    expect(report.files).toEqual([0, 1, 2, 3, 4].map((i) => join(globDir, `part-${i}.csv`)));
    const part = (i: number) => join(globDir, `part-${i}.csv`);
    expect(violation(report, 'n', 'min')).toMatchObject({
      unexpected_count: 3,
      element_count: 11,
      examples: [
        { row: 2, value: '-1', file: part(2) },
        { row: 1, value: '-2', file: part(3) },
        { row: 4, value: '-3', file: part(3) },
      ],
    });
    expect(violation(report, 'n', 'nullable')).toMatchObject({
      unexpected_count: 1,
      examples: [{ row: 3, value: null, file: part(3) }],
    });
    expect(violation(report, 'id', 'unique')).toMatchObject({
      unexpected_count: 2,
      examples: [
        { row: 1, value: 'p1-0', file: part(2) },
        { row: 1, value: 'p1-0', file: part(4) },
      ],
    });
  });
});

describe('validateData on Parquet and JSON Lines', () => {
  const select = `SELECT * FROM (VALUES
      (1, 2.0::DOUBLE, TIMESTAMP '2021-03-01 10:00:00', 'a', true),
      (2, 2.5::DOUBLE, TIMESTAMP '2019-06-30 23:59:59', 'b', false),
      (3, NULL, TIMESTAMP '2020-01-01 00:00:00', 'c', true),
      (4, 7.0::DOUBLE, TIMESTAMP '2019-12-31 23:59:59', 'zz', NULL),
      (5, -1.0::DOUBLE, TIMESTAMP '2022-01-01 00:00:00', 'a', false)
    ) t(id, qty, seen, label, flag)`;
  const contract = contractOf({
    columns: {
      id: { type: 'integer', unique: true },
      qty: { type: 'integer', min: 0, max: 5 },
      seen: { type: 'timestamp', min: '2020-01-01T00:00:00' },
      label: { type: 'string', in: ['a', 'b', 'c'] },
      flag: { type: 'boolean' },
    },
  });
  let parquet: string;
  let jsonl: string;

  beforeAll(async () => {
    parquet = join(dir, 'native.parquet');
    jsonl = join(dir, 'native.jsonl');
    const db = await Database.open();
    try {
      await db.run(`COPY (${select}) TO '${parquet}' (FORMAT parquet)`);
      await db.run(`COPY (${select}) TO '${jsonl}' (FORMAT json)`);
    } finally {
      db.close();
    }
  });

  for (const format of ['parquet', 'jsonl'] as const) {
    it(`${format}: an integer stored as DOUBLE passes at 2.0 and fails the type at 2.5`, async () => {
      const report = await validateData(format === 'parquet' ? parquet : jsonl, contract);
      expect(report.rows).toBe(5);
      expect(report.ok).toBe(false);
      expect(pairs(report)).toEqual([
        'flag.nullable',
        'label.in',
        'qty.max',
        'qty.min',
        'qty.nullable',
        'qty.type',
        'seen.min',
      ]);
      expect(violation(report, 'qty', 'type')).toMatchObject({
        unexpected_count: 1,
        element_count: 4,
        unexpected_percent: 25,
        examples: [{ row: 2, value: '2.5' }],
      });
      expect(violation(report, 'qty', 'nullable')).toMatchObject({
        unexpected_count: 1,
        element_count: 5,
        unexpected_percent: 20,
        examples: [{ row: 3, value: null }],
      });
      expect(violation(report, 'qty', 'max').examples.map((e) => e.row)).toEqual([4]);
      expect(violation(report, 'qty', 'min').examples.map((e) => e.row)).toEqual([5]);
      const seen = violation(report, 'seen', 'min');
      expect(seen.unexpected_count).toBe(2);
      expect(seen.examples.map((e) => e.row)).toEqual([2, 4]);
      expect(seen.examples[1]!.value).toMatch(/^2019-12-31[ T]23:59:59/);
      expect(violation(report, 'label', 'in').examples).toEqual([{ row: 4, value: 'zz' }]);
      expect(violation(report, 'flag', 'nullable').examples).toEqual([{ row: 4, value: null }]);
    });
  }
});
