import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import { explainReadError, rawReader, type DataSource } from './dataSource.js';
import { kindExpr, type ColumnKindInfo } from './columnKinds.js';
import type { Database } from './duckdb.js';
import { isModelshipError, messageOf } from '../errors.js';

interface DistributionBase {
  /** Non-null values. */
  count: number;
  nulls: number;
}

/** Every finite value of a numeric column, as sorted distinct values and their counts. */
export interface NumericDistribution extends DistributionBase {
  kind: 'numeric';
  /** Non-null values that are not finite numbers (text, ±inf, NaN): left out of the statistics. */
  invalid: number;
  values: Float64Array;
  counts: Float64Array;
}

/** Exact counts of every value of a categorical column. */
export interface CategoricalDistribution extends DistributionBase {
  kind: 'categorical';
  categories: Map<string, number>;
}

/** A time column: only its range (drift tests leave times out, as Evidently does). */
export interface DatetimeDistribution extends DistributionBase {
  kind: 'datetime';
  min: string | null;
  max: string | null;
}

export type Distribution = NumericDistribution | CategoricalDistribution | DatetimeDistribution;

export interface DataDistributions {
  rows: number;
  columns: Map<string, Distribution>;
}

type Columns = readonly { name: string; info: ColumnKindInfo }[];
/** The relation holding the columns of the given indices, as c<i>. */
type From = (indices: number[]) => string;

/** Per column: non-null and invalid counts, a time column's range, and value counts. */
interface ColumnStats {
  count: number;
  invalid: number;
  min: string | null;
  max: string | null;
  values?: Float64Array;
  counts?: Float64Array;
  categories?: Map<string, number>;
}

/**
 * Columns grouped in one scan of a text file (GROUPING_ID is a 64-bit mask). Each scan holds only
 * its batch's aggregates, so peak memory follows this, not the file's width (measured with 50
 * rows: 400 columns 1.4 GB before batching the counts, see test/dataWideMemory.test.ts).
 */
const SETS_PER_SCAN = 48;
/** Columns whose counts and ranges one Parquet query reads. */
const STATS_PER_QUERY = 256;

/**
 * Reads the exact distribution of each named column with DuckDB, grouped by value. Parquet is
 * columnar, so each column is its own query and reads only that column; text is parsed once per
 * 48 columns, every column grouped in the same scan (GROUPING SETS).
 */
export async function readDistributions(
  db: Database,
  source: DataSource,
  columns: Columns,
): Promise<DataDistributions> {
  // The relation of just the named columns: a query over 10,000 columns' expressions, bound once
  // per batch, cost seconds a batch.
  const from: From = (indices) => {
    const select = indices.map((i) => {
      const { name, info } = columns[i]!;
      return `${kindExpr(name, info.kind, source.types[name])} AS c${i}`;
    });
    return `(SELECT ${select.length ? select.join(', ') : '1 AS c0_unused'} FROM ${rawReader(source)})`;
  };
  try {
    const { rows, stats } =
      source.format === 'parquet'
        ? await byColumn(db, from, columns)
        : await groupingSets(db, from, columns);
    const out = new Map<string, Distribution>();
    columns.forEach(({ name, info }, i) => {
      const s = stats[i]!;
      const base = { count: s.count, nulls: rows - s.count };
      if (info.kind === 'numeric')
        out.set(name, {
          kind: 'numeric',
          ...base,
          invalid: s.invalid,
          values: s.values!,
          counts: s.counts!,
        });
      else if (info.kind === 'categorical')
        out.set(name, { kind: 'categorical', ...base, categories: s.categories! });
      else out.set(name, { kind: 'datetime', ...base, min: s.min, max: s.max });
    });
    return { rows, columns: out };
  } catch (error) {
    throw isModelshipError(error) ? error : await explainReadError(source, messageOf(error));
  }
}

/** The aggregates every column needs once: non-null count, invalid numbers, a time range. */
function statsSelect(columns: Columns, indices: number[]): string[] {
  return indices.flatMap((i) => [
    `count(c${i})::DOUBLE AS n${i}`,
    columns[i]!.info.kind === 'numeric'
      ? `count_if(isnan(c${i}))::DOUBLE AS bad${i}`
      : `0 AS bad${i}`,
    columns[i]!.info.kind === 'datetime'
      ? `CAST(min(c${i}) AS VARCHAR) AS lo${i}, CAST(max(c${i}) AS VARCHAR) AS hi${i}`
      : `NULL AS lo${i}, NULL AS hi${i}`,
  ]);
}

function statsOf(row: Record<string, unknown>, i: number): ColumnStats {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    count: Number(row[`n${i}`]),
    invalid: Number(row[`bad${i}`]),
    min: text(row[`lo${i}`]),
    max: text(row[`hi${i}`]),
  };
}

async function byColumn(
  db: Database,
  from: From,
  columns: Columns,
): Promise<{ rows: number; stats: ColumnStats[] }> {
  // Parquet reads only the columns a query names: counts and ranges a batch of columns a query.
  const stats: ColumnStats[] = [];
  let rows = 0;
  for (let start = 0; start === 0 || start < columns.length; start += STATS_PER_QUERY) {
    const batch = columns.slice(start, start + STATS_PER_QUERY).map((_, k) => start + k);
    const [row] = await db.rows<Record<string, unknown>>(
      `SELECT ${['count(*)::DOUBLE AS rows', ...statsSelect(columns, batch)].join(', ')} FROM ${from(batch)}`,
    );
    rows = Number(row!.rows);
    for (const i of batch) stats[i] = statsOf(row!, i);
  }
  for (const [i, { info }] of columns.entries()) {
    if (info.kind === 'numeric') {
      const pairs = readPairs(
        await db.chunks(
          `SELECT c${i}, count(*)::DOUBLE FROM ${from([i])} WHERE NOT isnan(c${i}) GROUP BY c${i} ORDER BY c${i}`,
        ),
      );
      stats[i] = { ...stats[i]!, ...pairs };
    } else if (info.kind === 'categorical') {
      const pairs = await db.rows<{ v: string; n: number }>(
        `SELECT c${i} AS v, count(*)::DOUBLE AS n FROM ${from([i])} WHERE c${i} IS NOT NULL GROUP BY c${i}`,
      );
      stats[i]!.categories = new Map(pairs.map((p) => [String(p.v), Number(p.n)]));
    }
  }
  return { rows, stats };
}

async function groupingSets(
  db: Database,
  from: From,
  columns: Columns,
): Promise<{ rows: number; stats: ColumnStats[] }> {
  const stats: ColumnStats[] = [];
  let rows = 0;
  // One scan per SETS_PER_SCAN columns, each grouped by itself, the () set carrying the batch's
  // counts and ranges: a scan's aggregates are those of its batch only, so memory does not grow
  // with the file's width (every scan once carried every column's aggregates in every set).
  for (let start = 0; start === 0 || start < columns.length; start += SETS_PER_SCAN) {
    const inBatch = columns.slice(start, start + SETS_PER_SCAN).map((_, k) => start + k);
    const batch = inBatch.filter((i) => columns[i]!.info.kind !== 'datetime');
    const k = batch.length;
    const keys = batch.map((i) => `c${i}`);
    const all = 2 ** k - 1;
    const aggregates = statsSelect(columns, inBatch).join(', ');
    const counts = aggregates ? `count(*)::DOUBLE AS n, ${aggregates}` : 'count(*)::DOUBLE AS n';
    const sql = k
      ? `SELECT ${keys.join(', ')}, GROUPING_ID(${keys.join(', ')}) AS g, ${counts} FROM ${from(inBatch)} GROUP BY GROUPING SETS (${keys.map((c) => `(${c})`).join(', ')}, ()) ORDER BY g, ${keys.join(', ')}`
      : `SELECT ${all} AS g, ${counts} FROM ${from(inBatch)}`;
    const result = await db.chunks(sql);
    const values = batch.map(() => [] as unknown[]);
    const tallies = batch.map(() => [] as number[]);
    for (let c = 0; c < result.chunkCount; c++) {
      const chunk = result.getChunk(c);
      const g = chunk.getColumnVector(k);
      const n = chunk.getColumnVector(k + 1);
      for (let r = 0; r < chunk.rowCount; r++) {
        const id = Number(g.getItem(r));
        if (id === all) {
          // The () set: one row of whole-file aggregates (rows, this batch's counts and ranges).
          const row: Record<string, unknown> = {};
          for (let j = 0; j < result.columnCount; j++)
            row[result.columnName(j)] = chunk.getColumnVector(j).getItem(r);
          if (start === 0) rows = Number(row.n);
          for (const i of inBatch) stats[i] = statsOf(row, i);
          continue;
        }
        const j = k - 1 - Math.log2(all - id); // the one grouped column of this set
        const value = chunk.getColumnVector(j).getItem(r);
        if (value === null || (typeof value === 'number' && Number.isNaN(value))) continue;
        values[j]!.push(value);
        tallies[j]!.push(Number(n.getItem(r)));
      }
    }
    batch.forEach((i, j) => {
      if (columns[i]!.info.kind === 'numeric') {
        stats[i]!.values = Float64Array.from(values[j]! as number[]);
        stats[i]!.counts = Float64Array.from(tallies[j]!);
      } else stats[i]!.categories = new Map(values[j]!.map((v, r) => [String(v), tallies[j]![r]!]));
    });
  }
  return { rows, stats };
}

/** Reads (value DOUBLE, count DOUBLE) rows columnar into typed arrays. */
function readPairs(result: DuckDBMaterializedResult): {
  values: Float64Array;
  counts: Float64Array;
} {
  const values = new Float64Array(result.rowCount);
  const counts = new Float64Array(result.rowCount);
  let k = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const v = chunk.getColumnVector(0);
    const n = chunk.getColumnVector(1);
    for (let j = 0; j < chunk.rowCount; j++, k++) {
      values[k] = v.getItem(j) as number;
      counts[k] = n.getItem(j) as number;
    }
  }
  return { values, counts };
}
