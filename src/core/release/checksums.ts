import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { ModelshipError, messageOf } from '../errors.js';

/** One file of a release bundle: its name in the bundle, SHA-256 (hex) and size. */
export interface BundleFile {
  name: string;
  sha256: string;
  size_bytes: number;
}

/**
 * SHA256SUMS in `sha256sum` format: `<hex>  <name>\n` per file, sorted by name, so that
 * `sha256sum -c SHA256SUMS` in the bundle directory verifies every file.
 */
export function sha256sums(files: readonly Pick<BundleFile, 'name' | 'sha256'>[]): string {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted
    .map(({ name, sha256 }) => {
      // sha256sum escapes such names with a leading backslash; bundle names never need it.
      if (!/^[A-Za-z0-9._-]+$/.test(name))
        throw new ModelshipError(`${name}: not a plain file name for SHA256SUMS.`);
      if (!/^[0-9a-f]{64}$/.test(sha256))
        throw new ModelshipError(`${name}: ${sha256} is not a SHA-256 digest in hex.`);
      return `${sha256}  ${name}\n`;
    })
    .join('');
}

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
