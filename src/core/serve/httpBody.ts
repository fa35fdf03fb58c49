import type { IncomingMessage } from 'node:http';
import { messageOf } from '../errors.js';
import { BadRequest } from './inferRequest.js';

/** Reads a body of at most `limit` bytes; 413 beyond it. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number.isFinite(declared) && declared > limit;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    // Beyond the limit the rest is read and dropped, so the client sees the 413, not a reset.
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) {
    throw new BadRequest(`the request body is larger than the limit of ${limit} bytes.`, 413);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Reads a JSON body of at most `limit` bytes; 413 beyond it, 400 when it is not JSON. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return parseJson(await readBody(req, limit));
}

/**
 * Reads an inference request: JSON, or with the binary tensor data extension (header
 * Inference-Header-Content-Length) a JSON header followed by the inputs' raw bytes.
 */
export async function readInferBody(
  req: IncomingMessage,
  limit: number,
): Promise<{ json: unknown; binary?: Buffer }> {
  const header = req.headers['inference-header-content-length'];
  const body = await readBody(req, limit);
  if (header === undefined) return { json: parseJson(body) };
  const length = Number(header);
  if (!Number.isInteger(length) || length < 0 || length > body.length) {
    throw new BadRequest(
      `Inference-Header-Content-Length ${JSON.stringify(header)} is not a byte count within the body of ${body.length} bytes.`,
    );
  }
  return { json: parseJson(body.subarray(0, length)), binary: body.subarray(length) };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BadRequest(`the request body is not valid JSON (${messageOf(error)}).`);
  }
}

/** The `id` of a parsed body, echoed in error replies too. */
export function idOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const id = (body as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= 256 ? id : undefined;
}
