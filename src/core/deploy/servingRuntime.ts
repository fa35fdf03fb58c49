import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelshipError } from '../errors.js';

/**
 * dist/serve, the serving runtime an image carries, found from the running code: beside an action
 * bundle (dist/index.js, dist/deploy/index.js) or in the package root (lib/…, src/… under tests).
 */
export function findServingRuntime(override?: string, from = import.meta.url): string {
  if (override) return resolve(override);
  const here = dirname(fileURLToPath(from));
  const candidates = [
    join(here, 'serve'),
    join(here, '..', 'serve'),
    ...[1, 2, 3, 4].map((up) => join(here, ...Array<string>(up).fill('..'), 'dist', 'serve')),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.js')));
  if (!found)
    throw new ModelshipError(
      'The serving runtime (dist/serve) is not built; run npm run bundle in the Modelship checkout, or pass its directory with --runtime.',
    );
  return found;
}
