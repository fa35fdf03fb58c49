/**
 * scikit-learn's metrics on given arrays, computed at test time by the system Python
 * (/usr/bin/python3 with python3-sklearn), so a test can hold Modelship's metric functions to the
 * reference tool on outputs it produced itself (an onnxruntime session's, for instance). The calls
 * are the ones test/fixtures/reference/make_reference.py pins for the committed reference cases.
 * Gate the test with systemRequirements(['python-sklearn']).
 */
import { spawnSync } from 'node:child_process';
import { SYSTEM_PYTHON } from './systemRequirements.js';

/** Binary: yTrue 0/1, scores = P(positive), predicted positive when score >= threshold. */
export interface BinaryCase {
  task: 'binary';
  yTrue: number[];
  scores: number[];
  threshold: number;
}

/** Multiclass: yTrue class indices, proba one row of C probabilities per row, predicted argmax. */
export interface MulticlassCase {
  task: 'multiclass';
  yTrue: number[];
  proba: number[][];
}

export interface RegressionCase {
  task: 'regression';
  yTrue: number[];
  yPred: number[];
}

export type ReferenceCase = BinaryCase | MulticlassCase | RegressionCase;

/** Metric name → sklearn's value; null where sklearn has none (roc_auc with one class). */
export type ReferenceMetrics = Record<string, number | null>;

const SCRIPT = `
import json, sys
import numpy as np
import sklearn.metrics as skm

def num(value):
    value = float(value)
    return value if np.isfinite(value) else None

def binary(case):
    y = np.asarray(case['yTrue'], dtype=int)
    scores = np.asarray(case['scores'], dtype=float)
    pred = (scores >= case['threshold']).astype(int)
    return {
        'accuracy': num(skm.accuracy_score(y, pred)),
        'precision': num(skm.precision_score(y, pred, zero_division=0)),
        'recall': num(skm.recall_score(y, pred, zero_division=0)),
        'f1': num(skm.f1_score(y, pred, zero_division=0)),
        'roc_auc': num(skm.roc_auc_score(y, scores)) if len(set(y.tolist())) == 2 else None,
        'log_loss': num(skm.log_loss(y, scores, labels=[0, 1])),
        'brier': num(skm.brier_score_loss(y, scores)),
    }

def multiclass(case):
    y = np.asarray(case['yTrue'], dtype=int)
    proba = np.asarray(case['proba'], dtype=float)
    pred = proba.argmax(axis=1)
    return {
        'accuracy': num(skm.accuracy_score(y, pred)),
        'macro_f1': num(skm.f1_score(y, pred, average='macro', zero_division=0)),
        'log_loss': num(skm.log_loss(y, proba, labels=list(range(proba.shape[1])))),
    }

def regression(case):
    y = np.asarray(case['yTrue'], dtype=float)
    p = np.asarray(case['yPred'], dtype=float)
    return {
        'mae': num(skm.mean_absolute_error(y, p)),
        'mse': num(skm.mean_squared_error(y, p)),
        'rmse': num(skm.mean_squared_error(y, p, squared=False)),
        'r2': num(skm.r2_score(y, p)),
    }

TASKS = {'binary': binary, 'multiclass': multiclass, 'regression': regression}
cases = json.load(sys.stdin)
json.dump([TASKS[case['task']](case) for case in cases], sys.stdout)
`;

/**
 * sklearn's metrics for every case, in one Python run. JSON carries each float64 exactly both ways,
 * so Python sees the very numbers the test holds.
 */
export function sklearnMetrics(cases: ReferenceCase[]): ReferenceMetrics[] {
  const result = spawnSync(SYSTEM_PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${SYSTEM_PYTHON} could not compute the sklearn reference:\n${result.stderr}`);
  }
  return JSON.parse(result.stdout) as ReferenceMetrics[];
}
