import type { CategoricalDistribution, Distribution } from '../data/columnDistributions.js';
import { sketchCdf, stepCdf, type Cdf } from '../data/cdf.js';
import {
  sketchOf,
  type ColumnProfile,
  type NumericColumnProfile,
  type QuantileSketch,
} from '../data/profile.js';
import { momentsFromCounts, quantilesFromCounts } from '../data/quantileSketch.js';

/** Inner decile levels: the 9 edges that cut 10 PSI bins. */
export const INNER_DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** One side of a numeric comparison, from raw data (exact) or a profile (maybe sketched). */
export interface NumericSide {
  kind: 'numeric';
  count: number;
  nulls: number;
  invalid: number;
  /** Finite values the tests use. */
  valid: number;
  cdf: Cdf;
  /** Every distinct value and its count, when known. */
  exact: { values: Float64Array; counts: Float64Array } | null;
  distinct: number;
  std: number | null;
  innerDeciles: number[] | null;
  /** Exact shares of the PSI bins, when a profile stored them. */
  decileShares?: number[];
  /** Error bounds when the CDF comes from a sketch; null when it is exact. */
  sketch: { cdfError: number; wError: number } | null;
}

export interface CategoricalSide {
  kind: 'categorical';
  count: number;
  nulls: number;
  categories: Map<string, number>;
  /** Rows in a profile's `other` bucket (categories beyond its top 1,000); 0 when exact. */
  other: number;
}

export interface DatetimeSide {
  kind: 'datetime';
  count: number;
  nulls: number;
}

export type Side = NumericSide | CategoricalSide | DatetimeSide;

/** A side from an exact distribution (raw data). */
export function sideOfDistribution(dist: Distribution): Side {
  if (dist.kind === 'numeric') {
    const { values, counts } = dist;
    const moments = momentsFromCounts(values, counts);
    return {
      kind: 'numeric',
      count: dist.count,
      nulls: dist.nulls,
      invalid: dist.invalid,
      valid: moments.count,
      cdf: stepCdf(values, counts),
      exact: { values, counts },
      distinct: values.length,
      std: moments.std,
      innerDeciles: values.length ? quantilesFromCounts(values, counts, INNER_DECILES) : null,
      sketch: null,
    };
  }
  if (dist.kind === 'categorical') return categoricalSide(dist);
  return { kind: 'datetime', count: dist.count, nulls: dist.nulls };
}

function categoricalSide(dist: CategoricalDistribution): CategoricalSide {
  return {
    kind: 'categorical',
    count: dist.count,
    nulls: dist.nulls,
    categories: dist.categories,
    other: 0,
  };
}

/** A side from a profile column: exact where the profile kept values, else read from its sketch. */
export function sideOfProfile(column: ColumnProfile): Side {
  if (column.kind === 'datetime')
    return { kind: 'datetime', count: column.count, nulls: column.nulls };
  if (column.kind === 'categorical') {
    return {
      kind: 'categorical',
      count: column.count,
      nulls: column.nulls,
      categories: new Map(column.categories.map((c) => [c.value, c.count])),
      other: column.other.count,
    };
  }
  const valid = column.count - column.invalid;
  const innerDeciles = column.deciles ? column.deciles.slice(1, 10) : null;
  const base = {
    kind: 'numeric' as const,
    count: column.count,
    nulls: column.nulls,
    invalid: column.invalid,
    valid,
    std: column.std,
    innerDeciles,
    ...(column.decile_shares ? { decileShares: column.decile_shares } : {}),
  };
  if (column.values) {
    const values = Float64Array.from(column.values, (v) => v.value);
    const counts = Float64Array.from(column.values, (v) => v.count);
    return {
      ...base,
      cdf: stepCdf(values, counts),
      exact: { values, counts },
      distinct: values.length,
      sketch: null,
    };
  }
  const sketch = column.sketch ?? coarseSketch(column);
  return {
    ...base,
    cdf: sketch ? sketchCdf(sketch.levels, sketch.quantiles) : stepCdf([], []),
    exact: null,
    distinct: column.distinct ?? Number.POSITIVE_INFINITY,
    sketch: sketch ? { cdfError: sketch.cdf_error, wError: sketch.w_error } : null,
  };
}

/**
 * A version-1 profile (releases made before sketches) keeps min, p1 … p99 and max only: a coarse
 * sketch of them, with its (larger) bounds, still gives every test an approximate answer.
 */
function coarseSketch(column: NumericColumnProfile): QuantileSketch | null {
  if (!column.quantiles || column.min === null || column.max === null || column.count === 0)
    return null;
  const named = Object.entries(column.quantiles)
    .map(([name, value]) => ({ level: Number(name.slice(1)) / 100, value }))
    .filter((q) => Number.isFinite(q.level) && q.level > 0 && q.level < 1)
    .sort((a, b) => a.level - b.level);
  const levels = [0, ...named.map((q) => q.level), 1];
  const quantiles = [column.min, ...named.map((q) => q.value), column.max];
  return sketchOf(quantiles, column.count - column.invalid, levels);
}
