#!/usr/bin/python3
"""The drift benchmark's reference side: pandas + scipy computing the statistics Modelship's
`modelship drift` computes, on the same data exported to CSV (no pyarrow here, so no Parquet).

    /usr/bin/python3 bench/drift_scipy.py <reference.csv> <current.csv> <runs>

Timed: pandas' own work, read_csv included, then per column (the date column is left out, as
Modelship leaves time columns out): null shares; n_unique for Evidently's method choice; numeric:
Wasserstein distance / population std (the method for a reference of N > 1000); categorical: Jensen-Shannon distance over the union of
categories; PSI for every column (reference deciles, or categories). Prints one JSON line.
"""
import json
import resource
import sys
import time

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

NUMERIC = ["delay", "distance"]
CATEGORICAL = ["origin", "destination"]


def psi(r, c):
    r = np.where(r > 0, r, 0.0001)
    c = np.where(c > 0, c, 0.0001)
    return float(np.sum((c - r) * np.log(c / r)))


def numeric(ref, cur):
    edges = np.quantile(ref, np.arange(1, 10) / 10)
    r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=10) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=10) / len(cur)
    n_u = len(np.union1d(np.unique(ref), np.unique(cur)))
    w = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
    return {"n_unique": n_u, "score": float(w), "psi": psi(r, c)}


def categorical(ref, cur):
    rc, cc = ref.value_counts(), cur.value_counts()
    keys = rc.index.union(cc.index)
    r = rc.reindex(keys, fill_value=0).to_numpy(float)
    c = cc.reindex(keys, fill_value=0).to_numpy(float)
    r, c = r / r.sum(), c / c.sum()
    return {"n_unique": len(keys), "score": float(jensenshannon(r, c)), "psi": psi(r, c)}


def run(ref_path, cur_path):
    t0 = time.perf_counter()
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    t1 = time.perf_counter()
    out = {}
    for name in NUMERIC + CATEGORICAL:
        r, c = ref[name], cur[name]
        result = {"null_share": [float(r.isna().mean()), float(c.isna().mean())]}
        r, c = r.dropna(), c.dropna()
        if name in NUMERIC:
            result.update(numeric(r.to_numpy(float), c.to_numpy(float)))
        else:
            result.update(categorical(r.astype(str), c.astype(str)))
        out[name] = result
    t2 = time.perf_counter()
    return out, t1 - t0, t2 - t1, len(ref), len(cur)


def main():
    ref_path, cur_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    totals, reads, stats_s = [], [], []
    for _ in range(runs):
        values, read_s, stat_s, n_ref, n_cur = run(ref_path, cur_path)
        reads.append(read_s)
        stats_s.append(stat_s)
        totals.append(read_s + stat_s)
    print(json.dumps({
        "total_s": totals, "read_csv_s": reads, "statistics_s": stats_s,
        "rows": [n_ref, n_cur], "values": values,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "pandas": pd.__version__, "scipy": scipy.__version__, "numpy": np.__version__,
    }))


if __name__ == "__main__":
    main()
