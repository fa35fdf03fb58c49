import { ModelshipError } from '../errors.js';

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
