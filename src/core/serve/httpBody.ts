import type { IncomingMessage } from 'node:http';
import { messageOf } from '../errors.js';
import { countCopy } from './copyCount.js';
import { BadRequest } from './inferRequest.js';
import { parseInferJson } from './numericJson.js';
import { parsePredictJson } from './predictJson.js';
import type { RowColumns } from './rowColumns.js';
import { MAX_ID_LENGTH } from './safeText.js';

/** The deepest nesting of arrays and objects a request body may have (default of maxJsonDepth). */
export const MAX_JSON_DEPTH = 64;

/** Thrown when the client goes away before the body ends: there is no one left to answer. */
export class ClientGone extends BadRequest {
  constructor() {
    super('the client closed the connection before the request body ended.', 400);
  }
}

/**
 * Reads a body of at most `limit` bytes; 413 beyond it. Chunks are copied once into one buffer;
 * with `alignAt`, one placed so that that byte of the body (where the tensors of a binary request
 * start) falls on an 8-byte boundary, so that a typed array can view the tensors in place. A
 * single chunk (already so placed) is not copied. Memory follows the bytes received, not a
 * declared length.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  alignAt?: number,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number.isFinite(declared) && declared > limit;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      // Beyond the limit the rest is read and dropped, so the client sees the 413, not a reset.
      if (!tooLarge) chunks.push(chunk);
    }
  } catch {
    // Aborted mid-body, a socket error, or cut off after a timeout.
    throw new ClientGone();
  }
  if (!req.complete) throw new ClientGone();
  if (tooLarge) {
    throw new BadRequest(`the request body is larger than the limit of ${limit} bytes.`, 413);
  }
  const only = chunks.length === 1 ? chunks[0]! : undefined;
  if (only && (alignAt === undefined || (only.byteOffset + alignAt) % 8 === 0)) return only;
  if (chunks.length === 0) return Buffer.alloc(0);
  const shift = (8 - ((alignAt ?? 0) % 8)) % 8;
  // Its own ArrayBuffer (not the shared pool), so byte 0 of it is 8-byte aligned.
  const body = Buffer.allocUnsafeSlow(size + shift).subarray(shift);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(body, at);
  countCopy(size);
  return body;
}

/**
 * Reads a /predict body of at most `limit` bytes; 413 beyond it, 400 when it is not JSON. Its
 * rows come as columns when the scanner reads them (`json` is then the rest of the body), else
 * `json` is JSON.parse's value.
 */
export async function readPredictBody(
  req: IncomingMessage,
  limit: number,
  maxDepth = MAX_JSON_DEPTH,
): Promise<{ json: unknown; rows?: RowColumns }> {
  const body = await readBody(req, limit);
  const scanned = body.length >= SCAN_PREDICT_FROM ? parsePredictJson(body, maxDepth) : undefined;
  if (scanned) return { json: scanned.body, rows: scanned.rows };
  return { json: parseJson(body, maxDepth) };
}

/**
 * The smallest /predict body the row scanner reads: below it (four rows of the example, or
 * fewer) JSON.parse and the row objects cost less than the scanner's setting up (2.4 against
 * 5.8 µs for one row; 16.1 against 12.5 µs for eight).
 */
const SCAN_PREDICT_FROM = 2048;

/**
 * Reads an inference request: JSON, or with the binary tensor data extension (header
 * Inference-Header-Content-Length) a JSON header followed by the inputs' raw bytes.
 */
export async function readInferBody(
  req: IncomingMessage,
  limit: number,
  maxDepth = MAX_JSON_DEPTH,
): Promise<{ json: unknown; binary?: Buffer }> {
  const header = req.headers['inference-header-content-length'];
  const length = Number(header);
  // A binary request's tensors start after the JSON header: aligned, they are read in place.
  const tensorsAt = header !== undefined && Number.isInteger(length) && length >= 0;
  const body = await readBody(req, limit, tensorsAt ? length : undefined);
  if (header === undefined) return { json: parseJson(body, maxDepth, parseInferJson) };
  if (!Number.isInteger(length) || length < 0 || length > body.length) {
    throw new BadRequest(
      `Inference-Header-Content-Length ${JSON.stringify(header)} is not a byte count within the body of ${body.length} bytes.`,
    );
  }
  return { json: parseJson(body.subarray(0, length), maxDepth), binary: body.subarray(length) };
}

/**
 * The JSON value of a body within the depth limit: `fast`'s when it reads the body (it reads only
 * valid JSON within the limit, so the depth scan is skipped), else JSON.parse's after the depth
 * scan (whose messages a 400 names).
 */
export function parseJson(
  body: Buffer,
  maxDepth: number,
  fast?: (body: Buffer, maxDepth: number) => unknown,
): unknown {
  const read = fast?.(body, maxDepth);
  if (read !== undefined) return read;
  const depth = jsonDepth(body, maxDepth);
  if (depth > maxDepth) {
    throw new BadRequest(
      `the request body is nested deeper than the limit of ${maxDepth} arrays and objects; send flatter JSON (tensor data may be flat).`,
    );
  }
  // The body decoded whole into text for JSON.parse: a copy of it.
  countCopy(body.length);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BadRequest(`the request body is not valid JSON (${messageOf(error)}).`);
  }
}

/** The bytes jsonDepth stops at: a quote, and the brackets and braces that open or close. */
const STRUCTURAL = [0x22, 0x5b, 0x7b, 0x5d, 0x7d] as const;
const BACKSLASH = 0x5c;

/**
 * The nesting depth of the JSON text in `body` (brackets inside strings do not count), read
 * without recursion before JSON.parse: the scan stops at `stopAbove` + 1. A body dense in quotes
 * (a /predict body's keys and labels: more than one in 128 of its first 4 KiB) is read byte by
 * byte, where a call to indexOf per string cost more (1.1 ms → 0.3 ms of a 1,000-row /predict
 * body); any other jumps between structural bytes with indexOf.
 */
export function jsonDepth(body: Buffer, stopAbove = Infinity): number {
  const sample = Math.min(body.length, 4096);
  let quotes = 0;
  for (let i = 0; i < sample; i++) if (body[i] === 0x22) quotes++;
  return quotes * 128 > sample
    ? jsonDepthByBytes(body, stopAbove)
    : jsonDepthByJumps(body, stopAbove);
}

/** jsonDepth byte by byte: a backslash inside a string escapes the next byte. */
export function jsonDepthByBytes(body: Buffer, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i]!;
    if (c === 0x22) {
      // To the closing quote; an unclosed string ends the scan (JSON.parse says so).
      for (i++; i < n; i++) {
        const s = body[i]!;
        if (s === BACKSLASH) i++;
        else if (s === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * jsonDepth jumping from one quote, bracket or brace to the next with Buffer.indexOf (memchr), so
 * the digits of a 1,000-row tensor cost no JavaScript per byte: 218 µs → ~20 µs for a 216 KB OIP
 * body.
 */
export function jsonDepthByJumps(body: Buffer, stopAbove = Infinity): number {
  // The next position of each structural byte at or after `pos` (-1: none left).
  const next = STRUCTURAL.map((c) => body.indexOf(c));
  let pos = 0;
  let depth = 0;
  let deepest = 0;
  for (;;) {
    let at = -1;
    let which = -1;
    for (let k = 0; k < STRUCTURAL.length; k++) {
      if (next[k]! !== -1 && next[k]! < pos) next[k] = body.indexOf(STRUCTURAL[k]!, pos);
      if (next[k]! !== -1 && (at === -1 || next[k]! < at)) {
        at = next[k]!;
        which = k;
      }
    }
    if (at === -1) return deepest;
    pos = at + 1;
    const c = STRUCTURAL[which]!;
    if (c === 0x22) {
      pos = stringEnd(body, pos);
      if (pos === -1) return deepest; // an unclosed string: JSON.parse says so
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else depth--;
  }
}

/** The position after the quote closing a string that starts at `from`, or -1 when none does. */
function stringEnd(body: Buffer, from: number): number {
  for (let q = body.indexOf(0x22, from); q !== -1; q = body.indexOf(0x22, q + 1)) {
    // A backslash escapes the next byte: the quote closes the string after an even run of them.
    let backslashes = 0;
    while (q - backslashes - 1 >= from && body[q - backslashes - 1] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
  }
  return -1;
}

/** The `id` of a parsed body, echoed in error replies too. */
export function idOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const id = (body as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= MAX_ID_LENGTH ? id : undefined;
}
