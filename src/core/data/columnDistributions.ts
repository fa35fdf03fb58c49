import type { DuckDBMaterializedResult } from '@duckdb/node-api';
import { explainReadError, rawReader, type DataSource } from './dataSource.js';
import { decideKinds, kindExpr, type ColumnKindInfo } from './columnKinds.js';
import { ident, type Database } from './duckdb.js';
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
  /** With a `top` cut (ReadOptions): the distinct values in all. */
  distinct?: number;
  /** With a `top` cut: the distinct values and rows beyond it. */
  other?: { distinct: number; count: number };
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
/** Whether column i is read as raw text (and typed after grouping). */
type RawText = (i: number) => boolean;

export interface ReadOptions {
  /**
   * Keep only the `top` most frequent values of each categorical column (count descending, then
   * value), cut inside DuckDB: the rest are counted in `other`. A profile needs no more, and a
   * column of millions of distinct ids would otherwise reach JavaScript whole.
   */
  top?: number;
}

/** Per column: non-null and invalid counts, a time column's range, and value counts. */
interface ColumnStats {
  count: number;
  invalid: number;
  min: string | null;
  max: string | null;
  kind?: ColumnKindInfo['kind'];
  values?: Float64Array;
  counts?: Float64Array;
  categories?: Map<string, number>;
  distinct?: number;
  other?: { distinct: number; count: number };
}

/**
 * Columns grouped in one scan of a text file (GROUPING_ID is a 64-bit mask). Each scan holds only
 * its batch's aggregates, so peak memory follows this, not the file's width (measured with 50
 * rows: 400 columns 1.4 GB before batching the counts, see test/dataWideMemory.test.ts).
 */
const SETS_PER_SCAN = 48;
/** The temporary table of one scan's groups. */
const GROUPS = '__modelship_groups';

/**
 * Reads the exact distribution of each named column with DuckDB, grouped by value. Parquet is
 * columnar, so each column is its own query and reads only that column; text is parsed once per
 * 48 columns, every column grouped in the same scan (GROUPING SETS), and an undecided column's
 * kind (numeric, time or categorical) is decided from its distinct values in that same scan. The
 * distributions carry the decided kinds.
 */
export async function readDistributions(
  db: Database,
  source: DataSource,
  columns: Columns,
  options: ReadOptions = {},
): Promise<DataDistributions> {
  try {
    if (source.format === 'parquet' && columns.some((c) => c.info.undecided)) {
      const decided = await decideKinds(
        db,
        source,
        columns.map((c) => c.info),
        columns.map((c) => c.name),
      );
      columns = columns.map((c, i) => ({ name: c.name, info: decided[i]! }));
    }
    // The relation of just the named columns: a query over 10,000 columns' expressions, bound
    // once per batch, cost seconds a batch.
    // A text file's column is grouped as its text and turned into its kind afterwards, once per
    // distinct value instead of once per row.
    const raw: RawText = (i) =>
      source.format !== 'parquet' &&
      (source.types[columns[i]!.name] ?? 'VARCHAR').toUpperCase() === 'VARCHAR';
    const from: From = (indices) => {
      const select = indices.map((i) => {
        const { name, info } = columns[i]!;
        const expr = raw(i)
          ? `CAST(${ident(name)} AS VARCHAR)`
          : kindExpr(name, info.kind, source.types[name]);
        return `${expr} AS c${i}`;
      });
      return `(SELECT ${select.length ? select.join(', ') : '1 AS c0_unused'} FROM ${rawReader(source)})`;
    };
    const { rows, stats } =
      source.format === 'parquet'
        ? await byColumn(db, source, columns, options.top)
        : await groupingSets(db, from, columns, raw, options.top);
    const out = new Map<string, Distribution>();
    columns.forEach(({ name, info }, i) => {
      const s = stats[i]!;
      const base = { count: s.count, nulls: rows - s.count };
      const kind = s.kind ?? info.kind;
      if (kind === 'numeric')
        out.set(name, {
          kind: 'numeric',
          ...base,
          invalid: s.invalid,
          values: s.values!,
          counts: s.counts!,
        });
      else if (kind === 'categorical')
        out.set(name, {
          kind: 'categorical',
          ...base,
          categories: s.categories!,
          ...(s.other ? { distinct: s.distinct!, other: s.other } : {}),
        });
      else out.set(name, { kind: 'datetime', ...base, min: s.min, max: s.max });
    });
    await source.scanned; // a deferred whole-file check (openDataSource's deferScan) must pass too
    return { rows, columns: out };
  } catch (error) {
    if (isModelshipError(error)) throw error;
    await source.scanned; // a damaged file explains a failed read best
    throw await explainReadError(source, messageOf(error));
  } finally {
    if (source.format !== 'parquet')
      await db.run(`DROP TABLE IF EXISTS ${GROUPS}`).catch(() => undefined);
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
  return {
    count: Number(row[`n${i}`]),
    invalid: Number(row[`bad${i}`]),
    min: text(row[`lo${i}`]),
    max: text(row[`hi${i}`]),
  };
}

function text(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/**
 * Parquet, one query a column reading only that column: grouped by its stored value first (a
 * native integer or text hashes cheaply) and turned into its kind afterwards, once per distinct
 * value, as text is; the NULL group gives the nulls and the NaN group the invalid numbers, so no
 * query of counts goes before. Per row, the kind's cast made the current bench file's five
 * queries 138 ms against 37 ms (docs/performance.md).
 */
async function byColumn(
  db: Database,
  source: DataSource,
  columns: Columns,
  top: number | undefined,
): Promise<{ rows: number; stats: ColumnStats[] }> {
  const reader = rawReader(source);
  const stats: ColumnStats[] = [];
  let rows: number | undefined;
  for (const [i, { name, info }] of columns.entries()) {
    const kind = kindExpr('c', info.kind, source.types[name]);
    const grouped = `SELECT ${kind} AS v, sum(n)::DOUBLE AS n FROM (SELECT ${ident(name)} AS c, count(*) AS n FROM ${reader} GROUP BY c) GROUP BY v`;
    if (info.kind === 'numeric') {
      const { values, counts, nulls, invalid, total } = readPairs(
        await db.chunks(`${grouped} ORDER BY v`),
      );
      rows = total;
      stats[i] = { count: total - nulls, invalid, min: null, max: null, values, counts };
    } else if (info.kind === 'categorical') {
      // NULL sorts last and is dropped here; a top cut keeps `top` values besides it. In value
      // order otherwise, as text's categories are: the tests' sums then add in one order, and a
      // Parquet file scores to the bit what the same data as CSV does.
      const order =
        top === undefined ? ' ORDER BY v' : ` ORDER BY v IS NULL, n DESC, v LIMIT ${top + 1}`;
      const pairs = await db.rows<{
        v: string | null;
        n: number;
        d: number;
        s: number;
        all: number;
      }>(
        `SELECT v, n, count(v) OVER ()::DOUBLE AS d, sum(CASE WHEN v IS NULL THEN 0 ELSE n END) OVER () AS s, sum(n) OVER () AS "all" FROM (${grouped})${order}`,
      );
      const kept = pairs.filter((p) => p.v !== null).slice(0, top);
      rows = pairs.length ? Number(pairs[0]!.all) : 0;
      const count = pairs.length ? Number(pairs[0]!.s) : 0;
      stats[i] = { count, invalid: 0, min: null, max: null };
      if (top === undefined)
        stats[i]!.categories = new Map(kept.map((p) => [String(p.v), Number(p.n)]));
      else Object.assign(stats[i]!, cut(kept));
    } else {
      const [row] = await db.rows<Record<string, unknown>>(
        `SELECT count(*)::DOUBLE AS rows, ${statsSelect(columns, [i]).join(', ')} FROM (SELECT ${kindExpr(name, info.kind, source.types[name])} AS c${i} FROM ${reader})`,
      );
      rows = Number(row!.rows);
      stats[i] = statsOf(row!, i);
    }
  }
  if (rows === undefined) {
    const [row] = await db.rows<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM ${reader}`);
    rows = Number(row!.n);
  }
  return { rows, stats };
}

/** The kept values of a top cut, with the distinct values and rows the cut left out. */
function cut(pairs: { v: unknown; n: unknown; d: unknown; s: unknown }[]): Partial<ColumnStats> {
  const categories = new Map(pairs.map((p) => [String(p.v), Number(p.n)]));
  const distinct = pairs.length ? Number(pairs[0]!.d) : 0;
  const total = pairs.length ? Number(pairs[0]!.s) : 0;
  const kept = pairs.reduce((sum, p) => sum + Number(p.n), 0);
  return {
    categories,
    distinct,
    other: { distinct: distinct - categories.size, count: total - kept },
  };
}

/**
 * One scan per SETS_PER_SCAN columns, each column grouped by itself into a temporary table (the
 * () set carries the batch's row count, non-null counts and ranges); then small queries over the
 * groups: the kinds of undecided columns (by casting each distinct value, not each row), the
 * numeric values in order, and the categories (cut to `top` in DuckDB when asked).
 */
async function groupingSets(
  db: Database,
  from: From,
  columns: Columns,
  raw: RawText,
  top: number | undefined,
): Promise<{ rows: number; stats: ColumnStats[] }> {
  const stats: ColumnStats[] = [];
  let rows = 0;
  for (let start = 0; start === 0 || start < columns.length; start += SETS_PER_SCAN) {
    const inBatch = columns.slice(start, start + SETS_PER_SCAN).map((_, k) => start + k);
    const batch = inBatch;
    const k = batch.length;
    if (!k) {
      const [row] = await db.rows<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM ${from([])}`);
      rows = Number(row!.n);
      continue;
    }
    const keys = batch.map((i) => `c${i}`);
    const all = 2 ** k - 1;
    // Only count(*) per group: every other aggregate would be held in every set's every group
    // (20 columns' counts and ranges made each group ~1 KB, 8 GB for 1M rows of ids), and each
    // column's counts and range follow from its own set's groups.
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${GROUPS} AS SELECT ${keys.join(', ')}, GROUPING_ID(${keys.join(', ')}) AS g, count(*)::DOUBLE AS n FROM ${from(batch)} GROUP BY GROUPING SETS (${keys.map((c) => `(${c})`).join(', ')}, ())`,
    );
    /** The set of column i's groups (GROUPING_ID: a 1 bit for each key not grouped). */
    const setOf = (i: number) => all - 2 ** (k - 1 - batch.indexOf(i));
    const total = await setStats(db, columns, raw, batch, setOf, all, stats);
    if (start === 0) rows = total;
    // Each column's values come from its own set: one query a column, so a column's filter
    // runs before its casts and its sort or top-k cut.
    for (const i of batch) {
      const set = `FROM ${GROUPS} WHERE g = ${setOf(i)}`;
      const kind = stats[i]!.kind ?? columns[i]!.info.kind;
      if (kind === 'numeric') {
        // A decided column's text values become numbers here: '1' and '1.0' are one value.
        const value = valueOf('numeric', raw(i), `c${i}`);
        const { values, counts } = readPairs(
          await db.chunks(
            `SELECT v, sum(n)::DOUBLE FROM (SELECT ${value} AS v, n ${set}) WHERE v IS NOT NULL AND NOT isnan(v) GROUP BY v ORDER BY v`,
          ),
        );
        Object.assign(stats[i]!, { values, counts });
      } else if (kind === 'categorical') {
        const order = top === undefined ? 'v' : `n DESC, v LIMIT ${top}`;
        const pairs = await db.rows<{ v: string; n: number }>(
          `SELECT c${i} AS v, n ${set} AND c${i} IS NOT NULL ORDER BY ${order}`,
        );
        const categories = new Map(pairs.map((p) => [String(p.v), Number(p.n)]));
        stats[i]!.categories = categories;
        if (top !== undefined) {
          const distinct = stats[i]!.distinct!;
          const kept = pairs.reduce((sum, p) => sum + Number(p.n), 0);
          stats[i]!.other = {
            distinct: distinct - categories.size,
            count: stats[i]!.count - kept,
          };
        }
      }
    }
  }
  return { rows, stats };
}

/** Column c's value as its kind reads it, from its raw text when `raw`. */
function valueOf(kind: ColumnKindInfo['kind'], raw: boolean, c: string): string {
  if (!raw || kind === 'categorical') return c;
  return kind === 'numeric' ? kindExpr(c, 'numeric', 'VARCHAR') : `TRY_CAST(${c} AS TIMESTAMP)`;
}

/**
 * Each column's non-null count, distinct values, invalid numbers and time range from its set in
 * the groups table, and the kind of an undecided text column from its distinct values: numeric
 * when every one casts to a number, a time when every one casts to a timestamp, else categorical
 * (as columnKinds decides, casting each distinct value instead of each row). Returns the row count.
 */
async function setStats(
  db: Database,
  columns: Columns,
  raw: RawText,
  batch: number[],
  setOf: (i: number) => number,
  all: number,
  stats: ColumnStats[],
): Promise<number> {
  // One single-row subquery per column, filtered to its set before any cast.
  const perColumn = batch.map((i) => {
    const { kind, undecided } = columns[i]!.info;
    const c = `c${i}`;
    const v = valueOf(kind, raw(i), c);
    const out = [`sum(n) FILTER (WHERE ${v} IS NOT NULL) AS n${i}`, `count(${c}) AS distinct${i}`];
    if (kind === 'numeric') out.push(`sum(n) FILTER (WHERE isnan(${v})) AS bad${i}`);
    if (kind === 'datetime')
      out.push(`CAST(min(${v}) AS VARCHAR) AS lo${i}`, `CAST(max(${v}) AS VARCHAR) AS hi${i}`);
    if (undecided) {
      const double = `TRY_CAST(${c} AS DOUBLE)`;
      out.push(
        `count(${double}) AS num${i}`,
        `sum(n) FILTER (WHERE NOT isfinite(${double})) AS bad${i}`,
      );
    }
    return `(SELECT ${out.join(', ')} FROM ${GROUPS} WHERE g = ${setOf(i)})`;
  });
  const [row] = await db.rows<Record<string, unknown>>(
    `SELECT * FROM (SELECT sum(n) AS rows FROM ${GROUPS} WHERE g = ${all}), ${perColumn.join(', ')}`,
  );
  const number = (key: string) => Number(row![key] ?? 0);
  const timeCandidates: number[] = [];
  for (const i of batch) {
    const { kind, undecided } = columns[i]!.info;
    const s: ColumnStats = {
      count: number(`n${i}`),
      distinct: number(`distinct${i}`),
      invalid: kind === 'numeric' ? number(`bad${i}`) : 0,
      min: kind === 'datetime' ? text(row![`lo${i}`]) : null,
      max: kind === 'datetime' ? text(row![`hi${i}`]) : null,
    };
    if (undecided && s.distinct! > 0) {
      if (number(`num${i}`) === s.distinct) {
        s.kind = 'numeric';
        s.invalid = number(`bad${i}`);
      } else timeCandidates.push(i);
    }
    stats[i] = s;
  }
  await decideTimes(db, timeCandidates, setOf, stats);
  return number('rows');
}

/**
 * Which undecided text columns hold only timestamps, with their ranges. Casting to TIMESTAMP is
 * slow, so the first 2,048 distinct values rule most columns out before the full check.
 */
async function decideTimes(
  db: Database,
  candidates: number[],
  setOf: (i: number) => number,
  stats: ColumnStats[],
): Promise<void> {
  const all = (i: number, limit: string, extra: string[] = []) =>
    `(SELECT count(c${i}) = count(TRY_CAST(c${i} AS TIMESTAMP)) AS t${i}${extra.map((e) => `, ${e}`).join('')} FROM (SELECT c${i} FROM ${GROUPS} WHERE g = ${setOf(i)} AND c${i} IS NOT NULL ${limit}))`;
  if (!candidates.length) return;
  const [sample] = await db.rows<Record<string, boolean>>(
    `SELECT * FROM ${candidates.map((i) => all(i, 'LIMIT 2048')).join(', ')}`,
  );
  const likely = candidates.filter((i) => sample![`t${i}`] === true);
  if (!likely.length) return;
  const [full] = await db.rows<Record<string, unknown>>(
    `SELECT * FROM ${likely
      .map((i) =>
        all(i, '', [
          `CAST(min(TRY_CAST(c${i} AS TIMESTAMP)) AS VARCHAR) AS lo${i}`,
          `CAST(max(TRY_CAST(c${i} AS TIMESTAMP)) AS VARCHAR) AS hi${i}`,
        ]),
      )
      .join(', ')}`,
  );
  for (const i of likely) {
    if (full![`t${i}`] !== true) continue;
    Object.assign(stats[i]!, {
      kind: 'datetime',
      min: text(full![`lo${i}`]),
      max: text(full![`hi${i}`]),
    });
  }
}

/**
 * Reads (value DOUBLE, count DOUBLE) rows columnar into typed arrays, in their order: a NULL value's
 * count goes to `nulls` and a NaN's (not a finite number) to `invalid`; `total` counts every row.
 */
function readPairs(result: DuckDBMaterializedResult): {
  values: Float64Array;
  counts: Float64Array;
  nulls: number;
  invalid: number;
  total: number;
} {
  const values = new Float64Array(result.rowCount);
  const counts = new Float64Array(result.rowCount);
  let k = 0;
  let nulls = 0;
  let invalid = 0;
  let total = 0;
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const v = chunk.getColumnVector(0);
    const n = chunk.getColumnVector(1);
    for (let j = 0; j < chunk.rowCount; j++) {
      const value = v.getItem(j) as number | null;
      const count = n.getItem(j) as number;
      total += count;
      if (value === null) nulls += count;
      else if (Number.isNaN(value)) invalid += count;
      else {
        values[k] = value;
        counts[k++] = count;
      }
    }
  }
  // Copies only when a NULL or NaN row was left out, so that no array views a larger buffer.
  const fit = (a: Float64Array) => (k === a.length ? a : a.slice(0, k));
  return { values: fit(values), counts: fit(counts), nulls, invalid, total };
}
