import type { ColumnType, DataContract } from '../config/dataContract.js';
import { openDataSource, rawReader, readSafely, type DataSource } from '../data/dataSource.js';
import { ident, withDatabase, type Database } from '../data/duckdb.js';
import { ModelshipError } from '../errors.js';

/**
 * The reference profile of the training data (profile.json in a release bundle). It is the input
 * of drift checks: the current data is compared with it, column by column, without the training
 * data itself. A later issue refines it (histograms per method); keys are only ever added.
 */
export const PROFILE_VERSION = 1;

/** Quantile levels reported for numeric columns, named p1 … p99. */
export const PROFILE_QUANTILES = [
  0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.99,
] as const;

/** Decile edges: the minimum, p10 … p90 and the maximum (11 edges, 10 bins). */
export const DECILE_LEVELS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] as const;

/** Categories counted one by one; the rest share the `other` bucket. */
export const TOP_CATEGORIES = 1000;

interface ColumnBase {
  name: string;
  /** The contract's type when a contract is given, else the type read from the data. */
  declared: ColumnType | null;
  /** Non-null values. */
  count: number;
  nulls: number;
}

export interface NumericColumnProfile extends ColumnBase {
  kind: 'numeric';
  /** Non-null values that are not numbers (left out of the statistics below). */
  invalid: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Population standard deviation. */
  std: number | null;
  /** Linear-interpolated quantiles (DuckDB quantile_cont), keyed p1 … p99. */
  quantiles: Record<string, number> | null;
  /** 11 edges of 10 equal-frequency bins: min, p10 … p90, max. */
  deciles: number[] | null;
}

export interface CategoricalColumnProfile extends ColumnBase {
  kind: 'categorical';
  distinct: number;
  /** Exact counts of the most frequent values (count descending, then value), at most 1,000. */
  categories: { value: string; count: number }[];
  /** Values beyond the top 1,000: how many distinct ones and how many rows. */
  other: { distinct: number; count: number };
}

export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile;

export interface DataProfile {
  profile_version: number;
  /** What the file is for, for a reader who finds it in a release. */
  purpose: string;
  /** The data as named by the caller (config-relative path or glob). */
  data: string;
  rows: number;
  created: string;
  columns: ColumnProfile[];
}

export interface BuildProfileOptions {
  /** The data contract: column types decide numeric or categorical. */
  contract?: DataContract;
  /** How to name the data in the profile (default: the path). */
  display?: string;
  now?: Date;
  topCategories?: number;
}

/** Every level one quantile_cont call computes, ascending. */
const LEVELS: number[] = [...new Set<number>([...PROFILE_QUANTILES, ...DECILE_LEVELS])].sort(
  (a, b) => a - b,
);

const NUMERIC_DUCKDB =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/i;

/**
 * Profiles a data file (or glob) with DuckDB: every statistic of every column comes from one
 * aggregate query. Column types come from the contract; without one, a typed file's types are
 * used, and a text column is numeric when every non-null value parses as a number (one more
 * query, to decide).
 */
export async function buildProfile(
  path: string,
  options: BuildProfileOptions = {},
): Promise<DataProfile> {
  const top = options.topCategories ?? TOP_CATEGORIES;
  return withDatabase(async (db) => {
    const source = await openDataSource(db, path);
    const kinds = await columnKinds(db, source, options.contract);
    const select = ['count(*) AS __rows'];
    source.columns.forEach((column, i) => {
      const raw = ident(column);
      select.push(`count(${raw}) AS c${i}_count`);
      if (kinds[i]!.kind === 'numeric') {
        const x = numericExpr(raw, source.types[column]);
        select.push(
          `count(${x}) AS c${i}_valid`,
          `min(${x}) AS c${i}_min`,
          `max(${x}) AS c${i}_max`,
          `avg(${x}) AS c${i}_mean`,
          `stddev_pop(${x}) AS c${i}_std`,
          `quantile_cont(${x}, [${LEVELS.join(', ')}]) AS c${i}_q`,
        );
      } else {
        select.push(`map_entries(histogram(CAST(${raw} AS VARCHAR))) AS c${i}_hist`);
      }
    });
    const [row] = await readSafely<Record<string, unknown>>(
      db,
      source,
      `SELECT ${select.join(', ')} FROM ${rawReader(source)}`,
    );
    if (!row) throw new ModelshipError(`${path}: cannot be profiled (no result).`);
    const rows = Number(row.__rows);
    const columns = source.columns.map((name, i): ColumnProfile => {
      const count = Number(row[`c${i}_count`]);
      const base = { name, declared: kinds[i]!.declared, count, nulls: rows - count };
      if (kinds[i]!.kind === 'numeric') {
        const valid = Number(row[`c${i}_valid`]);
        const q = (row[`c${i}_q`] as number[] | null) ?? null;
        const at = (level: number) => q![LEVELS.indexOf(level)]!;
        return {
          ...base,
          kind: 'numeric',
          invalid: count - valid,
          min: numberOrNull(row[`c${i}_min`]),
          max: numberOrNull(row[`c${i}_max`]),
          mean: numberOrNull(row[`c${i}_mean`]),
          std: numberOrNull(row[`c${i}_std`]),
          quantiles: q
            ? Object.fromEntries(PROFILE_QUANTILES.map((level) => [quantileName(level), at(level)]))
            : null,
          deciles: q ? DECILE_LEVELS.map(at) : null,
        };
      }
      const entries = ((row[`c${i}_hist`] as { key: string; value: unknown }[] | null) ?? []).map(
        (e) => ({ value: String(e.key), count: Number(e.value) }),
      );
      entries.sort(
        (a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0),
      );
      const kept = entries.slice(0, top);
      const rest = entries.slice(top);
      return {
        ...base,
        kind: 'categorical',
        distinct: entries.length,
        categories: kept,
        other: { distinct: rest.length, count: rest.reduce((sum, e) => sum + e.count, 0) },
      };
    });
    return {
      profile_version: PROFILE_VERSION,
      purpose:
        'Reference profile of the training data: the input of drift checks (modelship drift --reference profile.json).',
      data: options.display ?? path,
      rows,
      created: (options.now ?? new Date()).toISOString(),
      columns,
    };
  });
}

/** p1, p5, p10, p25, … for a quantile level. */
export function quantileName(level: number): string {
  return `p${Math.round(level * 100)}`;
}

function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function numericExpr(raw: string, duckdbType: string | undefined): string {
  return duckdbType && NUMERIC_DUCKDB.test(duckdbType)
    ? `CAST(${raw} AS DOUBLE)`
    : `TRY_CAST(${raw} AS DOUBLE)`;
}

async function columnKinds(
  db: Database,
  source: DataSource,
  contract: DataContract | undefined,
): Promise<{ kind: 'numeric' | 'categorical'; declared: ColumnType | null }[]> {
  const undecided: number[] = [];
  const kinds = source.columns.map((column, i) => {
    const declared = contract?.columns[column]?.type;
    if (declared) {
      const kind = declared === 'integer' || declared === 'number' ? 'numeric' : 'categorical';
      return { kind, declared } as const;
    }
    const type = source.types[column] ?? 'VARCHAR';
    if (NUMERIC_DUCKDB.test(type)) return { kind: 'numeric', declared: null } as const;
    if (type.toUpperCase() === 'VARCHAR') undecided.push(i);
    return { kind: 'categorical', declared: null } as const;
  });
  if (undecided.length === 0) return kinds;
  // A text column is numeric when it has values and every non-null one parses as a number.
  const checks = undecided.map((i) => {
    const raw = ident(source.columns[i]!);
    return `count(${raw}) > 0 AND count(${raw}) = count(TRY_CAST(${raw} AS DOUBLE)) AS n${i}`;
  });
  const [row] = await readSafely<Record<string, boolean>>(
    db,
    source,
    `SELECT ${checks.join(', ')} FROM ${rawReader(source)}`,
  );
  for (const i of undecided)
    if (row?.[`n${i}`] === true) kinds[i] = { kind: 'numeric', declared: null };
  return kinds;
}
