import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { ModelshipError } from '../errors.js';
import { isGzip } from './dataFormat.js';
import { gzipError } from './fileChecks.js';

const HEAD_BYTES = 256 * 1024;
const DELIMITERS = [',', ';', '\t', '|'];

/** The dialect and column names of a delimited text file, read from its header row. */
export interface CsvHeader {
  delimiter: string;
  columns: string[];
}

/** Reads the first bytes of a file (decompressed when gzip). */
export async function readHead(file: string, bytes = HEAD_BYTES): Promise<Buffer> {
  const source = createReadStream(file, isGzip(file) ? {} : { end: bytes - 1 });
  const stream = isGzip(file) ? source.pipe(createGunzip()) : source;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= bytes) break;
    }
  } catch (error) {
    if (isGzip(file) && total === 0) throw gzipError(file, (error as Error).message);
    if (!isGzip(file)) throw error;
  } finally {
    source.destroy();
  }
  return Buffer.concat(chunks).subarray(0, bytes);
}

/** Reads and checks the header row: not empty, not binary, UTF-8, named and distinct columns. */
export async function readCsvHeader(file: string, tsv: boolean): Promise<CsvHeader> {
  const head = await readHead(file);
  if (head.length === 0) {
    throw new ModelshipError(`${file}: the file is empty; expected a header row and data rows.`);
  }
  if (head.includes(0)) {
    throw new ModelshipError(
      `${file}: looks like a binary file, not delimited text; check that the path names the data file.`,
    );
  }
  let text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (firstLine.includes('\ufffd')) {
    throw new ModelshipError(
      `${file}:1: the header row is not valid UTF-8; re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).`,
    );
  }
  if (firstLine.trim() === '') {
    throw new ModelshipError(
      `${file}:1: the first line is empty; expected a header row naming the columns.`,
    );
  }
  const delimiter = tsv ? '\t' : detectDelimiter(firstLine);
  const columns = splitRecord(text, delimiter);
  columns.forEach((name, index) => {
    if (name.trim() === '') {
      throw new ModelshipError(
        `${file}:1: column ${index + 1} of the header row has no name; name every column.`,
      );
    }
  });
  // DuckDB matches column names case-insensitively: "id" and "ID" cannot both be read.
  const seen = new Map<string, string>();
  for (const name of columns) {
    const earlier = seen.get(name.toLowerCase());
    if (earlier === name)
      throw new ModelshipError(
        `${file}:1: the header names column "${name}" twice; column names must be distinct.`,
      );
    if (earlier !== undefined)
      throw new ModelshipError(
        `${file}:1: the header names columns "${earlier}" and "${name}", which differ only in case; rename one (names are matched without regard to case).`,
      );
    seen.set(name.toLowerCase(), name);
  }
  return { delimiter, columns };
}

/** The candidate delimiter that occurs most often outside quotes in the header line. */
function detectDelimiter(line: string): string {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

/** Splits the first RFC 4180 record of `text` (quotes may hold delimiters and newlines). */
function splitRecord(text: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === delimiter) {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') break;
    else field += char;
  }
  fields.push(field);
  return fields;
}
