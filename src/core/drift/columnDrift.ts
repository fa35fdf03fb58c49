import { compareCdfs, cdfBelow } from '../data/cdf.js';
import {
  chiSquareTest,
  jensenShannonDistance,
  zTest,
  type AlignedCounts,
} from './categoricalTests.js';
import type { CategoricalSide, NumericSide, Side } from './driftSides.js';
import type { DriftColumn, DriftMethod, DriftShares, SideCounts } from './driftReport.js';
import { ksPValue } from './ksTest.js';
import { chooseMethod, DEFAULT_THRESHOLDS, isDrift } from './methodSelection.js';
import { decileShares, populationStabilityIndex } from './psi.js';

/** Wasserstein distance is divided by the reference's std, at least this (Evidently). */
export const MIN_NORM = 0.001;

/** Categories drawn per chart; the rest are summed as "(other)". */
const CHART_CATEGORIES = 10;
export const OTHER_BUCKET = '(other)';

export interface ColumnDriftOptions {
  method: DriftMethod | 'auto';
  /** drift.threshold: replaces the method's default when drift.method names a method. */
  threshold?: number;
  referenceRows: number;
  currentRows: number;
}

/** One column's drift: the method Evidently would choose (or the configured one), its score, PSI. */
export function columnDrift(
  reference: NumericSide | CategoricalSide,
  current: Side,
  options: ColumnDriftOptions,
): DriftColumn {
  if (reference.kind === 'numeric' && current.kind === 'numeric')
    return numericDrift(reference, current, options);
  if (reference.kind === 'categorical' && current.kind === 'categorical')
    return categoricalDrift(reference, current, options);
  throw new Error(`columnDrift: ${reference.kind} reference against ${current.kind} current`);
}

function counts(side: Side, rows: number): SideCounts {
  return {
    count: side.count,
    nulls: side.nulls,
    null_share: rows ? side.nulls / rows : 0,
    ...(side.kind === 'numeric' ? { invalid: side.invalid } : {}),
  };
}

function numericDrift(
  ref: NumericSide,
  cur: NumericSide,
  options: ColumnDriftOptions,
): DriftColumn {
  const distinct =
    ref.exact && cur.exact
      ? unionSize(ref.exact.values, cur.exact.values)
      : Math.max(ref.distinct, cur.distinct);
  const { method, overridden } = chooseMethod(options.method, 'numeric', ref.valid, distinct);
  const threshold =
    overridden && options.threshold !== undefined ? options.threshold : DEFAULT_THRESHOLDS[method];
  const psiBins = ref.innerDeciles ?? [];
  const refShares = ref.decileShares ?? decileShares(psiBins, (x) => cdfBelow(ref.cdf, x));
  const curShares = decileShares(psiBins, (x) => cdfBelow(cur.cdf, x));
  const empty = ref.valid === 0 || cur.valid === 0;
  const psi = empty ? null : populationStabilityIndex(refShares, curShares);
  let score: number | null = null;
  let statistic: number | undefined;
  let ksMode: 'exact' | 'asymp' | undefined;
  let errorBound: DriftColumn['error_bound'];
  if (!empty) {
    if (method === 'ks' || method === 'wasserstein') {
      const { ks, wasserstein } = compareCdfs(ref.cdf, cur.cdf);
      const norm = Math.max(ref.std ?? 0, MIN_NORM);
      if (method === 'ks') {
        const test = ksPValue(ks, ref.valid, cur.valid);
        score = test.pValue;
        statistic = ks;
        ksMode = test.method;
      } else score = wasserstein / norm;
      if (ref.sketch)
        errorBound = {
          ks_statistic: ref.sketch.cdfError,
          wasserstein_normed: ref.sketch.wError / norm,
        };
    } else if (method === 'psi') score = psi;
    else {
      const aligned =
        ref.exact && cur.exact
          ? alignValues(ref.exact, cur.exact)
          : binsAsCategories(refShares, curShares, ref.valid, cur.valid);
      ({ score, statistic } = categoricalScore(method, aligned));
    }
  }
  const shares: DriftShares = {
    bins: binLabels(psiBins),
    reference: refShares,
    current: curShares,
  };
  return verdict({
    type: 'numeric',
    method,
    score,
    threshold,
    psi,
    statistic,
    approximate: ref.sketch !== null,
    errorBound,
    ksMode,
    configured: overridden,
    distinct,
    reference: counts(ref, options.referenceRows),
    current: counts(cur, options.currentRows),
    shares,
  });
}

function categoricalDrift(
  ref: CategoricalSide,
  cur: CategoricalSide,
  options: ColumnDriftOptions,
): DriftColumn {
  const aligned = alignCategories(ref, cur);
  const distinct = aligned.keys.length;
  const { method, overridden } = chooseMethod(options.method, 'categorical', ref.count, distinct);
  const threshold =
    overridden && options.threshold !== undefined ? options.threshold : DEFAULT_THRESHOLDS[method];
  const empty = ref.count === 0 || cur.count === 0;
  const refShares = shares(aligned.reference);
  const curShares = shares(aligned.current);
  const psi = empty ? null : populationStabilityIndex(refShares, curShares);
  let score: number | null = null;
  let statistic: number | undefined;
  if (!empty) {
    if (method === 'psi') score = psi;
    else ({ score, statistic } = categoricalScore(method, aligned));
  }
  return verdict({
    type: 'categorical',
    method,
    score,
    threshold,
    psi,
    statistic,
    approximate: ref.other > 0,
    configured: overridden,
    distinct,
    reference: counts(ref, options.referenceRows),
    current: counts(cur, options.currentRows),
    shares: chartCategories(aligned, refShares, curShares),
  });
}

function categoricalScore(
  method: DriftMethod,
  aligned: AlignedCounts & { sorted: string[] },
): { score: number; statistic?: number } {
  if (method === 'chisquare') {
    const test = chiSquareTest(aligned);
    return { score: test.pValue, statistic: test.statistic };
  }
  if (method === 'z') {
    const test = zTest(aligned, aligned.sorted);
    return { score: test.pValue, statistic: test.statistic };
  }
  return { score: jensenShannonDistance(aligned) };
}

function verdict(v: {
  type: DriftColumn['type'];
  method: DriftMethod;
  score: number | null;
  threshold: number;
  psi: number | null;
  statistic: number | undefined;
  approximate: boolean;
  errorBound?: DriftColumn['error_bound'];
  ksMode?: 'exact' | 'asymp';
  configured: boolean;
  distinct: number;
  reference: SideCounts;
  current: SideCounts;
  shares: DriftShares;
}): DriftColumn {
  return {
    type: v.type,
    method: v.method,
    score: v.score,
    threshold: v.threshold,
    drifted: v.score !== null && !Number.isNaN(v.score) && isDrift(v.method, v.score, v.threshold),
    psi: v.psi,
    ...(v.statistic !== undefined ? { statistic: v.statistic } : {}),
    approximate: v.approximate,
    ...(v.errorBound ? { error_bound: v.errorBound } : {}),
    ...(v.ksMode ? { ks_mode: v.ksMode } : {}),
    configured: v.configured,
    n_unique: v.distinct,
    reference: v.reference,
    current: v.current,
    shares: v.shares,
  };
}

function unionSize(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) i++;
    else if (i >= a.length || b[j]! < a[i]!) j++;
    else {
      i++;
      j++;
    }
    n++;
  }
  return n;
}

/** Numeric values as categories (few distinct values): counts over the union, numbers sorted. */
function alignValues(
  ref: { values: Float64Array; counts: Float64Array },
  cur: { values: Float64Array; counts: Float64Array },
): AlignedCounts & { sorted: string[] } {
  const keys: string[] = [];
  const reference: number[] = [];
  const current: number[] = [];
  let i = 0;
  let j = 0;
  while (i < ref.values.length || j < cur.values.length) {
    const takeRef =
      j >= cur.values.length || (i < ref.values.length && ref.values[i]! <= cur.values[j]!);
    const takeCur =
      i >= ref.values.length || (j < cur.values.length && cur.values[j]! <= ref.values[i]!);
    const value = takeRef ? ref.values[i]! : cur.values[j]!;
    keys.push(String(value));
    reference.push(takeRef ? ref.counts[i++]! : 0);
    current.push(takeCur ? cur.counts[j++]! : 0);
  }
  return { keys, reference, current, sorted: keys };
}

function binsAsCategories(
  refShares: number[],
  curShares: number[],
  nRef: number,
  nCur: number,
): AlignedCounts & { sorted: string[] } {
  const keys = refShares.map((_, i) => `bin ${i + 1}`);
  return {
    keys,
    reference: refShares.map((s) => s * nRef),
    current: curShares.map((s) => s * nCur),
    sorted: keys,
  };
}

/**
 * Categories over the union of both sides. Against a profile whose `other` bucket holds rows,
 * current categories the profile did not keep are pooled into that bucket (approximate).
 */
function alignCategories(
  ref: CategoricalSide,
  cur: CategoricalSide,
): AlignedCounts & { sorted: string[] } {
  const keys = new Set<string>(ref.categories.keys());
  let pooled = 0;
  for (const key of cur.categories.keys()) {
    if (ref.other > 0 && !ref.categories.has(key)) pooled += cur.categories.get(key)!;
    else keys.add(key);
  }
  const list = [...keys];
  const reference = list.map((k) => ref.categories.get(k) ?? 0);
  const current = list.map((k) => cur.categories.get(k) ?? 0);
  if (ref.other > 0) {
    list.push(OTHER_BUCKET);
    reference.push(ref.other);
    current.push(pooled);
  }
  const sorted = [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { keys: list, reference, current, sorted };
}

function shares(values: number[]): number[] {
  const total = values.reduce((s, v) => s + v, 0);
  return values.map((v) => (total ? v / total : 0));
}

function chartCategories(aligned: AlignedCounts, ref: number[], cur: number[]): DriftShares {
  const order = aligned.keys
    .map((key, i) => ({ key, i }))
    .sort((a, b) => ref[b.i]! - ref[a.i]! || cur[b.i]! - cur[a.i]! || (a.key < b.key ? -1 : 1));
  const top = order.slice(0, CHART_CATEGORIES);
  const rest = order.slice(CHART_CATEGORIES);
  const out: DriftShares = {
    bins: top.map((o) => o.key),
    reference: top.map((o) => ref[o.i]!),
    current: top.map((o) => cur[o.i]!),
  };
  if (rest.length) {
    out.bins.push(OTHER_BUCKET);
    out.reference.push(rest.reduce((s, o) => s + ref[o.i]!, 0));
    out.current.push(rest.reduce((s, o) => s + cur[o.i]!, 0));
  }
  return out;
}

/** Labels of the 10 PSI bins: below the first edge, between edges, from the last edge up. */
function binLabels(edges: number[]): string[] {
  if (edges.length === 0) return ['all'];
  const f = (x: number) => Number(x.toPrecision(4)).toString();
  return [
    `< ${f(edges[0]!)}`,
    ...edges.slice(1).map((e, i) => `${f(edges[i]!)}–${f(e)}`),
    `≥ ${f(edges[edges.length - 1]!)}`,
  ];
}
