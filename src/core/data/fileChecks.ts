import { closeSync, createReadStream, openSync, readSync, statSync, type Stats } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { ModelshipError } from '../errors.js';
import { isGzip, type DataFormat } from './dataFormat.js';
import { groupedCount } from '../numberText.js';

/**
 * The longest record (row) Modelship reads from delimited text, in bytes: DuckDB's default
 * max_line_size, passed to read_csv explicitly so that this check and DuckDB's agree.
 */
export const MAX_RECORD_BYTES = 2_000_000;

/**
 * read_csv's buffer (DuckDB's default, 16 × max_line_size). DuckDB 1.5 reports a record over
 * MAX_RECORD_BYTES only while it fits one buffer: a longer last record is dropped silently and a
 * longer one inside the file fails with an internal error. So files that may hold such a record
 * (text over this size, and all gzip) are scanned for over-long records before DuckDB reads them.
 */
export const CSV_BUFFER_BYTES = 16 * MAX_RECORD_BYTES;

const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Stats a local data file and refuses anything but a regular file (or a link to one) up front:
 * a FIFO or a socket would block DuckDB forever, a device never ends.
 */
export function statDataFile(path: string): Stats {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      throw new ModelshipError(
        `${path}: a symbolic link loop (a link that points back to itself); point the link at the data file.`,
      );
    if (code === 'EACCES')
      throw new ModelshipError(
        `${path}: permission denied; make the file (and its folders) readable by this user.`,
      );
    if (code === 'ENOTDIR')
      throw new ModelshipError(
        `${path}: file not found (a folder on the path is a file); check the path.`,
      );
    throw new ModelshipError(
      `${path}: file not found; check the path (relative paths resolve against the config file's directory or the working directory).`,
    );
  }
  if (stats.isDirectory())
    throw new ModelshipError(
      `${path}: is a directory; name a data file or a glob such as ${path}/*.csv.`,
    );
  if (!stats.isFile()) {
    const kind = stats.isFIFO()
      ? 'a named pipe (FIFO)'
      : stats.isSocket()
        ? 'a socket'
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
    throw new ModelshipError(
      `${path}: is ${kind}, not a regular file; write the data to a file first and name that file.`,
    );
  }
  return stats;
}

/**
 * True when `scanText` should run before DuckDB reads the file (see CSV_BUFFER_BYTES). JSON Lines
 * needs it for gzip only: read_json fails on a line it cannot hold (maximum_object_size) rather
 * than dropping it.
 */
export function needsScan(file: string, format: DataFormat, size: number): boolean {
  if (format === 'parquet') return false;
  if (format === 'jsonl') return isGzip(file);
  return isGzip(file) || size > CSV_BUFFER_BYTES;
}

/**
 * Reads a text file (gzip decompressed to its end, so a cut-off or corrupt stream fails here
 * instead of passing as fewer rows) and checks that no record of delimited text (ending at a
 * newline outside quotes) is longer than DuckDB reads. JSON Lines is only decompressed.
 */
export async function scanText(
  file: string,
  format: DataFormat,
  signal?: AbortSignal,
): Promise<void> {
  const csv = format === 'csv' || format === 'tsv';
  const max = csv ? MAX_RECORD_BYTES : Infinity;
  let base = 0; // offset of the chunk in the (decompressed) text
  let start = 0; // offset where the current record starts
  let quoted = false;
  let tooLong = -1;
  const over = (end: number) => end - start > max;
  try {
    for await (const chunk of textStream(file)) {
      if (signal?.aborted) return; // the read it was checking failed first: stop reading
      let i = 0;
      while (i < chunk.length && tooLong < 0) {
        if (quoted) {
          const q = chunk.indexOf(QUOTE, i);
          if (q === -1) i = chunk.length;
          else {
            quoted = false;
            i = q + 1;
          }
          if (over(base + i)) tooLong = start;
          continue;
        }
        const q = csv ? chunk.indexOf(QUOTE, i) : -1;
        const end = q === -1 ? chunk.length : q;
        // Newlines in [i, end) end records: jump from record start to record start, looking
        // back from the furthest byte a record may reach, so long runs cost few calls.
        let p = i;
        for (;;) {
          const limit = start + max - base;
          if (limit >= end) {
            const nl = end > p ? chunk.lastIndexOf(NEWLINE, end - 1) : -1;
            if (nl >= p) start = base + nl + 1;
            break;
          }
          const nl = limit >= p ? chunk.lastIndexOf(NEWLINE, limit) : -1;
          if (nl < p) {
            tooLong = start;
            break;
          }
          start = base + nl + 1;
          p = nl + 1;
        }
        if (q === -1) i = chunk.length;
        else {
          quoted = true;
          i = q + 1;
        }
      }
      base += chunk.length;
      if (tooLong >= 0) break;
    }
  } catch (error) {
    if (isModelshipErrorLike(error)) throw error;
    if (!isGzip(file))
      throw new ModelshipError(`${file}: cannot be read (${(error as Error).message}).`);
    throw gzipError(file, (error as Error).message);
  }
  if (tooLong < 0 && over(base)) tooLong = start;
  if (tooLong >= 0) {
    const line = await lineAtOffset(file, tooLong);
    throw new ModelshipError(
      `${file}:${line}: the row that starts on this line is longer than ${groupedCount(max)} bytes, the most Modelship reads in one row; check the file for damage or an unclosed quote, or shorten the value.`,
    );
  }
}

/** The sentence for a .gz file that gunzip fails on: not gzip at all, or cut short or corrupt. */
export function gzipError(file: string, reason: string): ModelshipError {
  if (!startsLikeGzip(file))
    return new ModelshipError(
      `${file}: not a valid gzip file; compress it with gzip or drop the .gz extension.`,
    );
  return new ModelshipError(
    `${file}: the gzip data is cut short or corrupt (${reason}), so rows would be lost; copy or download the file again (gzip -t ${file} checks it).`,
  );
}

/** True when the file starts with gzip's magic bytes (1f 8b). */
function startsLikeGzip(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

function isModelshipErrorLike(error: unknown): boolean {
  return error instanceof ModelshipError;
}

/** The bytes of a file, decompressed when gzip. */
function textStream(file: string): AsyncIterable<Buffer> {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  if (!isGzip(file)) return source;
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error));
  return source.pipe(gunzip);
}

/** The 1-based line on which byte `offset` of the (decompressed) text lies. */
async function lineAtOffset(file: string, offset: number): Promise<number> {
  let line = 1;
  let base = 0;
  try {
    for await (const chunk of textStream(file)) {
      const end = Math.min(chunk.length, offset - base);
      for (let i = chunk.indexOf(NEWLINE); i !== -1 && i < end; i = chunk.indexOf(NEWLINE, i + 1))
        line++;
      base += chunk.length;
      if (base >= offset) break;
    }
  } catch {
    // A damaged gzip tail after the offset does not change the line.
  }
  return line;
}

/**
 * The 1-based line on which record `record` of a delimited text file starts (record 1 is the
 * header). DuckDB numbers records, which differ from lines once a quoted value holds a newline.
 */
export async function lineOfRecord(file: string, record: number): Promise<number> {
  let line = 1;
  let ended = 0; // records ended so far
  let quoted = false;
  if (record <= 1) return 1;
  try {
    for await (const chunk of textStream(file)) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === QUOTE) quoted = !quoted;
        else if (byte === NEWLINE) {
          line++;
          if (!quoted && ++ended === record - 1) return line;
        }
      }
    }
  } catch {
    // Fall through with what was counted.
  }
  return line;
}
