import type { IncomingMessage } from 'node:http';
import { messageOf } from '../errors.js';
import { BadRequest } from './inferRequest.js';

/** Reads a JSON body of at most `limit` bytes; 413 beyond it, 400 when it is not JSON. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
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
  const text =
    chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
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
