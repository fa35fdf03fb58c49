import { ModelshipError } from '../core/errors.js';

/** The file name of the checksum list publish-model uploads with every release. */
export const SHA256SUMS = 'SHA256SUMS';

const LINE = /^([0-9a-fA-F]{64}) [ *](.+)$/;

/**
 * Digests by file name from `sha256sum` output (`<hex>  <name>`, or `<hex> *<name>` in binary
 * mode). A malformed line or a name listed twice with different digests is refused, not skipped.
 */
export function parseSha256Sums(text: string, source: string): Map<string, string> {
  const digests = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const match = LINE.exec(raw);
    if (!match) {
      throw new ModelshipError(
        `${source} line ${index + 1} is not "<sha256>  <file>" as sha256sum writes it: republish the release with a valid ${SHA256SUMS}.`,
      );
    }
    const digest = (match[1] ?? '').toLowerCase();
    const name = (match[2] ?? '').replace(/^\.\//, '');
    const previous = digests.get(name);
    if (previous !== undefined && previous !== digest) {
      throw new ModelshipError(
        `${source} lists ${name} twice with different digests: republish the release with a valid ${SHA256SUMS}.`,
      );
    }
    digests.set(name, digest);
  });
  return digests;
}
