import { Document, isMap, isPair } from 'yaml';
import type { ColumnContract, ColumnType, DataContract } from '../config/dataContract.js';
import { ModelshipError } from '../errors.js';
import { ident, withDatabase, type Database } from './duckdb.js';
import { openDataSource, rawReader, readSafely, type DataSource } from './dataSource.js';
import { nativeFamily, rawExpression, typedExpression, type NativeFamily } from './typedValue.js';
import { MAX_CATEGORIES } from './categoryLimit.js';

export { MAX_CATEGORIES };
const CANDIDATES: ColumnType[] = ['integer', 'number', 'boolean', 'timestamp'];
/**
 * Columns inferred per scan of the data. Every aggregate of the scan has a fixed-size state (no
 * DISTINCT aggregate, which DuckDB gives hash tables of its own, ≈2 MB each per thread: one query
 * over every column took 7 GB at 500 columns and ran out of memory at 10,000), so a scan's
 * memory is bounded by this, whatever the file's width. See the report in inferContract.
 */
export const INFER_BATCH = 64;
/**
 * approx_count_distinct (HyperLogLog) is within a few per cent, and all but exact for small
 * counts: the string columns it puts at or under this get their distinct values counted exactly.
 */
const APPROX_CATEGORY_CUTOFF = 4 * MAX_CATEGORIES;
/** Candidate category columns whose distinct values one scan reads (GROUPING SETS). */
const SETS_PER_SCAN = 32;

/** How inferContract reads what it observes. */
export interface InferOptions {
  /**
   * Write the observed first and last timestamp (or date) as the column's min/max. Off by default:
   * bounds taken from a training split fail every row of later data (eval, current, next month).
   */
  timestampBounds?: boolean;
}

/**
 * A starting contract from data: types, nullability, observed numeric ranges and category sets.
 * Timestamps get no bounds unless `timestampBounds`; only true/false (any case) is boolean, so a
 * two-valued column of other words (YES/NO, y/n) is a string with an `in` list, and 0/1 an integer.
 */
export async function inferContract(
  dataPath: string,
  options: InferOptions = {},
): Promise<DataContract> {
  return withDatabase(async (db) => {
    const source = await openDataSource(db, dataPath);
    // One scan per INFER_BATCH columns of fixed-size aggregates, then one per SETS_PER_SCAN
    // string columns with few values for their exact values: peak memory stays that of one
    // batch (peak RSS measured, 50 rows: 1,000 columns 0.47 GB, 10,000 columns 0.61 GB; 7.0 GB at
    // 500 columns), at the price of a scan of the file per batch. Wider than 10,000 columns is
    // not tested.
    const stats: Record<string, unknown> = {};
    for (let start = 0; start === 0 || start < source.columns.length; start += INFER_BATCH) {
      const parts: string[] = ['count(*) AS n'];
      source.columns.slice(start, start + INFER_BATCH).forEach((name, k) => {
        const i = start + k;
        const family = nativeFamily(source.types[name] ?? 'VARCHAR');
        const raw = rawExpression(ident(name), family);
        parts.push(`count(${raw}) AS nn${i}`);
        for (const type of CANDIDATES) {
          const typed = typedExpression(type, family, raw, ident(name));
          parts.push(
            `count(${type === 'boolean' ? booleanWord(family, raw, typed) : typed}) AS ${type}${i}`,
          );
          if (type !== 'boolean')
            parts.push(
              `CAST(min(${typed}) AS VARCHAR) AS min_${type}${i}`,
              `CAST(max(${typed}) AS VARCHAR) AS max_${type}${i}`,
            );
        }
        parts.push(`approx_count_distinct(${raw}) AS a${i}`);
      });
      const [batch] = await readSafely<Record<string, unknown>>(
        db,
        source,
        `SELECT ${parts.join(', ')} FROM ${rawReader(source)}`,
      );
      Object.assign(stats, batch);
      if (Number(stats.n ?? 0) === 0) break;
    }
    const rows = Number(stats.n ?? 0);
    if (rows === 0) {
      // Nothing to infer from: every column would come out an unchecked string.
      throw new ModelshipError(
        `${source.display}: has a header but no data rows; infer the contract from a file with data.`,
      );
    }
    const categories = await exactCategories(
      db,
      source,
      source.columns.flatMap((_, i) => {
        const nonNull = Number(stats[`nn${i}`] ?? 0);
        return inferType(stats, i, nonNull) === 'string' &&
          nonNull > 0 &&
          Number(stats[`a${i}`]) <= APPROX_CATEGORY_CUTOFF
          ? [i]
          : [];
      }),
    );
    const columns: Record<string, ColumnContract> = {};
    source.columns.forEach((name, i) => {
      const nonNull = Number(stats[`nn${i}`] ?? 0);
      const type = inferType(stats, i, nonNull);
      const column: ColumnContract = { type, nullable: nonNull < rows, unique: false, mostly: 1 };
      if (type === 'integer') {
        column.min = integerBound(String(stats[`min_integer${i}`]), 'down');
        column.max = integerBound(String(stats[`max_integer${i}`]), 'up');
      } else if (type === 'number') {
        column.min = Number(stats[`min_number${i}`]);
        column.max = Number(stats[`max_number${i}`]);
      } else if (type === 'timestamp' && options.timestampBounds) {
        column.min = String(stats[`min_timestamp${i}`]);
        column.max = String(stats[`max_timestamp${i}`]);
      } else if (type === 'string') {
        const values = categories.get(i);
        if (values && values.length <= MAX_CATEGORIES) column.in = values;
      }
      columns[name] = column;
    });
    return { columns, rows: { min: 1 }, extra_columns: 'error' };
  });
}

/** The narrowest type every non-null value has; an all-null column is a nullable string. */
function inferType(stats: Record<string, unknown>, i: number, nonNull: number): ColumnType {
  if (nonNull === 0) return 'string';
  // 0/1 columns stay integer; boolean is for true/false only (booleanWord).
  for (const type of CANDIDATES) if (Number(stats[`${type}${i}`]) === nonNull) return type;
  return 'string';
}

/**
 * The boolean value of a field that reads as a boolean word: a native boolean, or the text
 * true/false in any case. DuckDB also casts yes/no, y/n, t/f and 1/0, which the contract's boolean
 * type accepts, but inferring boolean from them loses the words (YES/NO became "not YES" labels).
 */
function booleanWord(family: NativeFamily, raw: string, typed: string): string {
  if (family === 'boolean') return typed;
  if (family !== 'text') return 'CAST(NULL AS BOOLEAN)';
  return `CASE WHEN lower(trim(${raw})) IN ('true', 'false') THEN ${typed} END`;
}

/**
 * An observed integer bound as a JS number. Beyond 2^53 (64-bit ids) the nearest double may lie
 * inside the range, which would fail the data it came from: round outward instead.
 */
function integerBound(text: string, direction: 'down' | 'up'): number {
  const exact = BigInt(text);
  const value = Number(exact);
  if (Number.isSafeInteger(value)) return value;
  const ulp = 2 ** (Math.floor(Math.log2(Math.abs(value))) - 52);
  if (direction === 'down' && BigInt(value) > exact) return value - ulp;
  if (direction === 'up' && BigInt(value) < exact) return value + ulp;
  return value;
}

/**
 * The distinct non-null values, in DuckDB's order, of each given column (by index): one scan per
 * SETS_PER_SCAN columns, each column its own grouping set, so no DISTINCT aggregate is needed.
 */
async function exactCategories(
  db: Database,
  source: DataSource,
  indices: number[],
): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  for (let start = 0; start < indices.length; start += SETS_PER_SCAN) {
    const batch = indices.slice(start, start + SETS_PER_SCAN);
    const keys = batch.map((_, k) => `k${k}`);
    const select = batch.map((i, k) => {
      const name = source.columns[i]!;
      return `${rawExpression(ident(name), nativeFamily(source.types[name] ?? 'VARCHAR'))} AS k${k}`;
    });
    const all = 2 ** batch.length - 1;
    const rows = await readSafely<Record<string, unknown>>(
      db,
      source,
      `SELECT ${keys.join(', ')}, GROUPING_ID(${keys.join(', ')}) AS g FROM (SELECT ${select.join(', ')} FROM ${rawReader(source)}) GROUP BY GROUPING SETS (${keys.map((k) => `(${k})`).join(', ')}) ORDER BY g, ${keys.join(', ')}`,
    );
    for (const row of rows) {
      const k = batch.length - 1 - Math.log2(all - Number(row.g)); // the set's one grouped column
      const value = row[`k${k}`];
      if (value === null || value === undefined) continue;
      const i = batch[k]!;
      const list = out.get(i) ?? [];
      list.push(String(value));
      out.set(i, list);
    }
  }
  return out;
}

/** The contract as YAML, one flow mapping per column, defaults left out. */
export function contractToYaml(contract: DataContract, source: string): string {
  const columns: Record<string, Record<string, unknown>> = {};
  for (const [name, column] of Object.entries(contract.columns)) {
    const entry: Record<string, unknown> = { type: column.type };
    if (column.nullable) entry.nullable = true;
    if (column.min !== undefined) entry.min = column.min;
    if (column.max !== undefined) entry.max = column.max;
    if (column.in !== undefined) entry.in = column.in;
    if (column.unique) entry.unique = true;
    columns[name] = entry;
  }
  const doc = new Document({ columns, rows: contract.rows, extra_columns: contract.extra_columns });
  doc.commentBefore = ` Data contract inferred by \`modelship schema infer\` from ${source}.\n Review it: tighten ranges, add patterns and uniqueness, mark what may be empty.`;
  const columnsNode = doc.get('columns', true);
  if (isMap(columnsNode)) {
    for (const pair of columnsNode.items)
      if (isPair(pair) && isMap(pair.value)) pair.value.flow = true;
  }
  const rowsNode = doc.get('rows', true);
  if (isMap(rowsNode)) rowsNode.flow = true;
  return doc.toString({ lineWidth: 0 });
}
