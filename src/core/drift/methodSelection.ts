import type { DriftColumnType, DriftMethod } from './driftReport.js';

/** Default thresholds per method (docs/drift.md; Evidently's defaults). */
export const DEFAULT_THRESHOLDS: Record<DriftMethod, number> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
};

/** Evidently's switch between small and large reference samples. */
export const SMALL_SAMPLE = 1000;

/** Methods that test numbers in order (they need a numeric column with more than 5 values). */
const ORDERED: readonly DriftMethod[] = ['ks', 'wasserstein'];

/**
 * Evidently's default choice: N reference values, n_u distinct values in reference ∪ current.
 * Numeric with n_u > 5: KS (N ≤ 1000) or Wasserstein normed; otherwise (categorical, or numeric
 * with few values): chi-square (n_u > 2) or Z (N ≤ 1000), Jensen–Shannon beyond.
 */
export function autoMethod(type: DriftColumnType, n: number, distinct: number): DriftMethod {
  if (type === 'numeric' && distinct > 5) return n <= SMALL_SAMPLE ? 'ks' : 'wasserstein';
  if (n <= SMALL_SAMPLE) return distinct > 2 ? 'chisquare' : 'z';
  return 'jensenshannon';
}

/** The configured method where it fits the column, else the automatic one. */
export function chooseMethod(
  configured: DriftMethod | 'auto',
  type: DriftColumnType,
  n: number,
  distinct: number,
): { method: DriftMethod; overridden: boolean } {
  const auto = autoMethod(type, n, distinct);
  if (configured === 'auto') return { method: auto, overridden: false };
  if (ORDERED.includes(configured) && type !== 'numeric')
    return { method: auto, overridden: false };
  return { method: configured, overridden: true };
}

/** Whether a score crosses its threshold: p-values below (KS at or below), distances at or above. */
export function isDrift(method: DriftMethod, score: number, threshold: number): boolean {
  if (method === 'ks') return score <= threshold;
  if (method === 'chisquare' || method === 'z') return score < threshold;
  return score >= threshold;
}
