import { ModelshipError } from '../errors.js';

/**
 * float64 machine epsilon: sklearn's `log_loss(eps='auto')` clips probabilities to [eps, 1 - eps]
 * with this value for float64 input.
 */
export const FLOAT64_EPS = 2.220446049250313e-16;

/**
 * Rows are summed in blocks of 4096 (`(i & SUM_MASK) === SUM_MASK` ends one) before being added to
 * the total: the error of a long running sum grows with the number of rows, and blocks keep it
 * near that of numpy's pairwise sum at no measurable cost.
 */
export const SUM_MASK = 4095;

/** The common length of a metric's inputs; throws when they differ or are empty. */
export function rowCount(what: string, ...arrays: { length: number }[]): number {
  const n = arrays[0]?.length ?? 0;
  for (const array of arrays) {
    if (array.length !== n) {
      throw new ModelshipError(
        `${what}: inputs differ in length (${arrays.map((a) => a.length).join(' vs ')})`,
      );
    }
  }
  if (n === 0) throw new ModelshipError(`${what}: no rows to evaluate`);
  return n;
}

/** The error for a probability outside [0, 1] (or NaN) at a 0-based row. */
export function notAProbability(what: string, row: number, value: number): ModelshipError {
  return new ModelshipError(
    `${what}: expected probabilities in [0, 1], row ${row + 1} has ${value}; ` +
      'does the model output scores or logits instead?',
  );
}
