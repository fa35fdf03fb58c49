import { chiSquareSf, normalSf } from '../stats/specialFunctions.js';

/** Reference and current counts over the same categories (the union of both). */
export interface AlignedCounts {
  keys: string[];
  reference: number[];
  current: number[];
}

/**
 * Chi-square goodness of fit of the current counts to the reference shares (Evidently's
 * chisquare): expected = reference share × current size over the union of categories; the
 * p-value of χ² with k − 1 degrees of freedom. A category the reference never saw makes χ² infinite
 * (p = 0), as scipy.stats.chisquare does.
 */
export function chiSquareTest(counts: AlignedCounts): { statistic: number; pValue: number } {
  const refTotal = sum(counts.reference);
  const curTotal = sum(counts.current);
  let statistic = 0;
  for (let i = 0; i < counts.keys.length; i++) {
    const expected = (counts.reference[i]! / refTotal) * curTotal;
    const observed = counts.current[i]!;
    statistic +=
      expected === 0 ? (observed === 0 ? NaN : Infinity) : (observed - expected) ** 2 / expected;
  }
  const dof = counts.keys.length - 1;
  return { statistic, pValue: statistic === Infinity ? 0 : chiSquareSf(statistic, dof) };
}

/**
 * Two-proportion Z test (Evidently's z): 1 encodes the first category in sorted order; pooled
 * proportion; p = 2(1 − Φ(|z|)); p = 1 when both samples are the same constant.
 */
export function zTest(
  counts: AlignedCounts,
  sortedKeys: string[],
): { statistic: number; pValue: number } {
  const first = counts.keys.indexOf(sortedKeys[0]!);
  const n1 = sum(counts.reference);
  const n2 = sum(counts.current);
  const p1 = counts.reference[first]! / n1;
  const p2 = counts.current[first]! / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const denominator = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (denominator === 0 || !Number.isFinite(denominator)) return { statistic: 0, pValue: 1 };
  const z = (p1 - p2) / denominator;
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)) };
}

/** Jensen–Shannon distance (natural log) of the two share vectors, as scipy's jensenshannon. */
export function jensenShannonDistance(counts: AlignedCounts): number {
  const p = normalize(counts.reference);
  const q = normalize(counts.current);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    js += relEntr(p[i]!, m) + relEntr(q[i]!, m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

function relEntr(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0;
}

function normalize(values: number[]): number[] {
  const total = sum(values);
  return values.map((v) => v / total);
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
