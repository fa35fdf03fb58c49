// Damaged and hostile data inputs: each is refused with one sentence naming the file, never read
// as fewer rows. The files are made here: cut gzip streams, over-long records, FIFOs, link loops.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferContract } from '../../../src/core/data/inferContract.js';
import { buildProfile } from '../../../src/core/data/profile.js';
import { readProfile } from '../../../src/core/data/profileFile.js';
import { readError, type DataSource } from '../../../src/core/data/dataSource.js';
import { withDatabase } from '../../../src/core/data/duckdb.js';
import { validateData } from '../../../src/core/data/validate.js';
import { isModelshipError } from '../../../src/core/errors.js';
import { buildCliIfStale, runCli } from '../../support/cli.js';
import { contractOf } from '../../support/dataContract.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const abs = (name: string) => join(dir, name);
const contract = contractOf({
  columns: { a: { type: 'integer', min: 0 }, b: { type: 'string', nullable: true } },
  extra_columns: 'ignore',
});

/** Writes `head`, then `size` bytes of 'z', then `tail`, without holding the field in memory. */
function writeLong(name: string, head: string, size: number, tail: string): void {
  const fd = openSync(abs(name), 'w');
  writeSync(fd, head);
  const block = Buffer.alloc(1 << 20, 'z');
  for (let done = 0; done < size; done += block.length)
    writeSync(fd, block, 0, Math.min(block.length, size - done));
  writeSync(fd, tail);
  closeSync(fd);
}

/** The ModelshipError message a promise rejects with (fails on anything else). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a refusal').toBeDefined();
  if (!isModelshipError(error)) throw error;
  expect(error.message).not.toContain('\n');
  return error.message;
}

/** All three readers refuse the file with a message matching `pattern`. */
async function allRefuse(name: string, pattern: RegExp): Promise<void> {
  expect(await refusal(validateData(abs(name), contract))).toMatch(pattern);
  expect(await refusal(buildProfile(abs(name)))).toMatch(pattern);
  expect(await refusal(inferContract(abs(name)))).toMatch(pattern);
}

const MB = 1 << 20;

beforeAll(() => {
  const rows = ['a,b', ...Array.from({ length: 20_000 }, (_, i) => `${i},v${i}`)];
  const csv = Buffer.from(rows.join('\n') + '\n');
  // Cut on a row boundary: the decompressed text ends with a whole row, only gzip knows.
  const boundary = csv.indexOf('\n', csv.length / 3) + 1;
  const full = gzipSync(csv);
  // A stream flushed at the row boundary and never finished (no final block, no trailer).
  const zlib = gzipSync(csv.subarray(0, boundary), { level: 0 });
  writeFileSync(abs('cut-boundary.csv.gz'), zlib.subarray(0, zlib.length - 8));
  writeFileSync(abs('cut.csv.gz'), full.subarray(0, Math.floor(full.length / 3)));
  writeFileSync(abs('whole.csv.gz'), full);
  const jsonl = Buffer.from(
    Array.from({ length: 5000 }, (_, i) => JSON.stringify({ a: i, b: `v${i}` })).join('\n') + '\n',
  );
  const jz = gzipSync(jsonl);
  writeFileSync(abs('cut.jsonl.gz'), jz.subarray(0, Math.floor(jz.length / 2)));
  writeFileSync(abs('no-trailer.jsonl.gz'), jz.subarray(0, jz.length - 4));
  writeFileSync(abs('quoted-newline.csv'), 'a,b\n1,"x\ny\nz"\n2,y\n3,y,extra\n');
  writeFileSync(abs('small-long.csv'), `a,b\n1,x\n-3,${'z'.repeat(3_000_000)}\n`);
  // Past DuckDB's 32 MB read buffer: the last row used to vanish, a middle one to crash the read.
  writeLong('long-last.csv', 'a,b\n1,x\n2,y\n-3,', 40 * MB, '\n');
  writeLong('long-only.csv', 'a,b\n-3,', 40 * MB, '\n');
  writeLong('long-middle.csv', 'a,b\n1,x\n-3,', 40 * MB, '\n2,y\n');
  writeLong('long-quoted.csv', 'a,b\n1,x\n-3,"', 40 * MB, '"\n');
  writeLong('long.tsv', 'a\tb\n1\tx\n-3\t', 40 * MB, '\n');
  writeLong('long-last.jsonl', '{"a": 1, "b": "x"}\n{"a": -3, "b": "', 40 * MB, '"}\n');
  writeFileSync(
    abs('small-long.jsonl'),
    `{"a": 1, "b": "x"}\n{"a": -3, "b": "${'z'.repeat(17 * MB)}"}\n`,
  );
  spawnSync('mkfifo', [abs('pipe.csv')]);
  spawnSync('mkfifo', [abs('profile.json')]);
  symlinkSync(abs('loop.csv'), abs('loop.csv'));
  symlinkSync('/dev/zero', abs('device.csv'));
});

describe('cut-off compressed input', () => {
  it('refuses a .csv.gz cut on a row boundary instead of passing its first rows', async () => {
    await allRefuse('cut-boundary.csv.gz', /cut-boundary\.csv\.gz: the gzip data is cut short/);
  });

  it('refuses a .csv.gz cut mid-row as damaged gzip, not as a row to fix', async () => {
    const message = await refusal(validateData(abs('cut.csv.gz'), contract));
    expect(message).toMatch(/cut\.csv\.gz: the gzip data is cut short or corrupt .*gzip -t/);
    expect(message).not.toMatch(/fix the row/);
  });

  it('refuses a cut .jsonl.gz and one missing its trailer', async () => {
    await allRefuse('cut.jsonl.gz', /cut\.jsonl\.gz: the gzip data is cut short/);
    await allRefuse('no-trailer.jsonl.gz', /no-trailer\.jsonl\.gz: the gzip data is cut short/);
  });

  it('refuses bytes after the gzip stream, and reads several members', async () => {
    const part = (text: string) => gzipSync(Buffer.from(text));
    writeFileSync(abs('garbage.csv.gz'), Buffer.concat([part('a,b\n1,x\n'), Buffer.from('junk')]));
    writeFileSync(abs('members.csv.gz'), Buffer.concat([part('a,b\n1,x\n'), part('2,y\n')]));
    await allRefuse('garbage.csv.gz', /garbage\.csv\.gz: the gzip data is cut short or corrupt/);
    expect((await validateData(abs('members.csv.gz'), contract)).rows).toBe(2);
  });

  it('still reads a whole .csv.gz', async () => {
    const report = await validateData(abs('whole.csv.gz'), contract);
    expect(report.rows).toBe(20_000);
  });
});

describe('over-long records', () => {
  it('refuses a last row longer than the read buffer instead of dropping it', async () => {
    await allRefuse(
      'long-last.csv',
      /long-last\.csv:4: the row that starts on this line is longer/,
    );
  });

  it('refuses a one-row file with an over-long field instead of calling it empty', async () => {
    await allRefuse('long-only.csv', /long-only\.csv:2: the row .* longer than 2,000,000 bytes/);
  });

  it('refuses an over-long row in the middle, and one held in quotes', async () => {
    await allRefuse('long-middle.csv', /long-middle\.csv:3: the row that starts on this line/);
    await allRefuse('long-quoted.csv', /long-quoted\.csv:3: the row that starts on this line/);
  });

  it('names the line of an over-long row in a small file', async () => {
    const message = await refusal(validateData(abs('small-long.csv'), contract));
    expect(message).toMatch(/small-long\.csv:3: a row is longer than 2,000,000 bytes/);
  });
});

describe('other formats cut short or over-long', () => {
  it('refuses an over-long row in a TSV file', async () => {
    await allRefuse('long.tsv', /long\.tsv:3: the row that starts on this line is longer/);
  });

  it('refuses a JSON Lines line longer than DuckDB holds, and reads a long one it can', async () => {
    await allRefuse('long-last.jsonl', /long-last\.jsonl: a line is longer than DuckDB reads/);
    expect((await validateData(abs('small-long.jsonl'), contract)).rows).toBe(2);
  });

  it('refuses a Parquet file cut short', async () => {
    await withDatabase((db) =>
      db.run(
        `COPY (SELECT range AS a, 'v' || range AS b FROM range(5000)) TO '${abs('whole.parquet')}' (FORMAT parquet)`,
      ),
    );
    const bytes = readFileSync(abs('whole.parquet'));
    writeFileSync(abs('cut.parquet'), bytes.subarray(0, bytes.length - 100));
    await allRefuse('cut.parquet', /cut\.parquet: not a valid Parquet file/);
  });
});

describe('DuckDB failures', () => {
  it('turns running out of memory into one sentence naming the data', () => {
    const source: DataSource = {
      display: 'big.csv',
      files: [],
      format: 'csv',
      columns: [],
      types: {},
    };
    const message = readError(
      source,
      'Out of Memory Error: failed to allocate data of size 16.0 MiB (6.9 GiB/6.9 GiB used)\nmore',
    ).message;
    expect(message).toMatch(
      /^big\.csv: DuckDB ran out of memory reading it \(.*\); run on a machine/,
    );
    expect(message).not.toContain('\n');
  });
});

describe('line numbers', () => {
  it('gives the line a bad row starts on, after a quoted newline', async () => {
    const message = await refusal(validateData(abs('quoted-newline.csv'), contract));
    expect(message).toMatch(/quoted-newline\.csv:6: this row has 3 fields/);
  });
});

describe('files that are not regular files', () => {
  it('refuses a FIFO at once instead of blocking', async () => {
    await allRefuse('pipe.csv', /pipe\.csv: is a named pipe \(FIFO\), not a regular file/);
  });

  it('does not block on a FIFO beside the files a glob matches', async () => {
    writeFileSync(abs('pipe-ok.csv'), 'a,b\n1,x\n');
    const report = await validateData(abs('pipe*.csv'), contract);
    expect(report.files).toEqual([abs('pipe-ok.csv')]);
  });

  it('refuses a FIFO given as a profile', () => {
    expect(() => readProfile(abs('profile.json'))).toThrow(/profile\.json: is not a regular file/);
  });

  it('refuses a device and names a symbolic link loop as one', async () => {
    await allRefuse('device.csv', /device\.csv: is a device, not a regular file/);
    await allRefuse('loop.csv', /loop\.csv: a symbolic link loop/);
  });
});

describe('the CLI', () => {
  beforeAll(() => buildCliIfStale());

  it('exits 2 with one line for a cut gzip and for a FIFO', () => {
    writeFileSync(abs('schema.yml'), 'columns:\n  a: { type: integer }\n  b: { type: string }\n');
    for (const [args, pattern] of [
      [['validate', 'cut-boundary.csv.gz', '-s', 'schema.yml'], /gzip data is cut short/],
      [['profile', 'pipe.csv', '-o', 'p.json'], /named pipe/],
      [['schema', 'infer', 'pipe.csv'], /named pipe/],
    ] as const) {
      const result = runCli([...args], dir);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
