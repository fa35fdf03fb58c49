import {
  BACKSLASH,
  CLOSE_ARRAY,
  CLOSE_OBJECT,
  COLON,
  COMMA,
  MINUS,
  NINE,
  OPEN_ARRAY,
  OPEN_OBJECT,
  QUOTE,
  readNumber,
  skipSpace,
  Values,
  ZERO,
} from './numericJson.js';
import { ColumnStore, type ScannedColumn } from './rowColumns.js';

/** Strings remembered per column, so that a repeated category is one string, not one per row. */
const STRINGS_PER_COLUMN = 1024;

const ROWS = Buffer.from('rows');
const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

/** A /predict body read by the scanner: everything but `rows` as JSON.parse reads it, and rows. */
export interface ScannedPredict {
  /** The body with `rows` left out (JSON.parse of the rest of the text). */
  body: Record<string, unknown>;
  rows: ColumnStore;
}

/**
 * A /predict body `{"rows": [{"column": value, …}, …], …}` read without a JS object per row: each
 * row's values go straight into the columns of a ColumnStore, a number read from its bytes as
 * JSON.parse reads it, a repeated string of a column one string. Undefined whenever the body is
 * anything less plain (a backslash anywhere, a repeated `rows` key, a row that is not an object, a
 * value that is an object or array, text that is not JSON, nesting deeper than `maxDepth`): the
 * caller then checks its depth and parses it with JSON.parse, whose value and error messages stand.
 */
export function parsePredictJson(body: Buffer, maxDepth: number): ScannedPredict | undefined {
  // The top object, the rows array and each row: three levels.
  if (maxDepth < 3 || body.indexOf(BACKSLASH) !== -1) return undefined;
  let pos = skipSpace(body, 0);
  if (body[pos] !== OPEN_OBJECT) return undefined;
  pos = skipSpace(body, pos + 1);
  let rows: ColumnStore | undefined;
  let start = 0;
  let end = 0;
  for (;;) {
    if (body[pos] !== QUOTE) return undefined;
    const keyEnd = body.indexOf(QUOTE, pos + 1);
    if (keyEnd === -1) return undefined;
    const isRows = keyEnd - pos - 1 === ROWS.length && matches(body, pos + 1, ROWS);
    pos = skipSpace(body, keyEnd + 1);
    if (body[pos] !== COLON) return undefined;
    pos = skipSpace(body, pos + 1);
    if (isRows) {
      // JSON.parse keeps the last of repeated keys: left to it.
      if (rows || body[pos] !== OPEN_ARRAY) return undefined;
      rows = new ColumnStore();
      start = pos;
      pos = readRows(body, pos, rows);
      end = pos;
    } else pos = skipValue(body, pos, maxDepth - 1);
    if (pos === -1) return undefined;
    pos = skipSpace(body, pos);
    if (body[pos] === COMMA) pos = skipSpace(body, pos + 1);
    else if (body[pos] === CLOSE_OBJECT) break;
    else return undefined;
  }
  if (!rows) return undefined;
  // The text with the rows replaced by a 0 (and a space, so that nothing after it can join it):
  // valid exactly when the body is, the rows being valid.
  const text = `${body.toString('utf8', 0, start)}0 ${body.toString('utf8', end)}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const rest = parsed as Record<string, unknown>;
  if (rest.rows !== 0) return undefined;
  delete rest.rows;
  return { body: rest, rows };
}

/** Whether the bytes at `pos` are `word`'s. */
function matches(body: Buffer, pos: number, word: Uint8Array): boolean {
  for (let i = 0; i < word.length; i++) if (body[pos + i] !== word[i]) return false;
  return true;
}

/**
 * The position after the value at `pos` (any JSON value, checked later by JSON.parse), or -1 when
 * it does not end or nests deeper than `levels` arrays and objects.
 */
function skipValue(body: Buffer, pos: number, levels: number): number {
  let depth = 0;
  do {
    const c = body[pos];
    if (c === undefined) return -1;
    if (c === QUOTE) {
      pos = body.indexOf(QUOTE, pos + 1);
      if (pos === -1) return -1;
      pos++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > levels) return -1;
      pos++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (--depth < 0) return -1;
      pos++;
    } else if (depth === 0) {
      // A number, true, false or null: to the comma, brace or space after it.
      while (pos < body.length && !isDelimiter(body[pos]!)) pos++;
      return pos;
    } else pos++;
  } while (depth > 0);
  return pos;
}

function isDelimiter(c: number): boolean {
  return (
    c === COMMA ||
    c === CLOSE_OBJECT ||
    c === CLOSE_ARRAY ||
    c === 0x20 ||
    c === 0x0a ||
    c === 0x0d ||
    c === 0x09
  );
}

/**
 * Reads the rows array at `pos` (a `[`) into `store`; the position after it, or -1 at anything
 * the scanner leaves to JSON.parse. A key is matched against the bytes of the key at its place
 * in the row before, so a row in the same key order as the last makes no key string.
 */
function readRows(body: Buffer, pos: number, store: ColumnStore): number {
  // One number at a time: each is read into it and taken out at once.
  const number = new Values(1);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  // The columns of the last row's keys, in its order, and where the bytes of each key are.
  const order: ScannedColumn[] = [];
  const keyAt: number[] = [];
  const keyLength: number[] = [];
  let row = 0;
  pos = skipSpace(body, pos + 1);
  if (body[pos] === CLOSE_ARRAY) return pos + 1;
  for (;;) {
    if (body[pos] !== OPEN_OBJECT) return -1;
    pos = skipSpace(body, pos + 1);
    if (body[pos] === CLOSE_OBJECT) pos++;
    else {
      for (let k = 0; ; k++) {
        if (body[pos] !== QUOTE) return -1;
        const keyStart = pos + 1;
        let column = order[k];
        const length = k < keyLength.length ? keyLength[k]! : -1;
        let keyEnd: number;
        if (
          length >= 0 &&
          body[keyStart + length] === QUOTE &&
          sameBytes(view, body, keyAt[k]!, keyStart, length)
        ) {
          keyEnd = keyStart + length;
        } else {
          keyEnd = stringEnd(body, keyStart);
          if (keyEnd === -1) return -1;
          column = store.named(body.toString('utf8', keyStart, keyEnd));
          order[k] = column;
          keyAt[k] = keyStart;
          keyLength[k] = keyEnd - keyStart;
        }
        pos = skipSpace(body, keyEnd + 1);
        if (body[pos] !== COLON) return -1;
        pos = skipSpace(body, pos + 1);
        const c = body[pos];
        let value: unknown;
        if (c === QUOTE) {
          // The string's end and a hash of its bytes, to find it among the column's strings:
          // four bytes at a time while none of them is a quote or a control character.
          let hash = 0;
          let at = pos + 1;
          while (at + 4 <= body.length) {
            const word = view.getUint32(at);
            const quotes = word ^ 0x22222222;
            if (((quotes - 0x01010101) & ~quotes & 0x80808080) !== 0) break;
            if (((word - 0x20202020) & ~word & 0x80808080) !== 0) break;
            hash = (Math.imul(hash, 31) + word) | 0;
            at += 4;
          }
          for (;;) {
            const b = body[at];
            if (b === undefined || b < 0x20) return -1; // unterminated, or a raw control character
            if (b === QUOTE) break;
            hash = (Math.imul(hash, 31) + b) | 0;
            at++;
          }
          value = text(view, body, column!, pos + 1, at, hash);
          pos = at + 1;
        } else if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) {
          pos = readNumber(body, pos, number);
          if (pos === -1) return -1;
          value = number.array[--number.length];
        } else if (c === 0x74 && matches(body, pos, TRUE)) {
          value = true;
          pos += TRUE.length;
        } else if (c === 0x66 && matches(body, pos, FALSE)) {
          value = false;
          pos += FALSE.length;
        } else if (c === 0x6e && matches(body, pos, NULL)) {
          value = null;
          pos += NULL.length;
        } else return -1; // an object or array (JSON.parse reads it), or not JSON
        column!.set(row, value);
        pos = skipSpace(body, pos);
        if (body[pos] === COMMA) {
          pos = skipSpace(body, pos + 1);
          continue;
        }
        if (body[pos] !== CLOSE_OBJECT) return -1;
        pos++;
        break;
      }
    }
    row++;
    pos = skipSpace(body, pos);
    if (body[pos] === COMMA) pos = skipSpace(body, pos + 1);
    else if (body[pos] === CLOSE_ARRAY) break;
    else return -1;
  }
  store.length = row;
  return pos + 1;
}

/** The position of the quote that ends the string starting at `pos`, or -1 (see readRows). */
function stringEnd(body: Buffer, pos: number): number {
  for (;;) {
    const b = body[pos];
    if (b === undefined || b < 0x20) return -1;
    if (b === QUOTE) return pos;
    pos++;
  }
}

/** Whether the `length` bytes at `a` and at `b` are the same, compared four at a time. */
function sameBytes(view: DataView, body: Buffer, a: number, b: number, length: number): boolean {
  let i = 0;
  for (; i + 4 <= length; i += 4) if (view.getUint32(a + i) !== view.getUint32(b + i)) return false;
  for (; i < length; i++) if (body[a + i] !== body[b + i]) return false;
  return true;
}

/** The string of the bytes from `start` to `end`: the column's earlier string of them, if any. */
function text(
  view: DataView,
  body: Buffer,
  column: ScannedColumn,
  start: number,
  end: number,
  hash: number,
): string {
  const known = column.strings.get(hash);
  if (
    known &&
    known.end - known.start === end - start &&
    sameBytes(view, body, known.start, start, end - start)
  ) {
    return known.text;
  }
  const read = body.toString('utf8', start, end);
  if (!known && column.strings.size < STRINGS_PER_COLUMN) {
    column.strings.set(hash, { start, end, text: read });
  }
  return read;
}
