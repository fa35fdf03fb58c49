import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataContract, type DataContract } from '../../../src/core/config/dataContract.js';
import {
  contractToYaml,
  inferContract,
  MAX_CATEGORIES,
} from '../../../src/core/data/inferContract.js';
import { validateData } from '../../../src/core/data/validate.js';
import { csvField, csvText } from '../../support/csvText.js';
import { pick, randomInt, seededRandom } from '../../support/prng.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const PENGUINS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'fixtures',
  'data',
  'penguins.csv',
);

/** Writes the inferred contract as YAML, loads it back as a user would, and validates the data. */
async function roundTrip(data: string, contract: DataContract, name: string) {
  const yaml = contractToYaml(contract, data);
  const file = join(dir, name);
  writeFileSync(file, yaml);
  const loaded = loadDataContract(file);
  expect(loaded.contract).toEqual(contract);
  return { yaml, report: await validateData(data, loaded.contract, { schemaFile: file }) };
}

/** A column as the data has it: the raw fields, '' for empty. */
type Columns = Record<string, string[]>;

/** The contract a column should get, stated from the values the test generated. */
function expectedColumn(type: string, values: string[]) {
  const present = values.filter((v) => v !== '');
  const column: Record<string, unknown> = {
    type,
    nullable: present.length < values.length,
    unique: false,
    mostly: 1,
  };
  if (type === 'integer' || type === 'number') {
    const numbers = present.map(Number);
    column.min = Math.min(...numbers);
    column.max = Math.max(...numbers);
  } else if (type === 'string') {
    const distinct = [...new Set(present)].sort();
    if (distinct.length > 0 && distinct.length <= MAX_CATEGORIES) column.in = distinct;
  }
  return column;
}

describe('inferContract on palmerpenguins', () => {
  let contract: DataContract;
  const table = readFileSync(PENGUINS, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split(',').map((field) => field.replace(/^"(.*)"$/, '$1')));
  const header = table[0]!;
  const column = (name: string) => table.slice(1).map((row) => row[header.indexOf(name)]!);

  beforeAll(async () => {
    contract = await inferContract(PENGUINS);
  });

  it('infers every column as a statement from the data itself', () => {
    expect(table).toHaveLength(345);
    const types: Record<string, string> = {
      species: 'string',
      island: 'string',
      bill_length_mm: 'number',
      bill_depth_mm: 'number',
      flipper_length_mm: 'integer',
      body_mass_g: 'integer',
      sex: 'string',
      year: 'integer',
    };
    expect(Object.keys(contract.columns)).toEqual(header);
    for (const name of header)
      expect(contract.columns[name], name).toEqual(expectedColumn(types[name]!, column(name)));
    expect(contract.rows).toEqual({ min: 1 });
    expect(contract.extra_columns).toBe('error');
  });

  it('states the known facts of the dataset', () => {
    expect(contract.columns).toMatchObject({
      species: { type: 'string', nullable: false, in: ['Adelie', 'Chinstrap', 'Gentoo'] },
      island: { type: 'string', nullable: false, in: ['Biscoe', 'Dream', 'Torgersen'] },
      bill_length_mm: { type: 'number', nullable: true, min: 32.1, max: 59.6 },
      flipper_length_mm: { type: 'integer', nullable: true, min: 172, max: 231 },
      body_mass_g: { type: 'integer', nullable: true, min: 2700, max: 6300 },
      sex: { type: 'string', nullable: true, in: ['female', 'male'] },
      year: { type: 'integer', nullable: false, min: 2007, max: 2009 },
    });
    expect(contract.columns.bill_length_mm!.in).toBeUndefined();
  });

  it('round-trips: the YAML it writes, loaded back, passes on the same data', async () => {
    const { yaml, report } = await roundTrip(PENGUINS, contract, 'penguins.schema.yml');
    expect(yaml).toContain('species: { type: string, in: [ Adelie, Chinstrap, Gentoo ] }');
    expect(yaml).toContain(
      'bill_length_mm: { type: number, nullable: true, min: 32.1, max: 59.6 }',
    );
    expect(yaml).toMatch(/^# Data contract inferred by `modelship schema infer`/);
    expect(report).toMatchObject({ ok: true, rows: 344, violations: [] });
  });
});

describe('inferContract on a generated file', () => {
  const ROWS = 500;
  const random = seededRandom(7);
  const cat20 = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
  const cat21 = Array.from({ length: 21 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  const tricky = ['true', 'null', '1.0', 'a: b', '#hash', ' lead', "it's", 'say "x"', '[x]', '~'];
  const pad = (n: number) => String(n).padStart(2, '0');
  const columns: Columns = {
    id: [],
    neg: [],
    zero_one: [],
    ratio: [],
    precise: [],
    flag: [],
    yes_no: [],
    when: [],
    day: [],
    cat20: [],
    cat21: [],
    tricky: [],
    sparse: [],
    all_empty: [],
    mixed_num: [],
    mostly_int: [],
    'odd name: "q"': [],
  };
  for (let i = 1; i <= ROWS; i++) {
    const add = (name: string, value: string) => columns[name]!.push(value);
    add('id', String(i));
    add('neg', String(randomInt(random, -50, 50)));
    add('zero_one', String(randomInt(random, 0, 1)));
    add('ratio', (randomInt(random, -1000, 1000) / 1000).toFixed(3));
    add('precise', i === 7 ? '2.5e3' : i === 9 ? '1e-7' : String(random() * 10));
    add('flag', pick(random, ['true', 'false']));
    add('yes_no', pick(random, ['yes', 'no', 'Y', 'N']));
    add(
      'when',
      `20${randomInt(random, 10, 24)}-${pad(randomInt(random, 1, 12))}-${pad(randomInt(random, 1, 28))}${pick(random, [' ', 'T'])}${pad(randomInt(random, 0, 23))}:${pad(randomInt(random, 0, 59))}:${pad(randomInt(random, 0, 59))}`,
    );
    add('day', `2023-${pad(randomInt(random, 1, 12))}-${pad(randomInt(random, 1, 28))}`);
    // every category value occurs at least once
    add('cat20', i <= 20 ? cat20[i - 1]! : pick(random, cat20));
    add('cat21', i <= 21 ? cat21[i - 1]! : pick(random, cat21));
    add('tricky', i <= tricky.length ? tricky[i - 1]! : pick(random, tricky));
    add('sparse', random() < 0.1 ? '' : String(randomInt(random, 100, 200)));
    add('all_empty', '');
    add('mixed_num', i === 250 ? '1.5' : String(randomInt(random, 0, 9)));
    add('mostly_int', i === 499 ? 'abc' : String(i));
    add('odd name: "q"', pick(random, ['x', 'y']));
  }
  const expectedTypes: Record<string, string> = {
    id: 'integer',
    neg: 'integer',
    zero_one: 'integer',
    ratio: 'number',
    precise: 'number',
    flag: 'boolean',
    yes_no: 'string',
    when: 'timestamp',
    day: 'timestamp',
    cat20: 'string',
    cat21: 'string',
    tricky: 'string',
    sparse: 'integer',
    all_empty: 'string',
    mixed_num: 'number',
    mostly_int: 'string',
    'odd name: "q"': 'string',
  };
  const names = Object.keys(columns);
  const file = join(dir, 'generated.csv');
  let contract: DataContract;

  beforeAll(async () => {
    const rows = Array.from({ length: ROWS }, (_, r) =>
      names.map((n) => csvField(columns[n]![r]!)),
    );
    writeFileSync(
      file,
      csvText(
        names.map((n) => csvField(n)),
        rows,
      ),
    );
    contract = await inferContract(file);
  });

  it('infers each column from its values', () => {
    expect(Object.keys(contract.columns)).toEqual(names);
    for (const name of names)
      expect(contract.columns[name], name).toEqual(
        expectedColumn(expectedTypes[name]!, columns[name]!),
      );
  });

  it('gives an in set at 20 distinct values and none at 21', () => {
    expect(contract.columns.cat20!.in).toEqual(cat20);
    expect(contract.columns.cat21!.in).toBeUndefined();
    expect(contract.columns.tricky!.in).toEqual([...tricky].sort());
    expect(contract.columns.mostly_int!.in).toBeUndefined();
  });

  it('is nullable only where empty values exist; an all-empty column is a nullable string', () => {
    const nullable = names.filter((n) => contract.columns[n]!.nullable);
    expect(nullable).toEqual(['sparse', 'all_empty']);
    expect(contract.columns.all_empty).toEqual({
      type: 'string',
      nullable: true,
      unique: false,
      mostly: 1,
    });
  });

  it('keeps 0/1 columns integer, and reads a date as a timestamp at midnight', async () => {
    expect(contract.columns.zero_one).toMatchObject({ type: 'integer', min: 0, max: 1 });
    const days = columns.day!.slice().sort();
    expect(contract.columns.day!.min).toBeUndefined();
    const bounded = await inferContract(file, { timestampBounds: true });
    expect(bounded.columns.day).toMatchObject({
      type: 'timestamp',
      min: `${days[0]} 00:00:00`,
      max: `${days.at(-1)} 00:00:00`,
    });
    expect(contract.columns.precise).toMatchObject({ max: 2500, min: 1e-7 });
  });

  it('round-trips through YAML: tricky values and names survive and the data passes', async () => {
    const { yaml, report } = await roundTrip(file, contract, 'generated.schema.yml');
    const parsed = parse(yaml) as { columns: Record<string, { in?: unknown[] }> };
    expect(parsed.columns.tricky!.in).toEqual([...tricky].sort());
    expect(Object.keys(parsed.columns)).toEqual(names);
    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ ok: true, rows: ROWS });
  });
});

describe('inferContract on 64-bit integers', () => {
  it('rounds bounds beyond 2^53 outward, so the data it came from still passes', async () => {
    const ids = ['1234567890123456789', '1234567890123456700', '-9223372036854775807', '17'];
    const file = join(dir, 'snowflake.csv');
    writeFileSync(file, `id\n${ids.join('\n')}\n`);
    const contract = await inferContract(file);
    const { min, max } = contract.columns.id!;
    expect(contract.columns.id!.type).toBe('integer');
    expect(BigInt(min as number) <= BigInt('-9223372036854775807')).toBe(true);
    expect(BigInt(max as number) >= BigInt('1234567890123456789')).toBe(true);
    // outward by at most one step of the doubles there
    expect(BigInt(max as number) - BigInt('1234567890123456789')).toBeLessThanOrEqual(256n);
    const { report } = await roundTrip(file, contract, 'snowflake.schema.yml');
    expect(report.violations).toEqual([]);
  });
});
