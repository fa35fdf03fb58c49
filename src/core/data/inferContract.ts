import { Document, isMap, isPair } from 'yaml';
import type { ColumnContract, ColumnType, DataContract } from '../config/dataContract.js';
import { ModelshipError } from '../errors.js';
import { ident } from './duckdb.js';
import { openDataSource, rawReader, readSafely } from './dataSource.js';
import { withDatabase } from './duckdb.js';
import { nativeFamily, rawExpression, typedExpression } from './typedValue.js';

/** String columns with at most this many distinct values get an `in` set (as TFDV does). */
export const MAX_CATEGORIES = 20;
const CANDIDATES: ColumnType[] = ['integer', 'number', 'boolean', 'timestamp'];

/** A starting contract from data: types, nullability, observed ranges and category sets. */
export async function inferContract(dataPath: string): Promise<DataContract> {
  return withDatabase(async (db) => {
    const source = await openDataSource(db, dataPath);
    const parts: string[] = ['count(*) AS n'];
    source.columns.forEach((name, i) => {
      const family = nativeFamily(source.types[name] ?? 'VARCHAR');
      const raw = rawExpression(ident(name), family);
      parts.push(`count(${raw}) AS nn${i}`);
      for (const type of CANDIDATES) {
        const typed = typedExpression(type, family, raw, ident(name));
        parts.push(`count(${typed}) AS ${type}${i}`);
        if (type !== 'boolean')
          parts.push(
            `CAST(min(${typed}) AS VARCHAR) AS min_${type}${i}`,
            `CAST(max(${typed}) AS VARCHAR) AS max_${type}${i}`,
          );
      }
      parts.push(`count(DISTINCT ${raw}) AS d${i}`);
      parts.push(
        `list(DISTINCT ${raw} ORDER BY ${raw}) FILTER (WHERE ${raw} IS NOT NULL) AS v${i}`,
      );
    });
    const [stats] = await readSafely<Record<string, unknown>>(
      db,
      source,
      `SELECT ${parts.join(', ')} FROM ${rawReader(source)}`,
    );
    const rows = Number(stats?.n ?? 0);
    if (rows === 0) {
      // Nothing to infer from: every column would come out an unchecked string.
      throw new ModelshipError(
        `${source.display}: has a header but no data rows; infer the contract from a file with data.`,
      );
    }
    const columns: Record<string, ColumnContract> = {};
    source.columns.forEach((name, i) => {
      const nonNull = Number(stats?.[`nn${i}`] ?? 0);
      const type = inferType(stats ?? {}, i, nonNull);
      const column: ColumnContract = { type, nullable: nonNull < rows, unique: false, mostly: 1 };
      if (type === 'integer') {
        column.min = integerBound(String(stats?.[`min_integer${i}`]), 'down');
        column.max = integerBound(String(stats?.[`max_integer${i}`]), 'up');
      } else if (type === 'number') {
        column.min = Number(stats?.[`min_number${i}`]);
        column.max = Number(stats?.[`max_number${i}`]);
      } else if (type === 'timestamp') {
        column.min = String(stats?.[`min_timestamp${i}`]);
        column.max = String(stats?.[`max_timestamp${i}`]);
      } else if (type === 'string' && nonNull > 0 && Number(stats?.[`d${i}`]) <= MAX_CATEGORIES) {
        column.in = listOf(stats?.[`v${i}`]).map(String);
      }
      columns[name] = column;
    });
    return { columns, rows: { min: 1 }, extra_columns: 'error' };
  });
}

/** The narrowest type every non-null value has; an all-null column is a nullable string. */
function inferType(stats: Record<string, unknown>, i: number, nonNull: number): ColumnType {
  if (nonNull === 0) return 'string';
  // 0/1 columns stay integer; boolean is for words such as true/false and yes/no.
  for (const type of CANDIDATES) if (Number(stats[`${type}${i}`]) === nonNull) return type;
  return 'string';
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

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && 'items' in value)
    return (value as { items: unknown[] }).items;
  return [];
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
