import { resolve } from 'node:path';
import { ModelshipError, messageOf } from '../errors.js';
import { readCsvHeader } from './csvHeader.js';
import { formatOf, isGlob, SUPPORTED_EXTENSIONS, type DataFormat } from './dataFormat.js';
import { literal, type Database } from './duckdb.js';
import { lineOfRecord, MAX_RECORD_BYTES, needsScan, scanText, statDataFile } from './fileChecks.js';
import { groupedCount } from '../numberText.js';

/** Name of the source-file column added when a glob names several files. */
export const FILE_COLUMN = '__modelship_file';

/** Data files resolved from a path or glob, all of one format, with their columns. */
export interface DataSource {
  /** The path as the user gave it, for messages. */
  display: string;
  files: string[];
  format: DataFormat;
  columns: string[];
  /** DuckDB type of each column as read (VARCHAR for delimited text). */
  types: Record<string, string>;
  delimiter?: string;
  /**
   * With `deferScan`: the gzip and record-length checks of the files, still running beside
   * DuckDB's read. readSafely waits for them, and their failure wins over the query's result.
   */
  scanned?: Promise<void>;
  /** Stops a deferred scan that nothing will wait for (the command failed before reading). */
  stopScan?: () => void;
}

export interface OpenOptions {
  /**
   * Run the whole-file checks (scanText) beside the first query instead of before it: decompressing
   * a gzip file to its end took a second of a million rows' validation on its own. Only for callers
   * whose every read goes through readSafely.
   */
  deferScan?: boolean;
}

/** Resolves a path or glob to readable files; every failure is one sentence naming the path. */
export async function openDataSource(
  db: Database,
  path: string,
  options: OpenOptions = {},
): Promise<DataSource> {
  const format = formatOf(path);
  if (!format) {
    throw new ModelshipError(
      `${path}: unknown data file extension; expected ${SUPPORTED_EXTENSIONS}.`,
    );
  }
  const files = isGlob(path) ? await expandGlob(db, path) : [resolve(path)];
  // Before DuckDB opens anything: only regular files (a FIFO would block it forever), gzip read
  // to its end (a cut-off stream would pass as fewer rows) and no record DuckDB would drop.
  const sizes = (isGlob(path) ? files : [path]).map((file) => statDataFile(file).size);
  const scans = files.filter((file, i) => needsScan(file, format, sizes[i]!));
  const stop = new AbortController();
  const scanned = (async () => {
    for (const file of scans) await scanText(file, format, stop.signal);
  })();
  if (options.deferScan && scans.length) scanned.catch(() => undefined);
  else await scanned;
  const source: DataSource = { display: path, files, format, columns: [], types: {} };
  if (options.deferScan && scans.length) {
    source.scanned = scanned;
    source.stopScan = () => stop.abort();
  }
  try {
    await readColumns(db, source, sizes);
  } catch (error) {
    stop.abort(); // nothing will wait for a deferred scan now: let it end with the command
    throw error;
  }
  return source;
}

async function readColumns(db: Database, source: DataSource, sizes: number[]): Promise<void> {
  const { files, format } = source;
  if (format === 'csv' || format === 'tsv') {
    const headers = await Promise.all(files.map((file) => readCsvHeader(file, format === 'tsv')));
    const first = headers[0]!;
    headers.forEach((header, i) => {
      if (header.columns.join('\u0000') !== first.columns.join('\u0000')) {
        throw new ModelshipError(
          `${files[i]}: its header differs from ${files[0]}'s; every file a glob matches needs the same columns in the same order.`,
        );
      }
    });
    source.columns = first.columns;
    source.types = Object.fromEntries(first.columns.map((c) => [c, 'VARCHAR']));
    source.delimiter = first.delimiter;
  } else {
    files.forEach((file, i) => {
      if (sizes[i] === 0) throw new ModelshipError(`${file}: the file is empty.`);
    });
    const described = await readSafely(db, source, `DESCRIBE SELECT * FROM ${rawReader(source)}`);
    const columns = described.filter((row) => row.column_name !== FILE_COLUMN);
    source.columns = columns.map((row) => String(row.column_name));
    source.types = Object.fromEntries(
      columns.map((row) => [String(row.column_name), String(row.column_type)]),
    );
  }
}

/** True when rows carry the file column (a glob of more than one file). */
export function hasFileColumn(source: DataSource): boolean {
  return source.files.length > 1;
}

/** Runs a query over the source, turning DuckDB's read errors into one sentence about the file. */
export async function readSafely<T = Record<string, unknown>>(
  db: Database,
  source: DataSource,
  sql: string,
): Promise<T[]> {
  let rows: T[];
  try {
    rows = await db.rows<T>(sql);
  } catch (error) {
    await source.scanned; // a damaged file explains a failed read best
    throw await explainReadError(source, messageOf(error));
  }
  await source.scanned;
  return rows;
}

/**
 * `readError`, with DuckDB's record number turned into the line the record starts on (they
 * differ once a quoted value holds a newline).
 */
export async function explainReadError(
  source: DataSource,
  message: string,
): Promise<ModelshipError> {
  const record = /on Line: (\d+)/i.exec(message)?.[1];
  if (record && (source.format === 'csv' || source.format === 'tsv')) {
    const file = fileOfError(source, message);
    if (source.files.includes(file)) {
      const line = await lineOfRecord(file, Number(record));
      return readError(source, message.replace(/on Line: \d+/i, `on Line: ${line}`));
    }
  }
  return readError(source, message);
}

function fileOfError(source: DataSource, message: string): string {
  const named = /file = (.+)/.exec(message)?.[1]?.trim() ?? /file "([^"]+)"/.exec(message)?.[1];
  if (named) return resolve(named);
  return source.files.length === 1 ? source.files[0]! : source.display;
}

/** The table function reading the source's files (text columns as VARCHAR, in file order). */
export function rawReader(source: DataSource): string {
  const files = `[${source.files.map(literal).join(', ')}]`;
  const filename = hasFileColumn(source) ? `, filename = ${literal(FILE_COLUMN)}` : '';
  switch (source.format) {
    case 'csv':
    case 'tsv': {
      const columns = source.columns.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ');
      // The dialect is fixed from our own header parse: DuckDB's sniffer would otherwise guess
      // around ragged rows instead of reporting them with their line.
      return `read_csv(${files}, header = true, auto_detect = false, columns = {${columns}}, delim = ${literal(source.delimiter ?? ',')}, quote = '"', escape = '"', strict_mode = true, null_padding = false, max_line_size = ${MAX_RECORD_BYTES}${filename})`;
    }
    case 'parquet':
      return `read_parquet(${files}, union_by_name = true${filename})`;
    case 'jsonl':
      return `read_json(${files}, format = 'newline_delimited', union_by_name = true${filename})`;
  }
}

async function expandGlob(db: Database, pattern: string): Promise<string[]> {
  const rows = await db.rows<{ file: string }>(
    `SELECT file FROM glob(${literal(resolve(pattern))}) ORDER BY file`,
  );
  if (rows.length === 0)
    throw new ModelshipError(
      `${pattern}: the glob matches no file; check the pattern and the working directory.`,
    );
  return rows.map((row) => row.file);
}

/** Turns a DuckDB read failure into one sentence naming the file, the line and what to do. */
export function readError(source: DataSource, message: string): ModelshipError {
  const file =
    /file = (.+)/.exec(message)?.[1]?.trim() ??
    /file "([^"]+)"/.exec(message)?.[1] ??
    source.display;
  const line = /on Line: (\d+)/i.exec(message)?.[1];
  const at = line ? `${file}:${line}` : file;
  if (/Invalid unicode/i.test(message)) {
    return new ModelshipError(
      `${at}: not valid UTF-8; re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).`,
    );
  }
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/i.exec(message);
  if (columns) {
    return new ModelshipError(
      `${at}: this row has ${columns[2]} field${columns[2] === '1' ? '' : 's'} where the header has ${columns[1]}; fix the row, or quote values that contain the delimiter.`,
    );
  }
  if (/Maximum line size|does not support a full read/i.test(message)) {
    return new ModelshipError(
      `${at}: a row is longer than ${groupedCount(MAX_RECORD_BYTES)} bytes, the most Modelship reads in one row; check the file for damage or an unclosed quote, or shorten the value.`,
    );
  }
  if (/Out of Memory/i.test(message)) {
    return new ModelshipError(
      `${source.display}: DuckDB ran out of memory reading it (${firstLine(message)}); run on a machine with more memory, or split the data into smaller files.`,
    );
  }
  if (/maximum_object_size/i.test(message)) {
    return new ModelshipError(
      `${file}: a line is longer than DuckDB reads in one JSON object (16 MB); check the file for damage, or shorten the value.`,
    );
  }
  if (/unterminated quote/i.test(message)) {
    return new ModelshipError(
      `${at}: a quoted value is never closed; close the quote or escape it as "".`,
    );
  }
  if (/Malformed JSON|JSON/i.test(message) && source.format === 'jsonl') {
    return new ModelshipError(
      `${file}: not valid JSON Lines (${firstLine(message)}); write one JSON object per line.`,
    );
  }
  if (/magic bytes|parquet/i.test(message) && source.format === 'parquet') {
    return new ModelshipError(`${file}: not a valid Parquet file (${firstLine(message)}).`);
  }
  return new ModelshipError(`${source.display}: cannot be read (${firstLine(message)}).`);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/^[A-Za-z ]+Error: /, '').trim();
}
