import type { ColumnType, DataContract } from '../config/dataContract.js';
import { ModelshipError } from '../errors.js';
import { declaredKinds, type ColumnKindInfo } from './columnKinds.js';
import {
  readDistributions,
  type DataDistributions,
  type Distribution,
  type NumericDistribution,
} from './columnDistributions.js';
import { openDataSource } from './dataSource.js';
import { SPILL_MEMORY, withDatabase } from './duckdb.js';
import { cdfBelow, stepCdf } from './cdf.js';
import {
  decileShares,
  momentsFromCounts,
  quantilesFromCounts,
  SKETCH_LEVELS,
} from './quantileSketch.js';

/**
 * The reference profile of a data set (profile.json in a release bundle): the input of drift
 * checks, which compare current data with it column by column without the data itself. Keys are
 * only ever added. Version 2 adds exact value counts or a fine quantile sketch per numeric column,
 * time columns, and merging (profileMerge.ts).
 */
export const PROFILE_VERSION = 2;

/** Quantile levels reported for numeric columns, named p1 … p99. */
export const PROFILE_QUANTILES = [
  0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.99,
] as const;

/** Decile edges: the minimum, p10 … p90 and the maximum (11 edges, 10 bins). */
export const DECILE_LEVELS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;

/** Categories counted one by one; the rest share the `other` bucket. */
export const TOP_CATEGORIES = 1000;

/** A numeric column with at most this many distinct values keeps them all, with their counts. */
export const VALUE_LIMIT = 1000;

export { SKETCH_LEVELS };
// The merge of shard profiles lives beside this file; callers find both here.

interface ColumnBase {
  name: string;
  /** The contract's type when a contract is given, else null. */
  declared: ColumnType | null;
  /** Non-null values. */
  count: number;
  nulls: number;
}

export interface NumericColumnProfile extends ColumnBase {
  kind: 'numeric';
  /** Non-null values that are not finite numbers (left out of the statistics below). */
  invalid: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation. */
  std: number | null;
  /** Linear-interpolated quantiles (numpy's default, DuckDB quantile_cont), keyed p1 … p99. */
  quantiles: Record<string, number> | null;
  /** 11 edges of 10 equal-frequency bins: min, p10 … p90, max. */
  deciles: number[] | null;
  /**
   * The share of values in each of the 10 PSI bins the inner decile edges cut ([e_i, e_i+1),
   * outer bins open): exact, so PSI against a profile is exact too (approximate after a merge of
   * sketches).
   */
  decile_shares?: number[] | null;
  /** Distinct finite values: exact, except after merging sketched shards (then a lower bound). */
  distinct: number;
  /** Every distinct value with its count, ascending, when there are at most VALUE_LIMIT. */
  values: { value: number; count: number }[] | null;
  /**
   * Otherwise quantiles at SKETCH_LEVELS: exact (type 7) for a profile of the data, approximate
   * after a merge (`exact: false`; see profileMerge.ts for the error).
   */
  sketch: QuantileSketch | null;
}

/** Quantiles at fixed levels, with bounds on what reading a CDF from them can get wrong. */
export interface QuantileSketch {
  levels: number[];
  quantiles: number[];
  /** True when the quantiles are those of the data; false after a merge of sketches. */
  exact: boolean;
  /** Bound on |F̂(x) − F(x)| of the CDF read from the sketch: the KS statistic's error. */
  cdf_error: number;
  /** Bound on ∫|F̂ − F| dx: the Wasserstein distance's error, in the column's units. */
  w_error: number;
}

export interface CategoricalColumnProfile extends ColumnBase {
  kind: 'categorical';
  distinct: number;
  /** Exact counts of the most frequent values (count descending, then value), at most 1,000. */
  categories: { value: string; count: number }[];
  /** Values beyond the top 1,000: how many distinct ones and how many rows. */
  other: { distinct: number; count: number };
}

/** A date or time column: its range only; drift tests leave time columns out. */
export interface DatetimeColumnProfile extends ColumnBase {
  kind: 'datetime';
  min: string | null;
  max: string | null;
}

export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile | DatetimeColumnProfile;

export interface DataProfile {
  profile_version: number;
  /** What the file is for, for a reader who finds it in a release. */
  purpose: string;
  /** The data as named by the caller (config-relative path or glob). */
  data: string;
  rows: number;
  created: string;
  /** How many profiles of shards were merged into this one (1: profiled directly). */
  shards?: number;
  columns: ColumnProfile[];
  /** The model's scores on this data (modelship profile --model): prediction drift's reference. */
  prediction?: ColumnProfile;
}

export interface BuildProfileOptions {
  /** The data contract: column types decide numeric, categorical or time. */
  contract?: DataContract;
  /** How to name the data in the profile (default: the path). */
  display?: string;
  now?: Date;
  topCategories?: number;
  /** Numeric columns with at most this many distinct values keep them (default VALUE_LIMIT). */
  valueLimit?: number;
}

export const PROFILE_PURPOSE =
  'Reference profile of the training data: the input of drift checks (modelship drift --reference profile.json).';

/**
 * Profiles a data file (or glob) with DuckDB: one scan groups each column by value (deciding an
 * untyped text column's kind from its distinct values), then every statistic below is computed
 * from those exact distributions; categories are cut to the top ones inside DuckDB.
 */
export async function buildProfile(
  path: string,
  options: BuildProfileOptions = {},
): Promise<DataProfile> {
  return withDatabase(
    async (db) => {
      // The whole-file checks of a big text file run beside DuckDB's scan, not before it.
      const source = await openDataSource(db, path, { deferScan: true });
      const kinds = declaredKinds(source, options.contract);
      let data: DataDistributions;
      try {
        data = await readDistributions(
          db,
          source,
          source.columns.map((name, i) => ({ name, info: kinds[i]! })),
          { top: options.topCategories ?? TOP_CATEGORIES },
        );
      } finally {
        source.stopScan?.(); // done when the data was read; else no one waits for it
      }
      const columns = source.columns.map((name, i) => ({
        name,
        info: { kind: data.columns.get(name)!.kind, declared: kinds[i]!.declared },
      }));
      return profileFromDistributions(data, columns, {
        ...options,
        display: options.display ?? path,
      });
    },
    { memoryLimit: SPILL_MEMORY, spill: true },
  );
}

/** The profile of distributions already read (the drift check profiles raw reference data so). */
export function profileFromDistributions(
  data: DataDistributions,
  columns: readonly { name: string; info: ColumnKindInfo }[],
  options: BuildProfileOptions & { display: string },
): DataProfile {
  const top = options.topCategories ?? TOP_CATEGORIES;
  return {
    profile_version: PROFILE_VERSION,
    purpose: PROFILE_PURPOSE,
    data: options.display,
    rows: data.rows,
    created: (options.now ?? new Date()).toISOString(),
    shards: 1,
    columns: columns.map(({ name, info }) => {
      const dist = data.columns.get(name);
      if (!dist) throw new ModelshipError(`${options.display}: no column ${name} to profile.`);
      return columnProfile(name, info.declared, dist, top, options.valueLimit ?? VALUE_LIMIT);
    }),
  };
}

function columnProfile(
  name: string,
  declared: ColumnType | null,
  dist: Distribution,
  top: number,
  valueLimit: number,
): ColumnProfile {
  const base = { name, declared, count: dist.count, nulls: dist.nulls };
  if (dist.kind === 'numeric') return { ...base, ...numericStatistics(dist, valueLimit) };
  if (dist.kind === 'datetime') return { ...base, kind: 'datetime', min: dist.min, max: dist.max };
  const entries = [...dist.categories].map(([value, count]) => ({ value, count }));
  const cut = topCategories(entries, top);
  // Cut in DuckDB already (readDistributions' `top`): the counts beyond it come with it.
  if (dist.other)
    return {
      ...base,
      kind: 'categorical',
      distinct: dist.distinct!,
      categories: cut.categories,
      other: {
        distinct: dist.other.distinct + cut.other.distinct,
        count: dist.other.count + cut.other.count,
      },
    };
  return { ...base, kind: 'categorical', ...cut };
}

/** Categories, most frequent first (ties by value), cut at `top` with the rest in `other`. */
export function topCategories(
  entries: { value: string; count: number }[],
  top: number,
): Pick<CategoricalColumnProfile, 'distinct' | 'categories' | 'other'> {
  entries.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const rest = entries.slice(top);
  return {
    distinct: entries.length,
    categories: entries.slice(0, top),
    other: { distinct: rest.length, count: rest.reduce((sum, e) => sum + e.count, 0) },
  };
}

/** Every numeric statistic of a profile column from an exact distribution. */
export function numericStatistics(
  dist: Pick<NumericDistribution, 'invalid' | 'values' | 'counts'>,
  valueLimit = VALUE_LIMIT,
): Omit<NumericColumnProfile, keyof ColumnBase> {
  const { values, counts } = dist;
  const n = values.length;
  const { mean, std } = momentsFromCounts(values, counts);
  const q = n ? quantilesFromCounts(values, counts, [...PROFILE_QUANTILES]) : null;
  const d = n ? quantilesFromCounts(values, counts, [...DECILE_LEVELS]) : null;
  const exact = n <= valueLimit;
  return {
    kind: 'numeric',
    invalid: dist.invalid,
    min: n ? values[0]! : null,
    max: n ? values[n - 1]! : null,
    mean,
    std,
    quantiles: q
      ? Object.fromEntries(PROFILE_QUANTILES.map((level, i) => [quantileName(level), q[i]!]))
      : null,
    deciles: d,
    decile_shares: d
      ? decileShares(d.slice(1, 10), (x) => cdfBelow(stepCdf(values, counts), x))
      : null,
    distinct: n,
    values: exact ? Array.from(values, (value, i) => ({ value, count: counts[i]! })) : null,
    sketch: exact
      ? null
      : sketchOf(quantilesFromCounts(values, counts, SKETCH_LEVELS), total(counts)),
  };
}

/**
 * A sketch of exact quantiles. Between two quantiles the true CDF rises by the level step (plus
 * one value's share, 1/n, for ties at the ends), so the linear CDF is off by at most the largest
 * step + 1/n; and on each bin the area between the two is at most its width times its step, which
 * sums to the Wasserstein bound (plus the range / n).
 */
export function sketchOf(
  quantiles: number[],
  n: number,
  levels: readonly number[] = SKETCH_LEVELS,
): QuantileSketch {
  let maxStep = 0;
  let area = 0;
  for (let k = 1; k < levels.length; k++) {
    const dp = levels[k]! - levels[k - 1]!;
    maxStep = Math.max(maxStep, dp);
    area += (quantiles[k]! - quantiles[k - 1]!) * dp;
  }
  const range = quantiles[quantiles.length - 1]! - quantiles[0]!;
  return {
    levels: [...levels],
    quantiles,
    exact: true,
    cdf_error: maxStep + 1 / n,
    w_error: area + range / n,
  };
}

function total(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  return n;
}

/** p1, p5, p10, p25, … for a quantile level. */
export function quantileName(level: number): string {
  return `p${Math.round(level * 100)}`;
}
