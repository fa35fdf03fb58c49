import type { NumericDistribution } from '../data/columnDistributions.js';

/** The range a release's scores spanned, and where it was read. */
export interface ScoreRange {
  min: number;
  max: number;
  /** e.g. `the release profile (training data)`. */
  source: string;
}

/** Current scores that are NaN or ±inf, or outside the range the release's scores spanned. */
export interface ExtremeOutputs {
  range: ScoreRange;
  /** Scored current rows. */
  rows: number;
  /** Scores that are not finite numbers (NaN, ±inf). */
  not_finite: number;
  below: number;
  above: number;
  /** (not_finite + below + above) / rows; 0 without rows. */
  share: number;
}

/**
 * Counts the extreme outputs among the current scores. The bounds are inclusive: a score equal to
 * the release's minimum or maximum is not extreme. Reads the distribution's sorted distinct values,
 * so it costs two binary searches whatever the row count.
 */
export function extremeOutputs(
  current: Pick<NumericDistribution, 'count' | 'nulls' | 'invalid' | 'values' | 'counts'>,
  range: ScoreRange,
): ExtremeOutputs {
  const { values, counts } = current;
  const below = sumCounts(counts, 0, firstIndex(values, range.min, false));
  const above = sumCounts(counts, firstIndex(values, range.max, true), values.length);
  const rows = current.count + current.nulls;
  const extreme = current.invalid + below + above;
  return {
    range,
    rows,
    not_finite: current.invalid,
    below,
    above,
    share: rows > 0 ? extreme / rows : 0,
  };
}

/** The range of a release's scores from their sorted distinct values; undefined when empty. */
export function rangeOfValues(values: Float64Array, source: string): ScoreRange | undefined {
  return values.length ? { min: values[0]!, max: values[values.length - 1]!, source } : undefined;
}

function sumCounts(counts: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += counts[i]!;
  return sum;
}

/** Index of the first value ≥ x, or > x with `above` (values ascending): a binary search. */
function firstIndex(values: Float64Array, x: number, above: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x || (above && values[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
