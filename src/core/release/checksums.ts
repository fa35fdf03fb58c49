/**
 * SHA256SUMS, the checksum list every release carries: its file name, how it is written and how
 * it is read, in `sha256sum` format so that `sha256sum -c SHA256SUMS` verifies a bundle directory.
 */
import { ModelshipError } from '../errors.js';

/** The file name of the checksum list in a bundle and on a release. */
export const SHA256SUMS = 'SHA256SUMS';

/** One file of a release bundle: its name in the bundle, SHA-256 (hex) and size. */
export interface BundleFile {
  name: string;
  sha256: string;
  size_bytes: number;
}

/**
 * `<hex>  <name>\n` per file, sorted by name. A name is a plain file name, or with `paths` a
 * relative path of them (`bin/node`), as an archive lists its files.
 */
export function sha256sums(
  files: readonly Pick<BundleFile, 'name' | 'sha256'>[],
  { paths = false }: { paths?: boolean } = {},
): string {
  const plain = paths ? /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/ : /^[A-Za-z0-9._-]+$/;
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sorted
    .map(({ name, sha256 }) => {
      // sha256sum escapes such names with a leading backslash; bundle names never need it.
      if (!plain.test(name) || name.split('/').some((part) => part === '..' || part === '.'))
        throw new ModelshipError(`${name}: not a plain file name for ${SHA256SUMS}.`);
      if (!/^[0-9a-f]{64}$/.test(sha256))
        throw new ModelshipError(`${name}: ${sha256} is not a SHA-256 digest in hex.`);
      return `${sha256}  ${name}\n`;
    })
    .join('');
}

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

/** How two checksum lists differ, one phrase per file; empty when they agree. */
export function sumsDifferences(ours: Map<string, string>, theirs: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, digest] of ours) {
    const other = theirs.get(name);
    if (other === undefined) problems.push(`${name} is not listed`);
    else if (other !== digest) problems.push(`${name} differs`);
  }
  for (const name of theirs.keys()) {
    if (!ours.has(name)) problems.push(`${name} is listed but not published`);
  }
  return problems;
}
