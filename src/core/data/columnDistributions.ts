import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import { rawReader, readError, type DataSource } from './dataSource.js';
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

let tableCounter = 0;

/**
 * Reads the exact distribution of each named column with DuckDB: each column is grouped by value
 * (text files are parsed once into a temporary table of the typed columns first).
 */
export async function readDistributions(
  db: Database,
  source: DataSource,
  columns: readonly { name: string; info: ColumnKindInfo }[],
): Promise<DataDistributions> {
  const select = columns.map(
    ({ name, info }, i) => `${kindExpr(name, info.kind, source.types[name])} AS c${i}`,
  );
  const projection = `SELECT ${select.length ? select.join(', ') : '1 AS c0_unused'} FROM ${rawReader(source)}`;
  // Parquet is columnar: each query reads only its column, so the file is queried directly. Text
  // is parsed once, into a temporary table the per-column queries then read.
  const table = source.format === 'parquet' ? null : `__modelship_dist_${++tableCounter}`;
  if (table) await runSafely(db, source, `CREATE TEMP TABLE ${table} AS ${projection}`);
  const from = table ?? `(${projection})`;
  try {
    const stats = ['count(*)::DOUBLE AS rows'];
    columns.forEach(({ info }, i) => {
      stats.push(`count(c${i})::DOUBLE AS n${i}`);
      if (info.kind === 'numeric') stats.push(`count_if(isnan(c${i}))::DOUBLE AS bad${i}`);
      if (info.kind === 'datetime')
        stats.push(`CAST(min(c${i}) AS VARCHAR) AS lo${i}, CAST(max(c${i}) AS VARCHAR) AS hi${i}`);
    });
    const [row] = await db.rows<Record<string, unknown>>(`SELECT ${stats.join(', ')} FROM ${from}`);
    const rows = Number(row!.rows);
    const out = new Map<string, Distribution>();
    for (const [i, { name, info }] of columns.entries()) {
      const count = Number(row![`n${i}`]);
      const base = { count, nulls: rows - count };
      if (info.kind === 'numeric') {
        const result = await db.chunks(
          `SELECT c${i} AS v, count(*)::DOUBLE AS n FROM ${from} WHERE NOT isnan(c${i}) GROUP BY c${i} ORDER BY c${i}`,
        );
        const { values, counts } = readPairs(result);
        out.set(name, {
          kind: 'numeric',
          ...base,
          invalid: Number(row![`bad${i}`]),
          values,
          counts,
        });
      } else if (info.kind === 'categorical') {
        const pairs = await db.rows<{ v: string; n: number }>(
          `SELECT c${i} AS v, count(*)::DOUBLE AS n FROM ${from} WHERE c${i} IS NOT NULL GROUP BY c${i}`,
        );
        out.set(name, {
          kind: 'categorical',
          ...base,
          categories: new Map(pairs.map((p) => [String(p.v), Number(p.n)])),
        });
      } else {
        const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
        out.set(name, {
          kind: 'datetime',
          ...base,
          min: text(row![`lo${i}`]),
          max: text(row![`hi${i}`]),
        });
      }
    }
    return { rows, columns: out };
  } catch (error) {
    // Reading Parquet happens here, not at the CREATE: a broken file is named as there.
    throw table || isModelshipError(error) ? error : readError(source, messageOf(error));
  } finally {
    if (table) await db.run(`DROP TABLE IF EXISTS ${table}`);
  }
}

async function runSafely(db: Database, source: DataSource, sql: string): Promise<void> {
  try {
    await db.run(sql);
  } catch (error) {
    throw readError(source, messageOf(error));
  }
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
