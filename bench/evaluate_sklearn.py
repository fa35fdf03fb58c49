#!/usr/bin/python3
"""The sklearn side of the evaluation benchmark (bench/evaluateBench.mjs runs it).

    /usr/bin/python3 bench/evaluate_sklearn.py DIR [RUNS]

Reads the predictions bench/evaluateBench.mjs wrote to DIR (raw little-endian arrays: y.u8,
scores.f64, one <attribute>.u8 of group codes per sensitive attribute, meta.json naming the groups)
and times, RUNS times after one warm-up run, the same metrics with scikit-learn:

- accuracy, precision, recall, f1, roc_auc, log_loss and brier with sklearn's own functions;
- per sensitive attribute, what one Fairlearn MetricFrame over count, selection_rate, TPR, FPR and
  accuracy computes (group the rows, call each metric once per group: TPR/FPR through
  confusion_matrix(normalize='true') as fairlearn.metrics does), then the between-group
  difference and ratio of demographic parity, equalized odds and equal opportunity.

Fairlearn itself is not installed; the restatement leaves out its and pandas' per-call overhead
and builds one frame per attribute where fairlearn's five disparity functions build one each, so
its time is a lower bound on Fairlearn's. Loading is not timed. Prints one JSON line: the values of
the last run, the times and the peak RSS.
"""

import json
import os
import resource
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

try:
    import pandas as pd
except ImportError:  # grouping falls back to np.unique (a sort instead of a hash)
    pd = None

warnings.filterwarnings('ignore')
DIR = sys.argv[1]
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3

with open(os.path.join(DIR, 'meta.json')) as f:
    META = json.load(f)
THRESHOLD = META['threshold']
Y = np.fromfile(os.path.join(DIR, 'y.u8'), dtype='<u1')
SCORES = np.fromfile(os.path.join(DIR, 'scores.f64'), dtype='<f8')
# The sensitive attributes as a data frame holds them: one Python string per row.
GROUPS = {
    name: np.array(values, dtype=object)[np.fromfile(os.path.join(DIR, f'{name}.u8'), dtype='<u1')]
    for name, values in META['groups'].items()
}
assert len(Y) == len(SCORES) == META['rows'], 'bench: the prediction files disagree in length'


def selection_rate(yt, yp):
    return np.mean(yp == 1)  # fairlearn.metrics.selection_rate


def true_positive_rate(yt, yp):
    return skm.confusion_matrix(yt, yp, labels=[0, 1], normalize='true')[1, 1]


def false_positive_rate(yt, yp):
    return skm.confusion_matrix(yt, yp, labels=[0, 1], normalize='true')[0, 1]


GROUP_METRICS = {
    'count': lambda yt, yp: len(yt),
    'selection_rate': selection_rate,
    'tpr': true_positive_rate,
    'fpr': false_positive_rate,
    'accuracy': skm.accuracy_score,
}


def factorize(values):
    if pd is not None:
        codes, uniques = pd.factorize(values)
        return codes, list(uniques)
    uniques, codes = np.unique(values, return_inverse=True)
    return codes, list(uniques)


def spread(by_group, name):
    values = [rates[name] for rates in by_group.values()]
    high = max(values)
    return max(values) - min(values), (min(values) / high if high > 0 else None)


def fairness(y, yp, values):
    """One MetricFrame's by_group table and the disparities derived from it."""
    codes, uniques = factorize(values)
    by_group = {}
    for k, value in enumerate(uniques):
        mask = codes == k
        yt, ypk = y[mask], yp[mask]
        by_group[value] = {name: float(f(yt, ypk)) for name, f in GROUP_METRICS.items()}
    dp_diff, dp_ratio = spread(by_group, 'selection_rate')
    tpr_diff, tpr_ratio = spread(by_group, 'tpr')
    fpr_diff, fpr_ratio = spread(by_group, 'fpr')
    return {
        'groups': by_group,
        'demographic_parity_difference': dp_diff,
        'demographic_parity_ratio': dp_ratio,
        'equalized_odds_difference': max(tpr_diff, fpr_diff),
        'equalized_odds_ratio': (
            None if tpr_ratio is None or fpr_ratio is None else min(tpr_ratio, fpr_ratio)
        ),
        'equal_opportunity_difference': tpr_diff,
    }


def run():
    start = time.perf_counter()
    yp = (SCORES >= THRESHOLD).astype(np.uint8)
    metrics = {
        'accuracy': skm.accuracy_score(Y, yp),
        'precision': skm.precision_score(Y, yp),
        'recall': skm.recall_score(Y, yp),
        'f1': skm.f1_score(Y, yp),
        'roc_auc': skm.roc_auc_score(Y, SCORES),
        'log_loss': skm.log_loss(Y, SCORES),
        'brier': skm.brier_score_loss(Y, SCORES),
    }
    middle = time.perf_counter()
    report = {name: fairness(Y, yp, values) for name, values in GROUPS.items()}
    end = time.perf_counter()
    values = {'metrics': {k: float(v) for k, v in metrics.items()}, 'fairness': report}
    return values, end - start, middle - start, end - middle


run()
totals, metric_times, fairness_times = [], [], []
for _ in range(RUNS):
    values, total, metric_s, fairness_s = run()
    totals.append(total)
    metric_times.append(metric_s)
    fairness_times.append(fairness_s)
print(
    json.dumps(
        {
            'sklearn': sklearn.__version__,
            'numpy': np.__version__,
            'pandas': pd.__version__ if pd is not None else None,
            'rows': int(len(Y)),
            'total_s': totals,
            'metrics_s': metric_times,
            'fairness_s': fairness_times,
            'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            'values': values,
        }
    )
)
