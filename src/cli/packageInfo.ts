import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of the installed package (holding package.json and examples/). */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** This package's version, for --version and reports. */
export function packageVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
}
