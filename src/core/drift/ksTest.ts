import { kolmogorovSf } from './kolmogorov.js';

/** ks_2samp picks the exact distribution when both samples have at most this many values. */
export const KS_EXACT_MAX_N = 10_000;

export type KsMode = 'auto' | 'exact' | 'asymp';

/**
 * The two-sided p-value of the two-sample Kolmogorov–Smirnov statistic `d` for samples of sizes
 * n1 and n2, as scipy 1.10's ks_2samp: the exact distribution (Hodges' lattice paths, with
 * Viehmann's 1 − p recursion) when both sizes are at most 10,000, else Smirnov's asymptotic one
 * via kstwo at round(n1·n2/(n1+n2)); and the asymptotic one when the exact one over- or underflows.
 */
export function ksPValue(
  d: number,
  n1: number,
  n2: number,
  mode: KsMode = 'auto',
): { pValue: number; method: 'exact' | 'asymp' } {
  let use: 'exact' | 'asymp' =
    mode === 'auto' ? (Math.max(n1, n2) <= KS_EXACT_MAX_N ? 'exact' : 'asymp') : mode;
  if (use === 'exact') {
    const g = gcd(n1, n2);
    if (n1 / g >= 2_147_483_647 / (n2 / g)) use = 'asymp';
  }
  if (use === 'exact') {
    const p = exactPValue(n1, n2, d);
    if (p !== null) return { pValue: Math.min(1, Math.max(0, p)), method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { pValue: kolmogorovSf(roundHalfEven(en), d), method: 'asymp' };
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** scipy's _attempt_exact_2kssamp (two-sided); null where scipy falls back to asymptotics. */
function exactPValue(n1: number, n2: number, d: number): number | null {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  if (h === 0) return 1;
  const p = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(p) || p < 0 || p > 1) return null;
  return p;
}

/** Pr(D_{n,n} >= h/n): scipy's _compute_prob_outside_square (Horner-like alternating sum). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * The share of lattice paths from (0,0) to (m,n) that leave |x/m − y/n| < h/lcm(m,n): scipy's
 * _compute_outer_prob_inside_method, computing 1 − p directly (Viehmann 2021).
 */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  // scipy's buffer holds lenA values; entries past the window stay 1 in both.
  const A = new Float64Array(Math.max(lenA, n + 2)).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}
