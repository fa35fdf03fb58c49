import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import { openDataSource } from '../../../src/core/data/dataSource.js';
import { withDatabase } from '../../../src/core/data/duckdb.js';
import { validateData } from '../../../src/core/data/validate.js';
import type { ValidationReport } from '../../../src/core/data/validationReport.js';
import { contractOf } from '../../support/dataContract.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  return file;
}

function open(path: string) {
  return withDatabase((db) => openDataSource(db, path));
}

/** The failing checks as `column.check: row=value, …` lines, for compact exact assertions. */
function summary(report: ValidationReport): string[] {
  return report.violations.map(
    (v) =>
      `${v.column}.${v.check} ${v.unexpected_count}: ${v.examples.map((e) => `${e.row}=${JSON.stringify(e.value)}`).join(' ')}`,
  );
}

/** A contract over columns n (integer 0..10) and word (one of a few words). */
const NUMBER_AND_WORD = contractOf({
  columns: {
    n: { type: 'integer', min: 0, max: 10 },
    word: { type: 'string', in: ['alpha', 'beta', 'gamma delta'] },
  },
});

describe('CSV dialects', () => {
  const rows = [
    ['1', 'alpha'],
    ['10', 'beta'],
    ['11', 'gamma delta'],
    ['0', 'omega'],
  ];
  const cases = [
    { name: 'comma.csv', delimiter: ',' },
    { name: 'semicolon.csv', delimiter: ';' },
    { name: 'pipe.csv', delimiter: '|' },
    { name: 'tab.tsv', delimiter: '\t' },
    { name: 'tab-in-a.csv', delimiter: '\t' },
  ];
  for (const { name, delimiter } of cases) {
    it(`reads ${name} with delimiter ${JSON.stringify(delimiter)}`, async () => {
      const text = [['n', 'word'], ...rows].map((r) => r.join(delimiter)).join('\n') + '\n';
      const file = write(name, text);
      const source = await open(file);
      expect(source.columns).toEqual(['n', 'word']);
      expect(source.delimiter).toBe(delimiter);
      expect(source.format).toBe(name.endsWith('.tsv') ? 'tsv' : 'csv');
      const report = await validateData(file, NUMBER_AND_WORD);
      expect(report.rows).toBe(4);
      expect(summary(report)).toEqual(['n.max 1: 3="11"', 'word.in 1: 4="omega"']);
    });
  }

  it('a semicolon file whose values hold commas (decimal commas) stays semicolon-delimited', async () => {
    const file = write('decimal-comma.csv', 'price;label\n1,5;a, b\n2,25;c\n');
    const source = await open(file);
    expect(source.delimiter).toBe(';');
    const report = await validateData(
      file,
      contractOf({ columns: { price: { type: 'string' }, label: { type: 'string', in: ['c'] } } }),
    );
    expect(summary(report)).toEqual(['label.in 1: 1="a, b"']);
  });

  it('a .tsv file is split on tabs even when its header holds commas', async () => {
    const file = write('commas.tsv', 'a,b\tc\nx,y\tz\n');
    expect((await open(file)).columns).toEqual(['a,b', 'c']);
    const report = await validateData(
      file,
      contractOf({
        columns: { 'a,b': { type: 'string', in: ['x,y'] }, c: { type: 'string', in: ['z'] } },
      }),
    );
    expect(report).toMatchObject({ ok: true, rows: 1, violations: [] });
  });
});

describe('quoting', () => {
  it('reads quoted delimiters, embedded newlines and doubled quotes; rows count records', async () => {
    const file = write(
      'quoted.csv',
      [
        'id,text,n',
        '1,"x, y",1',
        '2,"line one\nline two",2',
        '3,"say ""hi""",3',
        '4,"a\n\nb, ""c""",4',
        '5,bad,99',
        '6,"",6',
        '',
      ].join('\n'),
    );
    const report = await validateData(
      file,
      contractOf({
        columns: {
          id: { type: 'integer' },
          text: {
            type: 'string',
            in: ['x, y', 'line one\nline two', 'say "hi"', 'a\n\nb, "c"'],
          },
          n: { type: 'integer', max: 10 },
        },
      }),
    );
    expect(report.rows).toBe(6);
    expect(summary(report)).toEqual([
      'text.nullable 1: 6=null',
      'text.in 1: 5="bad"',
      'n.max 1: 5="99"',
    ]);
  });

  it('keeps a header name with a delimiter, spaces and quotes', async () => {
    const file = write(
      'names.csv',
      '"first name","say ""hi""","a,b",it\'s,  padded  \nAda,1,2,3,4\nAlan,5,6,7,x\n',
    );
    const source = await open(file);
    expect(source.columns).toEqual(['first name', 'say "hi"', 'a,b', "it's", '  padded  ']);
    const report = await validateData(
      file,
      contractOf({
        columns: {
          'first name': { type: 'string', pattern: '^A' },
          'say "hi"': { type: 'integer', max: 4 },
          'a,b': { type: 'integer' },
          "it's": { type: 'integer', min: 4 },
          '  padded  ': { type: 'integer' },
        },
      }),
    );
    expect(summary(report)).toEqual([
      'say "hi".max 1: 2="5"',
      'it\'s.min 1: 1="3"',
      '  padded  .type 1: 2="x"',
    ]);
  });
});

describe('encodings and line ends', () => {
  it('reads CRLF line ends without a trailing \\r in the last column', async () => {
    const file = write('crlf.csv', 'word,n\r\nalpha,1\r\nbeta,10\r\nomega,11\r\n');
    const report = await validateData(file, NUMBER_AND_WORD);
    expect(report.rows).toBe(3);
    expect(summary(report)).toEqual(['n.max 1: 3="11"', 'word.in 1: 3="omega"']);
  });

  it('reads CRLF line ends inside and after quoted fields', async () => {
    const file = write('crlf-quoted.csv', 'word,n\r\n"alpha",1\r\n"gamma delta","2"\r\n');
    const report = await validateData(file, NUMBER_AND_WORD);
    expect(report).toMatchObject({ ok: true, rows: 2, violations: [] });
  });

  it('drops a UTF-8 byte order mark from the first column name', async () => {
    const file = write('bom.csv', Buffer.from('\ufeffn,word\n1,alpha\n2,béta\n', 'utf8'));
    expect((await open(file)).columns).toEqual(['n', 'word']);
    const report = await validateData(file, NUMBER_AND_WORD);
    expect(summary(report)).toEqual(['word.in 1: 2="béta"']);
  });

  it('reads gzip-compressed CSV and TSV', async () => {
    const text = 'n,word\n1,alpha\n12,beta\n';
    const csv = write('zipped.csv.gz', gzipSync(text));
    expect((await open(csv)).columns).toEqual(['n', 'word']);
    expect(summary(await validateData(csv, NUMBER_AND_WORD))).toEqual(['n.max 1: 2="12"']);
    const tsv = write('zipped.tsv.gz', gzipSync(text.replaceAll(',', '\t')));
    const report = await validateData(tsv, NUMBER_AND_WORD);
    expect(report.rows).toBe(2);
    expect(summary(report)).toEqual(['n.max 1: 2="12"']);
  });

  it('rejects a .gz file that is not gzip, naming it', async () => {
    const file = write('fake.csv.gz', 'n,word\n1,alpha\n');
    await expect(open(file)).rejects.toThrow(`${file}: not a valid gzip file`);
  });
});

describe('header problems', () => {
  it('rejects duplicate header names, naming the file, line and column', async () => {
    const file = write('dup.csv', 'a,b,a\n1,2,3\n');
    const error = await open(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelshipError);
    expect((error as Error).message).toBe(
      `${file}:1: the header names column "a" twice; column names must be distinct.`,
    );
  });

  it('rejects header names that differ only in case, which DuckDB cannot tell apart', async () => {
    const file = write('case.csv', 'id,name,ID\n1,a,2\n');
    await expect(open(file)).rejects.toThrow(
      `${file}:1: the header names columns "id" and "ID", which differ only in case; rename one (names are matched without regard to case).`,
    );
  });

  it('rejects a header with an unnamed column', async () => {
    const file = write('unnamed.csv', 'a,,c\n1,2,3\n');
    await expect(open(file)).rejects.toThrow(`${file}:1: column 2 of the header row has no name`);
  });

  it('rejects a glob whose files have different headers', async () => {
    write('mixed/a.csv', 'n,word\n1,alpha\n');
    write('mixed/b.csv', 'n,words\n1,alpha\n');
    const error = await open(join(dir, 'mixed', '*.csv')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelshipError);
    expect((error as Error).message).toBe(
      `${join(dir, 'mixed', 'b.csv')}: its header differs from ${join(dir, 'mixed', 'a.csv')}'s; every file a glob matches needs the same columns in the same order.`,
    );
  });

  it('rejects a glob whose files have the same columns in another order', async () => {
    write('order/a.csv', 'n,word\n1,alpha\n');
    write('order/b.csv', 'word,n\nalpha,1\n');
    await expect(open(join(dir, 'order', '*.csv'))).rejects.toThrow('its header differs');
  });

  it('reads a glob of files that share a header, in name order', async () => {
    write('same/b.csv', 'n,word\n2,beta\n');
    write('same/a.csv', 'n,word\n1,alpha\n');
    const source = await open(join(dir, 'same', '*.csv'));
    expect(source.files).toEqual([join(dir, 'same', 'a.csv'), join(dir, 'same', 'b.csv')]);
    expect(source.columns).toEqual(['n', 'word']);
    const report = await validateData(join(dir, 'same', '*.csv'), NUMBER_AND_WORD);
    expect(report).toMatchObject({ ok: true, rows: 2 });
  });
});
