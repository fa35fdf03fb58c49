#!/usr/bin/env python3
"""The benchmark's pandas reference: the check a Great Expectations user would write by hand.

Usage: validate_pandas.py <data.csv>

Reads the CSV as text (an empty field is null) and checks the same 20-column contract as
bench/generateCsv.mjs (CONTRACT), with vectorised pandas operations. Prints one JSON line:
{"rows": N, "elapsed_s": S, "counts": {"<column>.<check>": n, ...}}, where elapsed_s is measured
inside Python and includes read_csv.
"""

import json
import sys
import time

import pandas as pd

# The contract, as in bench/generateCsv.mjs.
CONTRACT = {
    'id': {'type': 'string', 'unique': True, 'pattern': r'^u[0-9]+$'},
    'age': {'type': 'integer', 'min': 18, 'max': 100},
    'tenure': {'type': 'integer', 'min': 0, 'max': 600},
    'visits': {'type': 'integer', 'min': 0},
    'items': {'type': 'integer', 'min': 0, 'max': 1000},
    'rank': {'type': 'integer', 'min': 1, 'max': 10},
    'score': {'type': 'number', 'min': 0, 'max': 1},
    'balance': {'type': 'number', 'min': -10000, 'max': 1000000},
    'ratio': {'type': 'number', 'min': 0, 'max': 1, 'nullable': True},
    'latency': {'type': 'number', 'min': 0},
    'weight': {'type': 'number', 'min': 0, 'max': 500},
    'region': {'type': 'string', 'in': ['north', 'south', 'east', 'west']},
    'plan': {'type': 'string', 'in': ['free', 'basic', 'pro', 'enterprise']},
    'channel': {'type': 'string', 'in': ['web', 'store', 'phone', 'partner', 'app']},
    'segment': {'type': 'string', 'in': ['a', 'b', 'c'], 'mostly': 0.995},
    'email': {'type': 'string', 'pattern': '@', 'nullable': True},
    'name': {'type': 'string'},
    'active': {'type': 'boolean'},
    'created': {'type': 'timestamp', 'min': '2015-01-01'},
    'updated': {'type': 'timestamp', 'nullable': True},
}
ROWS_MIN = 1000

INTEGER_RE = r'^\s*[+-]?[0-9]+\s*$'
# to_numeric reads 'nan'; the contract does not (nor underscores, which float() would take).
NOT_A_NUMBER_RE = r'(?i)nan|_'
BOOLEAN_TEXT = {'true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0'}


def to_timestamps(values):
    """Parses ISO dates and times; anything else becomes NaT."""
    if int(pd.__version__.split('.')[0]) >= 2:
        return pd.to_datetime(values, errors='coerce', format='ISO8601')
    return pd.to_datetime(values, errors='coerce')


def typed(values, kind):
    """The column's non-null values in the contract type (NaN/NaT/None where they are not)."""
    if kind == 'integer':
        shaped = values.str.match(INTEGER_RE)
        return pd.to_numeric(values.where(shaped).str.strip(), errors='coerce')
    if kind == 'number':
        numbers = pd.to_numeric(values, errors='coerce')
        return numbers.where(~values.str.contains(NOT_A_NUMBER_RE))
    if kind == 'boolean':
        lower = values.str.lower()
        return lower.where(lower.isin(BOOLEAN_TEXT))
    if kind == 'timestamp':
        return to_timestamps(values)
    return values


def bound(kind, value):
    return pd.Timestamp(value) if kind == 'timestamp' else value


def check(frame):
    counts = {}
    for column, rule in CONTRACT.items():
        if column not in frame.columns:
            continue
        kind = rule['type']
        raw = frame[column]
        null = raw == ''
        values = raw[~null]
        if not rule.get('nullable', False):
            counts[f'{column}.nullable'] = int(null.sum())
        value = typed(values, kind)
        ok = value.notna()
        if kind != 'string':
            counts[f'{column}.type'] = int((~ok).sum())
        value = value[ok]
        if 'min' in rule:
            counts[f'{column}.min'] = int((value < bound(kind, rule['min'])).sum())
        if 'max' in rule:
            counts[f'{column}.max'] = int((value > bound(kind, rule['max'])).sum())
        if 'in' in rule:
            counts[f'{column}.in'] = int((~value.isin(rule['in'])).sum())
        if 'pattern' in rule:
            counts[f'{column}.pattern'] = int((~value.str.contains(rule['pattern'], regex=True)).sum())
        if rule.get('unique', False):
            counts[f'{column}.unique'] = int(values.duplicated(keep=False).sum())
    missing = [c for c in CONTRACT if c not in frame.columns]
    extra = [c for c in frame.columns if c not in CONTRACT]
    for column in missing:
        counts[f'{column}.missing_column'] = len(frame)
    for column in extra:
        counts[f'{column}.extra_column'] = len(frame)
    counts['.rows'] = len(frame) if len(frame) < ROWS_MIN else 0
    return counts


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: validate_pandas.py <data.csv>')
    start = time.perf_counter()
    frame = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
    counts = check(frame)
    elapsed = time.perf_counter() - start
    print(json.dumps({'rows': len(frame), 'elapsed_s': round(elapsed, 3), 'counts': counts}))


if __name__ == '__main__':
    main()
