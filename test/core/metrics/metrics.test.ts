import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import {
  binaryConfusion,
  binaryMetrics,
  precisionRecallF1,
  predictLabels,
} from '../../../src/core/metrics/binary.js';
import { FLOAT64_EPS } from '../../../src/core/metrics/metricInput.js';
import {
  argmaxRows,
  macroF1,
  multiclassConfusion,
  multiclassMetrics,
} from '../../../src/core/metrics/multiclass.js';
import { regressionMetrics } from '../../../src/core/metrics/regression.js';
import { rocAuc } from '../../../src/core/metrics/rocAuc.js';
import { expectAllClose, expectClose, reference } from '../../fixtures/reference/referenceCases.js';

const BINARY_KEYS = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss', 'brier'];

describe('reference fixture', () => {
  it('was made by the scikit-learn version the code matches', () => {
    expect(reference.versions.sklearn).toBe('1.2.1');
    expect(reference.eps).toBe(FLOAT64_EPS);
    expect(reference.binary.length).toBeGreaterThanOrEqual(10);
    expect(reference.multiclass.length).toBeGreaterThanOrEqual(5);
    expect(reference.regression.length).toBeGreaterThanOrEqual(5);
  });

  it('holds the credit-risk holdout labels as the example data has them', () => {
    const credit = reference.binary.find((c) => c.name === 'credit_risk_eval')!;
    const url = new URL('../../../examples/credit-risk/data/eval.csv', import.meta.url);
    const [header, ...lines] = readFileSync(url, 'utf8').trim().split('\n');
    const columns = header!.split(',');
    const rows = lines.map((line) => line.split(','));
    const column = (name: string) => rows.map((row) => row[columns.indexOf(name)]!);
    expect(credit.y_true).toEqual(column('class').map((v) => (v === 'bad' ? 1 : 0)));
    expect(credit.fairness!.personal_status!.values).toEqual(column('personal_status'));
    expect(credit.fairness!.foreign_worker!.values).toEqual(column('foreign_worker'));
  });
});

describe('binaryMetrics against sklearn', () => {
  for (const c of reference.binary) {
    it(c.name, () => {
      const yTrue = Uint8Array.from(c.y_true);
      const scores = Float64Array.from(c.scores);
      const metrics = binaryMetrics(yTrue, scores, c.threshold);
      expect(Object.keys(metrics).sort()).toEqual([...BINARY_KEYS].sort());
      expectAllClose(metrics, c.expected, BINARY_KEYS, c.name);
      const yPred = predictLabels(scores, c.threshold);
      expect(binaryConfusion(yTrue, yPred)).toEqual(c.expected.confusion);
      expectClose(rocAuc(yTrue, scores), c.expected.roc_auc, `${c.name} rocAuc`);
    });
  }
});

describe('binaryMetrics edges', () => {
  it('predicts positive when the score equals the threshold', () => {
    const metrics = binaryMetrics(
      Uint8Array.of(1, 0),
      Float64Array.of(0.5, 0.4999999999999999),
      0.5,
    );
    expect(metrics.recall).toBe(1);
    expect(metrics.precision).toBe(1);
    expect(predictLabels(Float64Array.of(0.5, 0.49), 0.5)).toEqual(Uint8Array.of(1, 0));
  });

  it('reports null roc_auc for one class and stays finite elsewhere', () => {
    const metrics = binaryMetrics(Uint8Array.of(1, 1, 1), Float64Array.of(0, 1, 0.5), 0.5);
    expect(metrics.roc_auc).toBeNull();
    for (const value of Object.values(metrics)) {
      if (value !== null) expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('clips log_loss at float64 eps: a confident miss costs -ln(eps)', () => {
    const metrics = binaryMetrics(Uint8Array.of(1), Float64Array.of(0), 0.5);
    expect(metrics.log_loss).toBeCloseTo(-Math.log(FLOAT64_EPS), 12);
    expect(metrics.brier).toBe(1);
  });

  it('treats -0 and +0 as one score for roc_auc', () => {
    expect(rocAuc(Uint8Array.of(1, 0, 1, 0), Float64Array.of(-0, 0, 0, -0))).toBe(0.5);
  });

  it('gives zero_division 0 for precision, recall and f1', () => {
    expect(precisionRecallF1({ tp: 0, fp: 0, tn: 3, fn: 0 })).toEqual({
      precision: 0,
      recall: 0,
      f1: 0,
    });
  });

  it('rejects scores that are not probabilities, naming the row', () => {
    const bad = [1.5, -0.1, Number.NaN];
    for (const value of bad) {
      expect(() => binaryMetrics(Uint8Array.of(0, 1), Float64Array.of(0.2, value), 0.5)).toThrow(
        /row 2 has/,
      );
    }
    expect(() => binaryMetrics(Uint8Array.of(0, 1), Float64Array.of(0.2, 2), 0.5)).toThrow(
      ModelshipError,
    );
  });

  it('rejects inputs of different length and empty inputs', () => {
    expect(() => binaryMetrics(Uint8Array.of(0, 1), Float64Array.of(0.2), 0.5)).toThrow(
      /differ in length \(2 vs 1\)/,
    );
    expect(() => binaryMetrics(new Uint8Array(0), new Float64Array(0), 0.5)).toThrow(/no rows/);
    expect(() => binaryConfusion(Uint8Array.of(1), Uint8Array.of(1, 0))).toThrow(ModelshipError);
  });
});

describe('multiclassMetrics against sklearn', () => {
  for (const c of reference.multiclass) {
    it(c.name, () => {
      const yTrue = Int32Array.from(c.y_true);
      const proba = Float64Array.from(c.proba);
      const metrics = multiclassMetrics(yTrue, proba, c.classes);
      expect(Object.keys(metrics).sort()).toEqual(['accuracy', 'log_loss', 'macro_f1']);
      expectAllClose(metrics, c.expected, ['accuracy', 'macro_f1', 'log_loss'], c.name);
      const predicted = argmaxRows(proba, c.classes);
      expect(Array.from(predicted)).toEqual(c.expected.predicted);
      expect(multiclassConfusion(yTrue, predicted, c.classes)).toEqual(c.expected.confusion);
      expect(multiclassConfusion(yTrue, proba, c.classes)).toEqual(c.expected.confusion);
      expectClose(macroF1(c.expected.confusion), c.expected.macro_f1, `${c.name} macroF1`);
    });
  }
});

describe('multiclassMetrics edges', () => {
  it('breaks argmax ties towards the lowest class index', () => {
    expect(Array.from(argmaxRows(Float64Array.of(0.4, 0.4, 0.2, 0, 0.5, 0.5), 3))).toEqual([0, 1]);
  });

  it('leaves classes neither true nor predicted out of macro_f1', () => {
    // Class 2 is absent: F1 is the mean over classes 0 and 1 only.
    const metrics = multiclassMetrics(Int32Array.of(0, 1), Float64Array.of(1, 0, 0, 0, 1, 0), 3);
    expect(metrics.macro_f1).toBe(1);
    expect(metrics.accuracy).toBe(1);
  });

  it('rejects bad shapes, class indices and probabilities', () => {
    expect(() => multiclassMetrics(Int32Array.of(0, 1), Float64Array.of(1, 0, 0), 2)).toThrow(
      /expected 2 × 2 probabilities, got 3/,
    );
    expect(() => multiclassMetrics(Int32Array.of(0, 3), Float64Array.of(1, 0, 0, 1), 2)).toThrow(
      /row 2 has class index 3, outside 0\.\.1/,
    );
    expect(() => multiclassMetrics(Int32Array.of(0), Float64Array.of(1.2, 0), 2)).toThrow(
      /probabilities in \[0, 1\], row 1 has 1\.2/,
    );
    expect(() => multiclassMetrics(Int32Array.of(0), Float64Array.of(1), 1)).toThrow(
      /at least 2 classes/,
    );
    expect(() => multiclassConfusion(Int32Array.of(0), Int32Array.of(5), 3)).toThrow(
      /class index 5/,
    );
  });
});

describe('regressionMetrics against sklearn', () => {
  for (const c of reference.regression) {
    it(c.name, () => {
      const metrics = regressionMetrics(Float64Array.from(c.y_true), Float64Array.from(c.y_pred));
      expect(Object.keys(metrics).sort()).toEqual(['mae', 'mse', 'r2', 'rmse']);
      expectAllClose(metrics, c.expected, ['mae', 'mse', 'rmse', 'r2'], c.name);
    });
  }
});

describe('regressionMetrics edges', () => {
  it('scores a constant y_true 1 when exact and 0 otherwise, even when its mean rounds', () => {
    const y = Float64Array.of(0.1, 0.1, 0.1);
    expect(regressionMetrics(y, Float64Array.of(0.1, 0.1, 0.1)).r2).toBe(1);
    expect(regressionMetrics(y, Float64Array.of(0.1, 0.2, 0.1)).r2).toBe(0);
  });

  it('reports null r2 for one row, as sklearn does not define it', () => {
    expect(regressionMetrics(Float64Array.of(1), Float64Array.of(2))).toEqual({
      mae: 1,
      mse: 1,
      rmse: 1,
      r2: null,
    });
  });

  it('rejects non-finite values', () => {
    expect(() => regressionMetrics(Float64Array.of(1, 2), Float64Array.of(1, Infinity))).toThrow(
      /row 2 has a non-finite value/,
    );
  });
});
