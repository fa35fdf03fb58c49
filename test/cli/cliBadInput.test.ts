import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataContract } from '../../src/core/config/dataContract.js';
import { validateData } from '../../src/core/data/validate.js';
import { buildCliIfStale, runCli, type CliResult } from '../support/cli.js';
import { seededRandom } from '../support/prng.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const abs = (name: string) => join(dir, name);

function write(name: string, content: string | Buffer): void {
  writeFileSync(abs(name), content);
}

/** Asserts the contract for bad input: exit 2, one line on stderr, no stack trace, no stdout. */
function expectBadInput(result: CliResult, message: string | RegExp): void {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr.endsWith('\n')).toBe(true);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]!.startsWith('modelship: ')).toBe(true);
  if (typeof message === 'string') expect(lines[0]).toBe(`modelship: ${message}`);
  else expect(lines[0]).toMatch(message);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(2);
}

const SCHEMA = 'columns:\n  a: { type: integer, min: 0 }\n  b: { type: string }\n';

beforeAll(() => {
  buildCliIfStale();
  write('schema.yml', SCHEMA);
  write('good.csv', 'a,b\n1,x\n2,y\n');
  write('bad.csv', 'a,b\n1,x\n-2,y\n-3,\n');
  write('empty.csv', '');
  write('header.csv', 'a,b\n');
  write('few.csv', 'a,b\n1,x\n2,y\n3,z\n4\n5,v\n');
  write('many.csv', 'a,b\n1,x\n2,y,extra\n');
  write(
    'latin1.csv',
    Buffer.concat([Buffer.from('a,b\n1,x\n2,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
  );
  write(
    'latin1-header.csv',
    Buffer.concat([Buffer.from('a,caf'), Buffer.from([0xe9, 0x0a]), Buffer.from('1,2\n')]),
  );
  const random = seededRandom(3);
  write(
    'binary.csv',
    Buffer.from(
      Array.from({ length: 512 }, (_, i) => (i % 7 === 0 ? 0 : Math.floor(random() * 256))),
    ),
  );
  write('book.xlsx', 'a,b\n1,x\n');
  write('unterminated.csv', 'a,b\n1,x\n2,"never closed\n3,z\n');
  write('fake.parquet', 'a,b\n1,x\n');
  write('broken.jsonl', '{"a": 1, "b": "x"}\n{"a": 2,\n');
  write('syntax.yml', 'columns:\n  a: { type: integer }\n  b: type: integer\n');
  write('duplicate-key.yml', 'columns:\n  a: { type: integer }\n  a: { type: string }\n');
  write('type.yml', 'columns:\n  a: { type: int }\n  b: { type: string }\n');
  write('check.yml', 'columns:\n  a: { type: integer, maximum: 3 }\n  b: { type: string }\n');
  write('minmax.yml', 'columns:\n  a: { type: integer, min: 5, max: 3 }\n  b: { type: string }\n');
  write('regex.yml', 'columns:\n  a: { type: integer }\n  b: { type: string, pattern: "([" }\n');
  write('re2.yml', 'columns:\n  a: { type: integer }\n  b: { type: string, pattern: "(?=x)" }\n');
  mkdirSync(abs('blocked'));
  write('blocked/not-a-dir', '');
});

describe('modelship validate: bad input exits 2 with one line naming the file', () => {
  const cases: { name: string; args: string[]; message: string | RegExp }[] = [
    {
      name: 'a missing data file',
      args: ['validate', 'nope.csv', '-s', 'schema.yml'],
      message:
        "nope.csv: file not found; check the path (relative paths resolve against the config file's directory or the working directory).",
    },
    {
      name: 'an empty file',
      args: ['validate', 'empty.csv', '-s', 'schema.yml'],
      message: `${abs('empty.csv')}: the file is empty; expected a header row and data rows.`,
    },
    {
      name: 'a header and no rows',
      args: ['validate', 'header.csv', '-s', 'schema.yml'],
      message:
        'header.csv: has a header but no data rows; add data or check the export that wrote it.',
    },
    {
      name: 'a row with too few fields, by line',
      args: ['validate', 'few.csv', '-s', 'schema.yml'],
      message: `${abs('few.csv')}:5: this row has 1 field where the header has 2; fix the row, or quote values that contain the delimiter.`,
    },
    {
      name: 'a row with too many fields, by line',
      args: ['validate', 'many.csv', '-s', 'schema.yml'],
      message: `${abs('many.csv')}:3: this row has 3 fields where the header has 2; fix the row, or quote values that contain the delimiter.`,
    },
    {
      name: 'latin-1 bytes in a row',
      args: ['validate', 'latin1.csv', '-s', 'schema.yml'],
      message: `${abs('latin1.csv')}:3: not valid UTF-8; re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).`,
    },
    {
      name: 'latin-1 bytes in the header',
      args: ['validate', 'latin1-header.csv', '-s', 'schema.yml'],
      message: `${abs('latin1-header.csv')}:1: the header row is not valid UTF-8; re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).`,
    },
    {
      name: 'a binary file named .csv',
      args: ['validate', 'binary.csv', '-s', 'schema.yml'],
      message: `${abs('binary.csv')}: looks like a binary file, not delimited text; check that the path names the data file.`,
    },
    {
      name: 'an unknown extension',
      args: ['validate', 'book.xlsx', '-s', 'schema.yml'],
      message:
        'book.xlsx: unknown data file extension; expected .csv, .tsv (optionally .gz), .parquet, .jsonl or .ndjson.',
    },
    {
      name: 'an unterminated quote',
      args: ['validate', 'unterminated.csv', '-s', 'schema.yml'],
      message: `${abs('unterminated.csv')}:3: a quoted value is never closed; close the quote or escape it as "".`,
    },
    {
      name: 'a text file named .parquet',
      args: ['validate', 'fake.parquet', '-s', 'schema.yml'],
      message: /^modelship: fake\.parquet: not a valid Parquet file \(.+\)\.$/,
    },
    {
      name: 'malformed JSON Lines',
      args: ['validate', 'broken.jsonl', '-s', 'schema.yml'],
      message: new RegExp(
        `^modelship: ${abs('broken.jsonl')}: not valid JSON Lines \\(.+\\); write one JSON object per line\\.$`,
      ),
    },
    {
      name: 'a glob that matches nothing',
      args: ['validate', 'nothing/*.csv', '-s', 'schema.yml'],
      message:
        'nothing/*.csv: the glob matches no file; check the pattern and the working directory.',
    },
    {
      name: 'a missing contract file',
      args: ['validate', 'good.csv', '-s', 'missing.yml'],
      message: 'missing.yml: data contract not found; check the path.',
    },
    {
      name: 'invalid YAML, with file:line:col',
      args: ['validate', 'good.csv', '-s', 'syntax.yml'],
      message: 'syntax.yml:3:6 invalid YAML: Nested mappings are not allowed in compact mappings.',
    },
    {
      name: 'a YAML mapping with a repeated key',
      args: ['validate', 'good.csv', '-s', 'duplicate-key.yml'],
      message: 'duplicate-key.yml:3:3 invalid YAML: Map keys must be unique.',
    },
    {
      name: 'an unknown type',
      args: ['validate', 'good.csv', '-s', 'type.yml'],
      message:
        'type.yml:2:14 columns.a.type: expected one of "integer", "number", "string", "boolean", "timestamp", got "int"',
    },
    {
      name: 'an unknown check',
      args: ['validate', 'good.csv', '-s', 'check.yml'],
      message: 'check.yml:2:23 columns.a.maximum: unknown key "maximum"',
    },
    {
      name: 'min greater than max',
      args: ['validate', 'good.csv', '-s', 'minmax.yml'],
      message: 'minmax.yml:2:28 columns.a.min: min (5) is greater than max (3), got 5',
    },
    {
      name: 'an invalid regular expression',
      args: ['validate', 'good.csv', '-s', 'regex.yml'],
      message: 'regex.yml:3:31 columns.b.pattern: is not a valid regular expression, got "(["',
    },
    {
      name: 'a regular expression RE2 cannot run',
      args: ['validate', 'good.csv', '-s', 're2.yml'],
      message:
        /^modelship: re2\.yml: columns\.b\.pattern "\(\?=x\)" is not a valid RE2 regular expression \(.+\); RE2 has no look-around or back-references\.$/,
    },
    {
      name: 'a missing --schema option',
      args: ['validate', 'good.csv'],
      message:
        "required option '-s, --schema <file>' not specified (run modelship --help for usage)",
    },
    {
      name: 'a mistyped option',
      args: ['validate', 'good.csv', '-s', 'schema.yml', '--jsn', 'out.json'],
      message: "unknown option '--jsn' (Did you mean --json?) (run modelship --help for usage)",
    },
    {
      name: 'a report path that cannot be written',
      args: ['validate', 'good.csv', '-s', 'schema.yml', '--json', 'blocked/not-a-dir/r.json'],
      message:
        /^modelship: blocked\/not-a-dir\/r\.json: cannot write the report \(.+\); check the directory and its permissions\.$/,
    },
    {
      name: 'schema infer on a missing file',
      args: ['schema', 'infer', 'nope.csv'],
      message:
        "nope.csv: file not found; check the path (relative paths resolve against the config file's directory or the working directory).",
    },
    {
      name: 'schema infer on a header without rows',
      args: ['schema', 'infer', 'header.csv'],
      message:
        'header.csv: has a header but no data rows; infer the contract from a file with data.',
    },
    {
      name: 'schema infer on a ragged file',
      args: ['schema', 'infer', 'few.csv'],
      message: `${abs('few.csv')}:5: this row has 1 field where the header has 2; fix the row, or quote values that contain the delimiter.`,
    },
  ];
  for (const { name, args, message } of cases) {
    it(name, () => expectBadInput(runCli(args, dir), message));
  }
});

describe('modelship validate and schema infer: good paths', () => {
  it('exits 0 on passing data and says PASS', () => {
    const result = runCli(['validate', 'good.csv', '--schema', 'schema.yml'], dir);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('PASS good.csv: 2 rows, 2 columns, 0 failed checks, 0 warnings\n');
    expect(result.code).toBe(0);
  });

  it('exits 1 on violations and lists them', () => {
    const result = runCli(['validate', 'bad.csv', '-s', 'schema.yml'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n')[0]).toBe(
      'FAIL bad.csv: 3 rows, 2 columns, 2 failed checks, 0 warnings',
    );
    expect(result.stdout).toMatch(/error\s+a\s+min\s+2\s+66\.67\s+2: "-2", 3: "-3"/);
    expect(result.stdout).toMatch(/error\s+b\s+nullable\s+1\s+33\.33\s+3: \(empty\)/);
  });

  it('--json writes the report the API returns, in the shape of docs/reports.md', async () => {
    const json = abs('out/report.json');
    const result = runCli(
      ['validate', abs('bad.csv'), '-s', abs('schema.yml'), '--json', json],
      dir,
    );
    expect(result.code).toBe(1);
    const written = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    const schema = abs('schema.yml');
    const expected = await validateData(abs('bad.csv'), loadDataContract(schema).contract, {
      schemaFile: schema,
    });
    expect(written).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(written).toMatchObject({
      ok: false,
      rows: 3,
      violations: [
        {
          column: 'a',
          check: 'min',
          severity: 'error',
          unexpected_count: 2,
          unexpected_percent: 66.6667,
          examples: [
            { row: 2, value: '-2' },
            { row: 3, value: '-3' },
          ],
        },
        {
          column: 'b',
          check: 'nullable',
          severity: 'error',
          unexpected_count: 1,
          unexpected_percent: 33.3333,
          examples: [{ row: 3, value: null }],
        },
      ],
    });
  });

  it('--json on passing data writes ok: true and no violations', () => {
    const json = abs('pass.json');
    expect(runCli(['validate', 'good.csv', '-s', 'schema.yml', '--json', json], dir).code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({
      ok: true,
      rows: 2,
      violations: [],
    });
  });

  it('--markdown writes the markdown report', () => {
    const md = abs('out/report.md');
    const result = runCli(['validate', 'bad.csv', '-s', 'schema.yml', '--markdown', md], dir);
    expect(result.code).toBe(1);
    const text = readFileSync(md, 'utf8');
    expect(text.split('\n').slice(0, 5)).toEqual([
      '### Data validation: `bad.csv`',
      '',
      '❌ **Data contract failed**: 2 checks failed',
      '',
      '3 rows · 2 columns · contract `schema.yml`',
    ]);
    expect(text).toMatch(/\|\s+❌\s+\| `a` +\| min +\| +2 \| 66\.67 \| 2: `-2`, 3: `-3` +\|/);
    expect(text).toMatch(/\|\s+❌\s+\| `b` +\| nullable +\| +1 \| 33\.33 \| 3: \*empty\* +\|/);
    expect(text).toContain('- 2 of 3 values \\(66.67%\\) in "a" are below the minimum 0');
  });

  it('schema infer -o writes a contract that the same data passes', () => {
    const data = 'a,b,c\n1,x,2024-01-01\n2,y,2024-02-01\n3,,2024-03-01 12:00:00\n';
    write('infer.csv', data);
    const result = runCli(['schema', 'infer', 'infer.csv', '-o', 'inferred/schema.yml'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('wrote inferred/schema.yml\n');
    const yaml = readFileSync(abs('inferred/schema.yml'), 'utf8');
    expect(yaml).toContain('  a: { type: integer, min: 1, max: 3 }\n');
    expect(yaml).toContain('  b: { type: string, nullable: true, in: [ x, y ] }\n');
    expect(yaml).toContain('  c: { type: timestamp }\n');
    const check = runCli(['validate', 'infer.csv', '-s', 'inferred/schema.yml'], dir);
    expect(check.stdout).toBe('PASS infer.csv: 3 rows, 3 columns, 0 failed checks, 0 warnings\n');
    expect(check.code).toBe(0);
  });

  it('schema infer without -o prints the contract', () => {
    const result = runCli(['schema', 'infer', 'good.csv'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('columns:\n  a: { type: integer, min: 1, max: 2 }\n');
    expect(existsSync(abs('good.schema.yml'))).toBe(false);
  });
});
