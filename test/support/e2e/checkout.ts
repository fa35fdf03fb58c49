/**
 * The repository the end-to-end test works on: a copy of examples/credit-risk as a user's
 * checkout (GITHUB_WORKSPACE), its trainer's `import 'modelship'` resolving to this repository.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { ROOT } from '../cli.js';

export const EXAMPLE = join(ROOT, 'examples', 'credit-risk');

/**
 * The fairness thresholds of the checkout. The example's own gate fails by design on fairness
 * (foreign_worker has 9 'no' rows in the holdout, none predicted bad, so its demographic parity
 * ratio is 0; equalized odds differences are 0.22 and 0.33). The three flows need a first pull
 * request that passes so that the merge and release follow, so the copy keeps both sensitive
 * attributes reported and gated, with a looser equalized-odds bound and no parity ratio bound.
 * The metric gate is the example's, unchanged.
 */
export const E2E_FAIRNESS_THRESHOLDS = { equalized_odds_difference: { max: 0.4 } };

/** Copies the example (without its built artifacts) into `dir`; returns modelship.yml's path. */
export function checkoutExample(dir: string): string {
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (source) =>
      !source.startsWith(join(EXAMPLE, 'artifacts')) && !source.includes(`${sep}node_modules`),
  });
  // As `npm install modelship` would: the trainer imports the compiled library (lib/).
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'modelship'), 'dir');

  const config = join(dir, 'modelship.yml');
  const doc = parseDocument(readFileSync(config, 'utf8'));
  doc.setIn(['fairness', 'thresholds'], doc.createNode(E2E_FAIRNESS_THRESHOLDS));
  writeFileSync(config, doc.toString());
  return config;
}
