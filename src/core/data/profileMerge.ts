import { ModelshipError } from '../errors.js';
import { cdfBelow, cdfQuantiles, mixCdfs, sketchCdf, stepCdf, type Cdf } from './cdf.js';
import { decileShares } from './quantileSketch.js';
import {
  DECILE_LEVELS,
  numericStatistics,
  PROFILE_PURPOSE,
  PROFILE_QUANTILES,
  PROFILE_VERSION,
  quantileName,
  SKETCH_LEVELS,
  sketchOf,
  TOP_CATEGORIES,
  topCategories,
  type CategoricalColumnProfile,
  type ColumnProfile,
  type DataProfile,
  type DatetimeColumnProfile,
  type NumericColumnProfile,
} from './profile.js';

/**
 * Merges profiles of shards (row partitions of one table, with the same columns) into the profile
 * of the whole, so a large table can be profiled by a matrix of jobs. The rule:
 * - rows, count, nulls, invalid add; min and max are the extremes; mean and population std pool
 *   exactly (n = Σn_k, mean = Σn_k·m_k / n, n·σ² = Σ n_k·(σ_k² + (m_k − mean)²)), up to rounding;
 * - numeric values with counts (shards with ≤ 1,000 distinct values) add exactly; past 1,000
 *   distinct the merged profile keeps an exact sketch of them;
 * - a sketched shard makes the merge approximate: the merged CDF is the count-weighted mixture of
 *   the shards' CDFs, re-read at the sketch levels. Its CDF error is at most the largest shard
 *   error plus one level step (0.001), its Wasserstein error the weighted shard errors plus the
 *   new sketch's own bound; both are stored (sketch.cdf_error, sketch.w_error). Merge all shards in
 *   one call: merging merged profiles adds a step each time;
 * - category counts add; exact when no shard has an `other` bucket (then a value a shard counted
 *   in `other` is missing from its merged count), and other.distinct becomes a sum (an upper
 *   bound when shards overlap);
 * - time ranges take the extremes.
 */
export function mergeProfiles(
  profiles: readonly DataProfile[],
  options: { display?: string; now?: Date; names?: string[] } = {},
): DataProfile {
  if (profiles.length === 0)
    throw new ModelshipError('profile --merge: name at least one profile.');
  const names = options.names ?? profiles.map((p, i) => p.data || `profile ${i + 1}`);
  const first = profiles[0]!;
  const columnNames = first.columns.map((c) => c.name);
  profiles.forEach((p, i) => {
    const these = p.columns.map((c) => c.name);
    if (these.join('\u0000') !== columnNames.join('\u0000'))
      throw new ModelshipError(
        `${names[i]}: its columns (${these.join(', ')}) differ from ${names[0]}'s (${columnNames.join(', ')}); merge profiles of shards of the same table.`,
      );
  });
  const columns = columnNames.map((name, j) =>
    mergeColumn(
      profiles.map((p) => p.columns[j]!),
      names,
    ),
  );
  const predictions = profiles.map((p) => p.prediction);
  const prediction = predictions.every((p) => p !== undefined)
    ? mergeColumn(predictions as ColumnProfile[], names)
    : undefined;
  return {
    profile_version: PROFILE_VERSION,
    purpose: PROFILE_PURPOSE,
    data: options.display ?? profiles.map((p) => p.data).join(' + '),
    rows: sum(profiles.map((p) => p.rows)),
    created: (options.now ?? new Date()).toISOString(),
    shards: sum(profiles.map((p) => p.shards ?? 1)),
    columns,
    ...(prediction ? { prediction } : {}),
  };
}

function mergeColumn(parts: ColumnProfile[], names: string[]): ColumnProfile {
  // A shard where the column is all null could not tell its kind: the others decide.
  const informative = parts.filter((p) => p.count > 0);
  const kind = (informative[0] ?? parts[0]!).kind;
  const odd = informative.findIndex((p) => p.kind !== kind);
  if (odd >= 0)
    throw new ModelshipError(
      `${names[parts.indexOf(informative[odd]!)]}: column ${parts[0]!.name} is ${informative[odd]!.kind} there but ${kind} in another shard; profile every shard with the same --schema.`,
    );
  const same = parts.filter((p) => p.kind === kind);
  const base = {
    name: parts[0]!.name,
    declared: parts[0]!.declared,
    count: sum(parts.map((p) => p.count)),
    nulls: sum(parts.map((p) => p.nulls)),
  };
  if (kind === 'numeric') return { ...base, ...mergeNumeric(same as NumericColumnProfile[]) };
  if (kind === 'categorical')
    return { ...base, ...mergeCategorical(same as CategoricalColumnProfile[]) };
  const times = same as DatetimeColumnProfile[];
  const mins = times.map((t) => t.min).filter((t): t is string => t !== null);
  const maxs = times.map((t) => t.max).filter((t): t is string => t !== null);
  return {
    ...base,
    kind: 'datetime',
    min: mins.length ? mins.reduce((a, b) => (b < a ? b : a)) : null,
    max: maxs.length ? maxs.reduce((a, b) => (b > a ? b : a)) : null,
  };
}

function mergeNumeric(
  parts: NumericColumnProfile[],
): Omit<NumericColumnProfile, 'name' | 'declared' | 'count' | 'nulls'> {
  const invalid = sum(parts.map((p) => p.invalid));
  const valid = parts.map((p) => p.count - p.invalid);
  const n = sum(valid);
  const withValues = parts.filter((p, k) => valid[k]! > 0);
  if (withValues.every((p) => p.values !== null)) {
    const counts = new Map<number, number>();
    for (const p of withValues)
      for (const { value, count } of p.values!) counts.set(value, (counts.get(value) ?? 0) + count);
    const sorted = [...counts].sort((a, b) => a[0] - b[0]);
    return numericStatistics({
      invalid,
      values: Float64Array.from(sorted, (e) => e[0]),
      counts: Float64Array.from(sorted, (e) => e[1]),
    });
  }
  const mean =
    sum(withValues.map((p) => p.count - p.invalid).map((nk, k) => nk * withValues[k]!.mean!)) / n;
  let ss = 0;
  withValues.forEach((p) => {
    const nk = p.count - p.invalid;
    ss += nk * (p.std! ** 2 + (p.mean! - mean) ** 2);
  });
  const mixture = mixCdfs(
    withValues.map((p) => ({ cdf: cdfOf(p), weight: (p.count - p.invalid) / n })),
  );
  const quantiles = cdfQuantiles(mixture, SKETCH_LEVELS);
  const sketch = sketchOf(quantiles, n);
  sketch.exact = false;
  sketch.cdf_error += Math.max(...withValues.map((p) => p.sketch?.cdf_error ?? 0));
  sketch.w_error += sum(
    withValues.map((p) => ((p.count - p.invalid) / n) * (p.sketch?.w_error ?? 0)),
  );
  const q = cdfQuantiles(mixture, [...PROFILE_QUANTILES]);
  const deciles = cdfQuantiles(mixture, [...DECILE_LEVELS]);
  return {
    kind: 'numeric',
    invalid,
    min: Math.min(...withValues.map((p) => p.min!)),
    max: Math.max(...withValues.map((p) => p.max!)),
    mean,
    std: Math.sqrt(ss / n),
    quantiles: Object.fromEntries(
      PROFILE_QUANTILES.map((level, i) => [quantileName(level), q[i]!]),
    ),
    deciles,
    decile_shares: decileShares(deciles.slice(1, 10), (x) => cdfBelow(mixture, x)),
    distinct: Math.max(...withValues.map((p) => p.distinct ?? 0)),
    values: null,
    sketch,
  };
}

function cdfOf(p: NumericColumnProfile): Cdf {
  if (p.values)
    return stepCdf(
      p.values.map((v) => v.value),
      p.values.map((v) => v.count),
    );
  return sketchCdf(p.sketch!.levels, p.sketch!.quantiles);
}

function mergeCategorical(
  parts: CategoricalColumnProfile[],
): Pick<CategoricalColumnProfile, 'kind' | 'distinct' | 'categories' | 'other'> {
  const counts = new Map<string, number>();
  for (const p of parts)
    for (const { value, count } of p.categories)
      counts.set(value, (counts.get(value) ?? 0) + count);
  const merged = topCategories(
    [...counts].map(([value, count]) => ({ value, count })),
    TOP_CATEGORIES,
  );
  const otherCount = sum(parts.map((p) => p.other.count));
  const otherDistinct = sum(parts.map((p) => p.other.distinct));
  return {
    kind: 'categorical',
    distinct: merged.distinct + otherDistinct,
    categories: merged.categories,
    other: {
      distinct: merged.other.distinct + otherDistinct,
      count: merged.other.count + otherCount,
    },
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
}
