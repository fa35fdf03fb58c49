import { FLOAT64_EPS, notAProbability, rowCount, SUM_MASK } from './metricInput.js';
import { rocAuc } from './rocAuc.js';

/** Binary classification metrics (docs/reports.md); roc_auc is null when yTrue has one class. */
export type BinaryMetrics = {
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number | null;
  log_loss: number;
  brier: number;
};

/** Counts of a binary confusion matrix. */
export type BinaryConfusion = { tp: number; fp: number; tn: number; fn: number };

/** Predicted labels: 1 where score >= threshold, as docs/evaluate-and-gate.md defines the positive class. */
export function predictLabels(scores: Float64Array, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i]! >= threshold ? 1 : 0;
  return out;
}

/** The confusion matrix of binary labels (any non-zero value is the positive class). */
export function binaryConfusion(yTrue: Uint8Array, yPred: Uint8Array): BinaryConfusion {
  const n = rowCount('binary confusion', yTrue, yPred);
  // cells[2 × truth + prediction]: tn, fp, fn, tp.
  const cells = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    cells[(yTrue[i] !== 0 ? 2 : 0) + (yPred[i] !== 0 ? 1 : 0)]!++;
  }
  const [tn, fp, fn, tp] = cells as [number, number, number, number];
  return { tp, fp, tn, fn };
}

/**
 * Precision, recall and F1 of the positive class as sklearn 1.2 computes them
 * (`average='binary'`, zero_division → 0; F1 = 2PR / (P + R), 0 when P + R = 0).
 */
export function precisionRecallF1(c: BinaryConfusion): {
  precision: number;
  recall: number;
  f1: number;
} {
  const precision = c.tp + c.fp === 0 ? 0 : c.tp / (c.tp + c.fp);
  const recall = c.tp + c.fn === 0 ? 0 : c.tp / (c.tp + c.fn);
  const denominator = precision + recall;
  const f1 = denominator === 0 ? 0 : (2 * precision * recall) / denominator;
  return { precision, recall, f1 };
}

/**
 * Binary metrics with sklearn's semantics (matched against scikit-learn 1.2.1): yTrue 1 =
 * positive, scores = P(positive) in [0, 1], predicted positive when score >= threshold.
 * log_loss clips to [eps, 1 − eps] (float64 eps), renormalises [1 − p, p] and takes the mean
 * natural log, with both classes known even when yTrue holds one (sklearn's `labels=[0, 1]`);
 * brier is `brier_score_loss` on the unclipped scores. One pass plus one sort (roc_auc).
 */
export function binaryMetrics(
  yTrue: Uint8Array,
  scores: Float64Array,
  threshold: number,
): BinaryMetrics {
  const what = 'binary metrics';
  const n = rowCount(what, yTrue, scores);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let logLoss = 0;
  let brier = 0;
  let logBlock = 0;
  let brierBlock = 0;
  const high = 1 - FLOAT64_EPS;
  for (let i = 0; i < n; i++) {
    const score = scores[i]!;
    if (!(score >= 0 && score <= 1)) throw notAProbability(what, i, score);
    const p = score < FLOAT64_EPS ? FLOAT64_EPS : score > high ? high : score;
    const q = 1 - p;
    const rowSum = q + p; // sklearn divides by the row sum after clipping; it may differ from 1
    const predicted = score >= threshold;
    if (yTrue[i] !== 0) {
      if (predicted) tp++;
      else fn++;
      logBlock -= Math.log(p / rowSum);
      brierBlock += (1 - score) * (1 - score);
    } else {
      if (predicted) fp++;
      else tn++;
      logBlock -= Math.log(q / rowSum);
      brierBlock += score * score;
    }
    if ((i & SUM_MASK) === SUM_MASK) {
      logLoss += logBlock;
      brier += brierBlock;
      logBlock = 0;
      brierBlock = 0;
    }
  }
  logLoss += logBlock;
  brier += brierBlock;
  return {
    accuracy: (tp + tn) / n,
    ...precisionRecallF1({ tp, fp, tn, fn }),
    roc_auc: rocAuc(yTrue, scores),
    log_loss: logLoss / n,
    brier: brier / n,
  };
}
