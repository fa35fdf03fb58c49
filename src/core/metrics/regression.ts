import { ModelshipError } from '../errors.js';
import { rowCount, SUM_MASK } from './metricInput.js';

/** Regression metrics (docs/reports.md); r2 is null below two rows, where sklearn returns NaN. */
export type RegressionMetrics = { mae: number; mse: number; rmse: number; r2: number | null };

/**
 * Regression metrics as sklearn 1.2.1's mean_absolute_error, mean_squared_error, its square root,
 * and r2_score with force_finite: a constant y_true gives 1.0 when predicted exactly, else 0.0.
 */
export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array): RegressionMetrics {
  const what = 'regression metrics';
  const n = rowCount(what, yTrue, yPred);
  let absolute = 0;
  let squared = 0;
  let sum = 0;
  let absBlock = 0;
  let sqBlock = 0;
  let sumBlock = 0;
  const first = yTrue[0]!;
  let constant = true;
  for (let i = 0; i < n; i++) {
    const y = yTrue[i]!;
    const p = yPred[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(p)) {
      throw new ModelshipError(
        `${what}: row ${i + 1} has a non-finite value (true ${y}, predicted ${p})`,
      );
    }
    const error = y - p;
    absBlock += Math.abs(error);
    sqBlock += error * error;
    sumBlock += y;
    if (y !== first) constant = false;
    if ((i & SUM_MASK) === SUM_MASK) {
      absolute += absBlock;
      squared += sqBlock;
      sum += sumBlock;
      absBlock = sqBlock = sumBlock = 0;
    }
  }
  absolute += absBlock;
  squared += sqBlock;
  sum += sumBlock;
  const mse = squared / n;
  return {
    mae: absolute / n,
    mse,
    rmse: Math.sqrt(mse),
    r2: r2(yTrue, squared, sum / n, constant),
  };
}

/** sklearn's r2_score from the residual sum of squares, with force_finite. */
function r2(yTrue: Float64Array, residual: number, mean: number, constant: boolean): number | null {
  const n = yTrue.length;
  if (n < 2) return null;
  if (residual === 0) return 1;
  // A constant y_true is detected exactly: its mean may round (e.g. 0.1 × 3 rows), and the
  // resulting tiny total would turn "undefined" into a huge negative score.
  if (constant) return 0;
  let total = 0;
  let block = 0;
  for (let i = 0; i < n; i++) {
    const d = yTrue[i]! - mean;
    block += d * d;
    if ((i & SUM_MASK) === SUM_MASK) {
      total += block;
      block = 0;
    }
  }
  total += block;
  return 1 - residual / total;
}
