import { ModelshipError } from '../errors.js';
import { FLOAT64_EPS, notAProbability, rowCount, SUM_MASK } from './metricInput.js';

/** Multiclass classification metrics (docs/reports.md). */
export type MulticlassMetrics = { accuracy: number; macro_f1: number; log_loss: number };

function checkClassCount(what: string, classCount: number): void {
  if (!Number.isInteger(classCount) || classCount < 2) {
    throw new ModelshipError(`${what}: expected at least 2 classes, got ${classCount}`);
  }
}

function checkLabel(what: string, row: number, label: number, classCount: number): void {
  if (!(label >= 0 && label < classCount)) {
    throw new ModelshipError(
      `${what}: row ${row + 1} has class index ${label}, outside 0..${classCount - 1}`,
    );
  }
}

/** The predicted class of each row of an N×C row-major matrix: numpy's argmax (first maximum). */
export function argmaxRows(proba: Float64Array, classCount: number): Int32Array {
  checkClassCount('argmax', classCount);
  const n = Math.floor(proba.length / classCount);
  const out = new Int32Array(n);
  for (let i = 0, base = 0; i < n; i++, base += classCount) {
    let best = 0;
    let bestValue = proba[base]!;
    for (let k = 1; k < classCount; k++) {
      const value = proba[base + k]!;
      if (value > bestValue) {
        best = k;
        bestValue = value;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * The C×C confusion matrix, rows = true class, columns = predicted, as sklearn's. The predictions
 * are class indices (Int32Array) or the N×C row-major probabilities (Float64Array), whose argmax
 * is taken as multiclassMetrics does.
 */
export function multiclassConfusion(
  yTrue: Int32Array,
  predicted: Int32Array | Float64Array,
  classCount: number,
): number[][] {
  const what = 'multiclass confusion';
  checkClassCount(what, classCount);
  if (predicted instanceof Float64Array && predicted.length !== yTrue.length * classCount) {
    throw new ModelshipError(
      `${what}: expected ${yTrue.length} × ${classCount} probabilities, got ${predicted.length}`,
    );
  }
  const yPred = predicted instanceof Float64Array ? argmaxRows(predicted, classCount) : predicted;
  const n = rowCount(what, yTrue, yPred);
  const cells = new Float64Array(classCount * classCount);
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    const p = yPred[i]!;
    checkLabel(what, i, t, classCount);
    checkLabel(what, i, p, classCount);
    cells[t * classCount + p]!++;
  }
  return matrixOf(cells, classCount);
}

function matrixOf(cells: Float64Array, classCount: number): number[][] {
  return Array.from({ length: classCount }, (_, t) =>
    Array.from(cells.subarray(t * classCount, (t + 1) * classCount)),
  );
}

/**
 * Macro F1 from a confusion matrix as sklearn 1.2's `f1_score(average='macro')`: the mean of the
 * per-class F1 over the classes present in y_true ∪ y_pred, zero_division → 0.
 */
export function macroF1(confusion: readonly (readonly number[])[]): number {
  const c = confusion.length;
  let sum = 0;
  let labels = 0;
  for (let k = 0; k < c; k++) {
    let trueSum = 0;
    let predSum = 0;
    for (let j = 0; j < c; j++) {
      trueSum += confusion[k]![j]!;
      predSum += confusion[j]![k]!;
    }
    if (trueSum === 0 && predSum === 0) continue;
    labels++;
    const tp = confusion[k]![k]!;
    const precision = predSum === 0 ? 0 : tp / predSum;
    const recall = trueSum === 0 ? 0 : tp / trueSum;
    const denominator = precision + recall;
    sum += denominator === 0 ? 0 : (2 * precision * recall) / denominator;
  }
  return labels === 0 ? 0 : sum / labels;
}

/**
 * Multiclass metrics with sklearn 1.2.1's semantics: yTrue class indices 0..C−1, proba N×C
 * row-major P(class). Prediction = argmax (ties → lowest index). log_loss as
 * `log_loss(y, proba, labels=range(C))`: each value clipped to [eps, 1 − eps], each row divided by
 * its sum after clipping, mean of −ln P(true class).
 */
export function multiclassMetrics(
  yTrue: Int32Array,
  proba: Float64Array,
  classCount: number,
): MulticlassMetrics {
  const what = 'multiclass metrics';
  checkClassCount(what, classCount);
  if (proba.length !== yTrue.length * classCount) {
    throw new ModelshipError(
      `${what}: expected ${yTrue.length} × ${classCount} probabilities, got ${proba.length}`,
    );
  }
  const n = rowCount(what, yTrue);
  const cells = new Float64Array(classCount * classCount);
  const high = 1 - FLOAT64_EPS;
  let correct = 0;
  let logLoss = 0;
  let block = 0;
  for (let i = 0, base = 0; i < n; i++, base += classCount) {
    const label = yTrue[i]!;
    checkLabel(what, i, label, classCount);
    let best = 0;
    let bestValue = -1;
    let rowSum = 0;
    for (let k = 0; k < classCount; k++) {
      const value = proba[base + k]!;
      if (!(value >= 0 && value <= 1)) throw notAProbability(what, i, value);
      if (value > bestValue) {
        best = k;
        bestValue = value;
      }
      rowSum += value < FLOAT64_EPS ? FLOAT64_EPS : value > high ? high : value;
    }
    const own = proba[base + label]!;
    block -= Math.log((own < FLOAT64_EPS ? FLOAT64_EPS : own > high ? high : own) / rowSum);
    if ((i & SUM_MASK) === SUM_MASK) {
      logLoss += block;
      block = 0;
    }
    if (best === label) correct++;
    cells[label * classCount + best]!++;
  }
  logLoss += block;
  return {
    accuracy: correct / n,
    macro_f1: macroF1(matrixOf(cells, classCount)),
    log_loss: logLoss / n,
  };
}
