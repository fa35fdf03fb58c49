"""The numpy side of bench/intervalsBench.mjs (issue 16).

speed:  the same work as Modelship's paired bootstrap, vectorised: per replicate one resample
        (counts = bincount of n uniform indices), the weighted confusion histogram of each model
        and attribute (bincount with weights), the weighted log-loss and Brier sums (dot products),
        the metrics and disparities from them; then DeLong (scipy's rankdata) for roc_auc.
agree:  intervals from the resampled arrays themselves (y[rows], s[rows]) with the same indices as
        Modelship (xoshiro128** seeded by SplitMix32, ported below), and DeLong from the pairwise
        definition; prints them for the bench to compare.
"""
import json
import sys
import time

import numpy as np
from scipy.stats import norm, rankdata

M = 0xFFFFFFFF


class Xoshiro:
    def __init__(self, seed):
        state = seed & M
        self.s = []
        for _ in range(4):
            state = (state + 0x9E3779B9) & M
            z = state
            z = ((z ^ (z >> 16)) * 0x21F0AAAD) & M
            z = ((z ^ (z >> 15)) * 0x735A2D97) & M
            self.s.append((z ^ (z >> 15)) & M)

    def next(self):
        s = self.s
        x = (s[1] * 5) & M
        result = ((((x << 7) | (x >> 25)) & M) * 9) & M
        t = (s[1] << 9) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = ((s[3] << 11) | (s[3] >> 21)) & M
        return result


EPS = np.finfo(float).eps


def row_losses(y, s):
    p = np.clip(s, EPS, 1 - EPS)
    q = 1 - p
    log_loss = -np.log(np.where(y == 1, p, q) / (p + q))
    brier = np.where(y == 1, (1 - s) ** 2, s ** 2)
    return log_loss, brier


def metrics_from(cells, ll, br, n, groups):
    tn, fp, fn, tp = cells.reshape(-1, 4).sum(axis=0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    out = [(tp + tn) / n, precision, recall, f1, ll / n, br / n]
    for g in groups:
        out += disparities(g)
    return out


def disparities(hist):
    h = np.asarray(hist, dtype=float).reshape(-1, 4)
    h = h[h.sum(axis=1) > 0]
    tn, fp, fn, tp = h.T
    sel = (tp + fp) / h.sum(axis=1)
    tpr = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=(tp + fn) > 0)
    fpr = np.divide(fp, fp + tn, out=np.zeros_like(fp), where=(fp + tn) > 0)
    ratio = lambda v: v.min() / v.max() if v.max() > 0 else np.nan
    tr, fr = ratio(tpr), ratio(fpr)
    return [np.ptp(sel), ratio(sel), max(np.ptp(tpr), np.ptp(fpr)),
            np.nan if np.isnan(tr) or np.isnan(fr) else min(tr, fr), np.ptp(tpr)]


def delong_ranks(y, a, b):
    out = []
    for s in (a, b):
        pos, neg = s[y == 1], s[y == 0]
        m, n = len(pos), len(neg)
        tz = rankdata(np.concatenate([pos, neg]))
        v10 = (tz[:m] - rankdata(pos)) / n
        v01 = 1 - (tz[m:] - rankdata(neg)) / m
        out.append((tz[:m].sum() / (m * n) - (m + 1) / (2 * n), v10, v01))
    (auc_a, a10, a01), (auc_b, b10, b01) = out
    S = np.cov(np.vstack([a10, b10])) / len(a10) + np.cov(np.vstack([a01, b01])) / len(a01)
    return auc_a, auc_b, S


def speed(case):
    n, replicates, threshold = case['rows'], case['replicates'], case['threshold']
    rng = np.random.default_rng(case['seed'])
    y = (rng.random(n) < 0.3).astype(np.int64)
    z = rng.normal(size=n)
    a = 1 / (1 + np.exp(-(z + y)))
    b = 1 / (1 + np.exp(-(z + 0.9 * y)))
    groups = [rng.integers(0, k, n) for k in case['groups']]
    start = time.perf_counter()
    models = []
    for s in (a, b):
        cells = 2 * y + (s >= threshold)
        ll, br = row_losses(y, s)
        models.append((cells, [g * 4 + cells for g in groups], np.vstack([ll, br])))
    draws = np.random.default_rng(case['seed'])
    for _ in range(replicates):
        counts = np.bincount(draws.integers(0, n, n), minlength=n).astype(float)
        for cells, grouped, sums in models:
            ll, br = sums @ counts
            hists = [np.bincount(c, weights=counts, minlength=4 * k) for c, k in zip(grouped, case['groups'])]
            metrics_from(np.bincount(cells, weights=counts, minlength=4), ll, br, n, hists)
    delong_ranks(y, a, b)
    return {'seconds': time.perf_counter() - start}


def agree(case):
    y = np.asarray(case['yTrue'])
    a, b = np.asarray(case['candidate']), np.asarray(case['baseline'])
    groups = [np.asarray(g) for g in case['groups']]
    t, conf = case['threshold'], case['confidence']
    random = Xoshiro(case['seed'])
    n = len(y)
    values, changes = [], []
    for _ in range(case['replicates']):
        rows = np.array([(random.next() * n) >> 32 for _ in range(n)])
        per = []
        for s in (a, b):
            yr, sr = y[rows], s[rows]
            cells = 2 * yr + (sr >= t)
            ll, br = row_losses(yr, sr)
            hists = [np.bincount(4 * g[rows] + cells, minlength=4 * (g.max() + 1)) for g in groups]
            per.append(np.array(metrics_from(np.bincount(cells, minlength=4), ll.sum(), br.sum(), n, hists), dtype=float))
        values.append(per[0]); changes.append(per[0] - per[1])
    q = [50 * (1 - conf), 50 * (1 + conf)]
    bounds = lambda col: np.percentile(col[~np.isnan(col)], q).tolist()
    values, changes = np.array(values), np.array(changes)
    pos, neg = (y == 1), (y == 0)
    def pairwise(s):
        psi = (s[pos][:, None] > s[neg][None, :]) + 0.5 * (s[pos][:, None] == s[neg][None, :])
        return psi.mean(), psi.mean(axis=1), psi.mean(axis=0)
    (ua, a10, a01), (ub, b10, b01) = pairwise(a), pairwise(b)
    S = np.cov(np.vstack([a10, b10])) / pos.sum() + np.cov(np.vstack([a01, b01])) / neg.sum()
    z = norm.ppf((1 + conf) / 2)
    vd = S[0, 0] + S[1, 1] - 2 * S[0, 1]
    return {
        'values': [bounds(values[:, k]) for k in range(values.shape[1])],
        'changes': [bounds(changes[:, k]) for k in range(values.shape[1])],
        'auc': [max(0.0, ua - z * np.sqrt(S[0, 0])), min(1.0, ua + z * np.sqrt(S[0, 0]))],
        'aucChange': [max(-1.0, ua - ub - z * np.sqrt(vd)), min(1.0, ua - ub + z * np.sqrt(vd))],
        'variance': S[0, 0], 'covariance': S[0, 1],
    }


case = json.load(sys.stdin)
json.dump(speed(case) if case['mode'] == 'speed' else agree(case), sys.stdout)
