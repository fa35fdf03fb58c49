import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ModelshipError, messageOf } from '../errors.js';

/** SHA-256 (hex) of bytes or text. */
export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** SHA-256 and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(path)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    throw new ModelshipError(`${path}: cannot be read for its digest (${messageOf(error)}).`);
  }
  return { sha256: hash.digest('hex'), bytes };
}
