import type { ColumnContract, DataContract } from '../config/dataContract.js';
import { ident, literal } from './duckdb.js';
import { FILE_COLUMN, hasFileColumn, rawReader, type DataSource } from './dataSource.js';
import {
  castAlwaysSucceeds,
  nativeFamily,
  rawExpression,
  typedExpression,
  typedLiteral,
  typedSqlType,
  type NativeFamily,
} from './typedValue.js';
import type { CheckName } from './validationReport.js';

/** A contract column found in the data, with the SQL aliases of its raw and typed values. */
export interface PlannedColumn {
  name: string;
  contract: ColumnContract;
  raw: string;
  typed: string;
}

/** A value check compiled to a predicate over the typed relation. */
export interface PlannedCheck {
  alias: string;
  column: PlannedColumn;
  check: Exclude<CheckName, 'missing_column' | 'extra_column' | 'rows' | 'unique'>;
  predicate: string;
  /** Whether the percentage is of all rows (`nullable`) or of non-null values. */
  ofAllRows: boolean;
}

/** What the contract asks of one data source, ready to run as SQL. */
export interface ContractPlan {
  columns: PlannedColumn[];
  checks: PlannedCheck[];
  unique: PlannedColumn[];
  missing: string[];
  extra: string[];
}

/** Compiles a contract against the columns a source has. */
export function planContract(contract: DataContract, source: DataSource): ContractPlan {
  const present = new Set(source.columns);
  const declared = Object.keys(contract.columns);
  const columns: PlannedColumn[] = declared
    .filter((name) => present.has(name))
    .map((name, i) => ({ name, contract: contract.columns[name]!, raw: `r${i}`, typed: `t${i}` }));
  const checks: PlannedCheck[] = [];
  for (const column of columns)
    checks.push(...checksOf(column, source.types[column.name] ?? 'VARCHAR'));
  return {
    columns,
    checks,
    unique: columns.filter((c) => c.contract.unique),
    missing: declared.filter((name) => !present.has(name)),
    extra: source.columns.filter((name) => !(name in contract.columns)),
  };
}

function checksOf(column: PlannedColumn, duckdbType: string): PlannedCheck[] {
  const { contract: c, raw, typed } = column;
  const checks: PlannedCheck[] = [];
  const add = (check: PlannedCheck['check'], predicate: string, ofAllRows = false) =>
    checks.push({ alias: `${check}_${raw}`, column, check, predicate, ofAllRows });
  if (!c.nullable) add('nullable', `${raw} IS NULL`, true);
  if (!castAlwaysSucceeds(c.type, duckdbType))
    add('type', `${raw} IS NOT NULL AND ${typed} IS NULL`);
  if (c.min !== undefined) add('min', `${typed} < ${typedLiteral(c.type, c.min)}`);
  if (c.max !== undefined) add('max', `${typed} > ${typedLiteral(c.type, c.max)}`);
  if (c.in !== undefined) {
    // list_contains, not IN: DuckDB rewrites longer IN lists into a join, which loses file order.
    add(
      'in',
      `NOT list_contains([${c.in.map((v) => typedLiteral(c.type, v)).join(', ')}], ${typed})`,
    );
  }
  if (c.pattern !== undefined)
    add('pattern', `NOT regexp_matches(${typed}, ${literal(c.pattern)})`);
  return checks;
}

/**
 * The relation of (for globs) file and each planned column's raw and typed value; `keyed` adds
 * each row's place in the source as `row_key` (sources that number their rows only).
 */
export function typedRelation(plan: ContractPlan, source: DataSource, keyed = false): string {
  const file = hasFileColumn(source) ? [FILE_COLUMN] : [];
  const key = keyed ? [ROW_KEY] : [];
  const raws = plan.columns.map((c) => {
    const family = nativeFamily(source.types[c.name] ?? 'VARCHAR');
    const raw = textNeeded(c, family) ? rawExpression(ident(c.name), family) : ident(c.name); // NULL exactly where its text is; made text only for a failing row's example
    return `${raw} AS ${c.raw}, ${ident(c.name)} AS n_${c.raw}`;
  });
  const typeds = plan.columns.map((c) => {
    const family = nativeFamily(source.types[c.name] ?? 'VARCHAR');
    return `${c.raw}, ${typedExpression(c.contract.type, family, c.raw, `n_${c.raw}`)} AS ${c.typed}`;
  });
  const keyColumn = keyed ? [`${rowKeyExpression(source)} AS ${ROW_KEY}`] : [];
  const inner = `SELECT ${[...file, ...keyColumn, ...raws, '1 AS one'].join(', ')} FROM ${rawReader(source)}`;
  return `(SELECT ${[...file, ...key, ...typeds, 'one'].join(', ')} FROM (${inner}))`;
}

/**
 * Whether the checks read a column as text: always for text files, and for a native column (a
 * Parquet BIGINT) when the contract reads it as a string or its type is none DuckDB compares.
 * Otherwise formatting a million numbers as text only to test them for NULL cost more than
 * reading the Parquet file.
 */
function textNeeded(column: PlannedColumn, family: NativeFamily): boolean {
  return family === 'text' || family === 'other' || column.contract.type === 'string';
}

const BITS = 62;
/** The flag table's column holding a failing row's raw values, in plan.columns order. */
const RAWS = 'raws';

/** The mask column and bit of the i-th flag (62 flags a BIGINT). */
function bit(prefix: string, i: number): { column: string; value: string } {
  return { column: `${prefix}${Math.floor(i / BITS)}`, value: String(2n ** BigInt(i % BITS)) };
}

function maskColumns(prefix: string, predicates: string[]): string[] {
  const masks: string[] = [];
  for (let start = 0; start < Math.max(predicates.length, 1); start += BITS) {
    const parts = predicates
      .slice(start, start + BITS)
      .map((p, j) => `CASE WHEN ${p} THEN ${bit(prefix, start + j).value} ELSE 0 END`);
    masks.push(
      `CAST(${parts.length ? parts.join(' | ') : '0'} AS BIGINT) AS ${prefix}${start / BITS}`,
    );
  }
  return masks;
}

/**
 * The one scan: a table in file order (rowid = data row − 1) holding, per row, a bit per failing
 * check, a bit per null value, the raw values of rows that fail anything as one list (NULL
 * elsewhere), the typed values of unique columns and, for globs, the file. One list, not a
 * column per raw value: an in-memory table keeps 16 bytes per row of every VARCHAR column even
 * where it is NULL (320 MB of NULLs for 20 columns × 1M rows), while a NULL list holds no values.
 */
export function flagTableSql(plan: ContractPlan, source: DataSource, table: string): string {
  const checkMasks = maskColumns(
    'm',
    plan.checks.map((c) => c.predicate),
  );
  const nullMasks = maskColumns(
    'z',
    plan.columns.map((c) => `${c.raw} IS NULL`),
  );
  // Whether a row fails anything is one column, computed once: spelled out in every raw value's
  // CASE it made the SQL grow with columns × checks (73 MB and 2 minutes at 10,000 columns).
  const failing = checkMasks.map((_, i) => `m${i} <> 0`).join(' OR ');
  const raws = plan.columns.length
    ? [
        `CASE WHEN failing THEN [${plan.columns.map((c) => `CAST(${c.raw} AS VARCHAR)`).join(', ')}] END AS ${RAWS}`,
      ]
    : [];
  const uniques = plan.unique.map((c) => `${c.typed}`);
  const file = hasFileColumn(source) ? [FILE_COLUMN] : [];
  const masks = [...checkMasks, ...nullMasks];
  const names = masks.map((m) => m.split(' AS ').pop()!);
  const inner = `SELECT ${[...masks, ...plan.columns.map((c) => c.raw), ...uniques, ...file].join(', ')} FROM ${typedRelation(plan, source)}`;
  const middle = `SELECT *, (${failing}) AS failing FROM (${inner})`;
  const outer = [...names, ...raws, ...uniques, ...file];
  return `CREATE OR REPLACE TEMP TABLE ${table} AS SELECT ${outer.join(', ')} FROM (${middle})`;
}

/** Row count, per-file counts, each check's failing count and each column's null count. */
export function countsSql(plan: ContractPlan, source: DataSource, table: string): string {
  const parts = ['count(*) AS n'];
  if (hasFileColumn(source)) parts.push(`histogram(${FILE_COLUMN}) AS files`);
  plan.checks.forEach((check, i) => {
    const b = bit('m', i);
    parts.push(`count_if(${b.column} & ${b.value} <> 0) AS ${check.alias}`);
  });
  plan.columns.forEach((column, i) => {
    const b = bit('z', i);
    parts.push(`count_if(${b.column} & ${b.value} <> 0) AS z_${column.raw}`);
  });
  return `SELECT ${parts.join(', ')} FROM ${table}`;
}

/**
 * The first failing rows of the given checks, from the flag table: one LIMIT per check, which
 * stops scanning as soon as it has its rows (the table is in file order).
 */
export function examplesSql(
  plan: ContractPlan,
  checks: PlannedCheck[],
  source: DataSource,
  table: string,
  max: number,
): string {
  const file = hasFileColumn(source) ? FILE_COLUMN : 'NULL';
  return checks
    .map((check) => {
      const b = bit('m', plan.checks.indexOf(check));
      const raw = `${RAWS}[${plan.columns.indexOf(check.column) + 1}]`;
      return `(SELECT ${literal(check.alias)} AS alias, rowid + 1 AS row, ${raw} AS value, ${file} AS file FROM ${table} WHERE ${b.column} & ${b.value} <> 0 LIMIT ${max})`;
    })
    .join('\nUNION ALL\n');
}

/**
 * Rows whose value of a unique column occurs more than once: their count and first examples. The
 * grouping keeps only a count and the first row per value; the example rows are read back for
 * the few values picked (a top-5 list of row ids per group had doubled the query's time).
 */
export function uniqueSql(
  column: PlannedColumn,
  source: DataSource,
  table: string,
  max: number,
): string {
  const file = hasFileColumn(source) ? `, 'file': ${FILE_COLUMN}` : '';
  const typed = column.typed;
  return `WITH dup AS MATERIALIZED (
  SELECT ${typed} AS value, count(*) AS c, min(rowid) AS first
  FROM ${table} WHERE ${typed} IS NOT NULL GROUP BY ${typed} HAVING count(*) > 1),
picked AS (SELECT value FROM dup ORDER BY first LIMIT ${max})
SELECT (SELECT coalesce(sum(c), 0) FROM dup) AS n,
  (SELECT list({'row': rowid + 1, 'value': CAST(${typed} AS VARCHAR)${file}} ORDER BY rowid)[1:${max}]
   FROM ${table} WHERE ${typed} IN (SELECT value FROM picked)) AS ex`;
}

/** The row's place in the source, in file order: see `rowKeyExpression`. */
export const ROW_KEY = 'row_key';
/** A row key holds the file's index above this bit and its 0-based row within the file below. */
export const FILE_INDEX_SHIFT = 40n;

/**
 * Whether the source's reader numbers its rows itself (Parquet's `file_row_number` and
 * `file_index`), so that counts and examples come from one aggregate over the file with no table
 * of flags in between.
 */
export function numbersRows(source: DataSource): boolean {
  return source.format === 'parquet';
}

function rowKeyExpression(source: DataSource): string {
  return hasFileColumn(source)
    ? `(CAST(file_index AS BIGINT) << ${FILE_INDEX_SHIFT}) | file_row_number`
    : 'file_row_number';
}

/**
 * For sources that number their rows, the one scan without a flag table: the row count, each
 * check's failing count and each column's null count, in one aggregate over the file.
 */
export function aggregateSql(plan: ContractPlan, source: DataSource): string {
  const parts = ['count(*) AS n'];
  for (const check of plan.checks) parts.push(`count_if(${check.predicate}) AS ${check.alias}`);
  for (const column of plan.columns)
    parts.push(`count(*) - count(${column.raw}) AS z_${column.raw}`);
  return `SELECT ${parts.join(', ')} FROM ${typedRelation(plan, source, true)}`;
}

/**
 * For sources that number their rows: the first `max` failing rows of the given checks, each read
 * from the file with its column alone and a LIMIT, which stops reading at its `max`-th row (rows
 * come in file order); Parquet skips the row groups whose statistics rule the check out.
 */
export function examplesScanSql(
  plan: ContractPlan,
  checks: PlannedCheck[],
  source: DataSource,
  max: number,
): string {
  return checks
    .map((check) => {
      const relation = typedRelation({ ...plan, columns: [check.column] }, source, true);
      return `(SELECT ${literal(check.alias)} AS alias, ${ROW_KEY} AS key, CAST(${check.column.raw} AS VARCHAR) AS value FROM ${relation} WHERE ${check.predicate} LIMIT ${max})`;
    })
    .join('\nUNION ALL\n');
}

/**
 * For sources that number their rows: the unique check of one column straight from the file
 * (Parquet reads that column alone), as `uniqueSql` does from the flag table: the count of rows
 * whose value occurs more than once, and as text the first `max` such values in file order.
 */
export function uniqueScanSql(
  plan: ContractPlan,
  column: PlannedColumn,
  source: DataSource,
  max: number,
): string {
  const relation = typedRelation({ ...plan, columns: [column] }, source, true);
  const typed = column.typed;
  // `bound`: no later than the max-th of the picked values' first and last rows, so the examples
  // read no row group past it (each value's rows lie between its first and its last).
  return `WITH dup AS MATERIALIZED (
  SELECT ${typed} AS value, count(*) AS c, min(${ROW_KEY}) AS first, max(${ROW_KEY}) AS last
  FROM ${relation} WHERE ${typed} IS NOT NULL GROUP BY ${typed} HAVING count(*) > 1),
top AS (SELECT value, first, last FROM dup ORDER BY first LIMIT ${max})
SELECT (SELECT coalesce(sum(c), 0) FROM dup) AS n,
  (SELECT list(CAST(value AS VARCHAR) ORDER BY first) FROM top) AS picked,
  (SELECT max(k) FROM (SELECT k FROM (SELECT first AS k FROM top UNION ALL SELECT last FROM top)
    ORDER BY k LIMIT ${max})) AS bound`;
}

/**
 * The first `max` rows holding one of the `picked` values (`uniqueScanSql`), which are the first
 * `max` duplicate rows: a filter with a LIMIT, which keeps file order, up to the row key `bound`.
 * The values go in as literals (text casts back to each type exactly): an IN over a subquery
 * is a join, which returned later rows first.
 */
export function uniqueExamplesSql(
  plan: ContractPlan,
  column: PlannedColumn,
  source: DataSource,
  picked: string[],
  bound: bigint,
  max: number,
): string {
  const relation = typedRelation({ ...plan, columns: [column] }, source, true);
  const type = typedSqlType(column.contract.type);
  const values = picked.map((value) => `CAST(${literal(value)} AS ${type})`).join(', ');
  return `SELECT ${ROW_KEY} AS key, CAST(${column.typed} AS VARCHAR) AS value FROM ${relation} WHERE ${ROW_KEY} <= ${bound} AND list_contains([${values}], ${column.typed}) LIMIT ${max}`;
}
