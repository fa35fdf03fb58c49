/**
 * Reference intervals computed at test time by the system Python (numpy, scipy, scikit-learn),
 * independently of src/core/stats: DeLong from the pairwise definition (the structural components
 * as means of ψ(x, y) = 1, ½, 0 over all positive–negative pairs, no ranks), and the bootstrap by
 * resampling the arrays with the same indices (xoshiro128** seeded by SplitMix32, re-implemented
 * below) and calling sklearn's metrics on each resample, percentiles by numpy's default (linear).
 * Gate the test with systemRequirements(['python-sklearn']).
 */
import { spawnSync } from 'node:child_process';
import { SYSTEM_PYTHON } from './systemRequirements.js';

const SCRIPT = String.raw`
import json, sys
import numpy as np
import sklearn.metrics as skm
from scipy.stats import norm

M = 0xffffffff

class Xoshiro:
    def __init__(self, seed):
        state = seed & M
        words = []
        for _ in range(4):
            state = (state + 0x9e3779b9) & M
            z = state
            z = ((z ^ (z >> 16)) * 0x21f0aaad) & M
            z = ((z ^ (z >> 15)) * 0x735a2d97) & M
            words.append((z ^ (z >> 15)) & M)
        self.s = words

    def next(self):
        s = self.s
        x = (s[1] * 5) & M
        result = ((((x << 7) | (x >> 25)) & M) * 9) & M
        t = (s[1] << 9) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = ((s[3] << 11) | (s[3] >> 21)) & M
        return result

def resamples(n, replicates, seed):
    random = Xoshiro(seed)
    for _ in range(replicates):
        yield np.array([(random.next() * n) >> 32 for _ in range(n)], dtype=np.int64)

def components(y, s):
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    return psi.mean(), psi.mean(axis=1), psi.mean(axis=0)

def delong(case):
    y = np.asarray(case['yTrue'])
    a, va10, va01 = components(y, np.asarray(case['candidate']))
    b, vb10, vb01 = components(y, np.asarray(case['baseline']))
    m, n = len(va10), len(va01)
    s10 = np.cov(np.vstack([va10, vb10]))
    s01 = np.cov(np.vstack([va01, vb01]))
    S = s10 / m + s01 / n
    diff = a - b
    vdiff = S[0, 0] + S[1, 1] - 2 * S[0, 1]
    z = norm.ppf((1 + case['confidence']) / 2)
    return {
        'candidate': a, 'baseline': b, 'varCandidate': S[0, 0], 'varBaseline': S[1, 1],
        'covariance': S[0, 1], 'differenceVariance': vdiff,
        'pValue': 2 * norm.sf(abs(diff) / np.sqrt(vdiff)),
        'low': max(0.0, a - z * np.sqrt(S[0, 0])), 'high': min(1.0, a + z * np.sqrt(S[0, 0])),
        'changeLow': max(-1.0, diff - z * np.sqrt(vdiff)),
        'changeHigh': min(1.0, diff + z * np.sqrt(vdiff)),
    }

def spread(values):
    return max(values) - min(values), (min(values) / max(values) if max(values) > 0 else np.nan)

def fairness(y, pred, groups):
    sel, tpr, fpr = [], [], []
    for g in sorted(set(groups.tolist())):
        mask = groups == g
        yt, yp = y[mask], pred[mask]
        sel.append(yp.mean())
        tpr.append(yp[yt == 1].mean() if (yt == 1).any() else 0.0)
        fpr.append(yp[yt == 0].mean() if (yt == 0).any() else 0.0)
    sd, sr = spread(sel); td, tr = spread(tpr); fd, fr = spread(fpr)
    eor = np.nan if np.isnan(tr) or np.isnan(fr) else min(tr, fr)
    return [sd, sr, max(td, fd), eor, td]

def binary(case, y, s, rows):
    y, s = y[rows], s[rows]
    pred = (s >= case['threshold']).astype(int)
    values = [skm.accuracy_score(y, pred), skm.precision_score(y, pred, zero_division=0),
              skm.recall_score(y, pred, zero_division=0), skm.f1_score(y, pred, zero_division=0),
              skm.log_loss(y, s, labels=[0, 1]), skm.brier_score_loss(y, s, pos_label=1)]
    for groups in case.get('groups', []):
        values += fairness(y, pred, np.asarray(groups)[rows])
    return values

def by_group(groups, rows, metric):
    # Fairlearn's MetricFrame between groups: max − min and min / max over the groups present.
    g = np.asarray(groups)[rows]
    values = [metric(g == value) for value in sorted(set(g.tolist()))]
    return [max(values) - min(values), min(values) / max(values) if max(values) > 0 else np.nan]

def multiclass(case, y, p, rows):
    y, p = y[rows], p[rows]
    pred = p.argmax(axis=1)
    out = [skm.accuracy_score(y, pred), skm.f1_score(y, pred, average='macro', zero_division=0),
           skm.log_loss(y, p, labels=list(range(p.shape[1])))]
    for groups in case.get('groups', []):
        out += by_group(groups, rows, lambda m: skm.accuracy_score(y[m], pred[m]))
    return out

def regression(case, y, p, rows):
    y, p = y[rows], p[rows]
    mse = skm.mean_squared_error(y, p)
    out = [skm.mean_absolute_error(y, p), mse, np.sqrt(mse), skm.r2_score(y, p)]
    for groups in case.get('groups', []):
        out += by_group(groups, rows, lambda m: skm.mean_absolute_error(y[m], p[m]))
        out += by_group(groups, rows, lambda m: skm.mean_squared_error(y[m], p[m], squared=False))
    return out

def bootstrap(case):
    metric = {'binary': binary, 'multiclass': multiclass, 'regression': regression}[case['task']]
    y = np.asarray(case['yTrue'])
    a, b = np.asarray(case['candidate']), np.asarray(case['baseline'])
    values, changes = [], []
    for rows in resamples(len(y), case['replicates'], case['seed']):
        va, vb = np.array(metric(case, y, a, rows)), np.array(metric(case, y, b, rows))
        values.append(va); changes.append(va - vb)
    q = [50 * (1 - case['confidence']), 50 * (1 + case['confidence'])]
    def bounds(column):
        column = column[~np.isnan(column)]
        return np.percentile(column, q).tolist() if len(column) else None
    values, changes = np.array(values), np.array(changes)
    return {'values': [bounds(values[:, k]) for k in range(values.shape[1])],
            'changes': [bounds(changes[:, k]) for k in range(values.shape[1])],
            'indices': next(resamples(len(y), 1, case['seed'])).tolist()}

case = json.load(sys.stdin)
json.dump(delong(case) if case['kind'] == 'delong' else bootstrap(case), sys.stdout)
`;

export interface DelongCase {
  kind: 'delong';
  yTrue: number[];
  candidate: number[];
  baseline: number[];
  confidence: number;
}

export interface DelongReference {
  candidate: number;
  baseline: number;
  varCandidate: number;
  varBaseline: number;
  covariance: number;
  differenceVariance: number;
  pValue: number;
  low: number;
  high: number;
  changeLow: number;
  changeHigh: number;
}

export interface BootstrapCase {
  kind: 'bootstrap';
  task: 'binary' | 'multiclass' | 'regression';
  yTrue: number[];
  /** Binary: P(positive); multiclass: rows of probabilities; regression: predictions. */
  candidate: number[] | number[][];
  baseline: number[] | number[][];
  threshold?: number;
  /** The group value of each row, one array per sensitive attribute. */
  groups?: string[][];
  replicates: number;
  seed: number;
  confidence: number;
}

/** Per statistic key (in the WeightedStatistic's order): [low, high], or null if never defined. */
export interface BootstrapReference {
  values: ([number, number] | null)[];
  changes: ([number, number] | null)[];
  /** The row indices of the first resample. */
  indices: number[];
}

function runPython<T>(input: DelongCase | BootstrapCase): T {
  const result = spawnSync(SYSTEM_PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 300_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0)
    throw new Error(`${SYSTEM_PYTHON} could not compute the interval reference:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export const delongReference = (input: DelongCase) => runPython<DelongReference>(input);
export const bootstrapReference = (input: BootstrapCase) => runPython<BootstrapReference>(input);
