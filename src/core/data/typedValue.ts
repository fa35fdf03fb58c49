import type { ColumnType } from '../config/dataContract.js';

/** How DuckDB holds a column as read: text needs parsing, native types are judged by value. */
export type NativeFamily = 'text' | 'integer' | 'float' | 'boolean' | 'timestamp' | 'other';

/** The family of a DuckDB type name. */
export function nativeFamily(duckdbType: string): NativeFamily {
  const type = duckdbType.toUpperCase();
  if (type === 'VARCHAR') return 'text';
  if (/^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|UHUGEINT)$/.test(type)) return 'integer';
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL.*)$/.test(type)) return 'float';
  if (type === 'BOOLEAN') return 'boolean';
  if (/^(DATE|TIMESTAMP.*)$/.test(type)) return 'timestamp';
  return 'other';
}

const INTEGER_TEXT = String.raw`\s*[+-]?[0-9]+\s*`;
const NUMBER_TEXT = String.raw`\s*[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|(?i:inf|infinity))\s*`;
const TRUE_TEXT = ['true', 't', 'yes', 'y', '1'];

/** The raw value as text, null when missing (in text an empty field is null). */
export function rawExpression(column: string, family: NativeFamily): string {
  return family === 'text' ? `nullif(${column}, '')` : `CAST(${column} AS VARCHAR)`;
}

/**
 * SQL turning a column into the contract type, or NULL where the value is not of that type; a
 * non-null raw value with a NULL typed value is a `type` violation. `raw` is the text expression,
 * `native` the column as read.
 */
export function typedExpression(
  type: ColumnType,
  family: NativeFamily,
  raw: string,
  native: string,
): string {
  if (family === 'text' || family === 'other') return parseText(type, raw);
  switch (type) {
    case 'integer':
      if (family === 'integer') return `TRY_CAST(${native} AS BIGINT)`;
      if (family === 'float')
        return `CASE WHEN isfinite(${native}) AND ${native} = trunc(${native}) THEN TRY_CAST(${native} AS BIGINT) END`;
      return 'CAST(NULL AS BIGINT)';
    case 'number':
      return family === 'integer' || family === 'float'
        ? `CAST(${native} AS DOUBLE)`
        : 'CAST(NULL AS DOUBLE)';
    case 'boolean':
      if (family === 'boolean') return native;
      if (family === 'integer') return `CASE ${native} WHEN 1 THEN true WHEN 0 THEN false END`;
      return 'CAST(NULL AS BOOLEAN)';
    case 'timestamp':
      return family === 'timestamp' ? `CAST(${native} AS TIMESTAMP)` : 'CAST(NULL AS TIMESTAMP)';
    case 'string':
      return raw;
  }
}

/** The DuckDB type `typedExpression` gives a column read as the contract type. */
export function typedSqlType(type: ColumnType): string {
  switch (type) {
    case 'integer':
      return 'BIGINT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'string':
      return 'VARCHAR';
  }
}

/**
 * Whether every non-null value of a native column reads as the contract type, so the `type`
 * check could never fail and is left out (a Parquet BIGINT read as an integer, a DOUBLE as a
 * number): only text, floats read as integers and integers too wide for BIGINT can fail.
 */
export function castAlwaysSucceeds(type: ColumnType, duckdbType: string): boolean {
  const family = nativeFamily(duckdbType);
  switch (type) {
    case 'integer':
      return /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER)$/i.test(duckdbType);
    case 'number':
      return family === 'integer' || family === 'float';
    case 'boolean':
      return family === 'boolean';
    case 'timestamp':
      return family === 'timestamp';
    case 'string':
      return true;
  }
}

function parseText(type: ColumnType, raw: string): string {
  switch (type) {
    case 'integer':
      // TRY_CAST alone would round "1.5" to 2 and read "0x1F": the shape is checked first.
      return `CASE WHEN regexp_full_match(${raw}, '${INTEGER_TEXT}') THEN TRY_CAST(${raw} AS BIGINT) END`;
    case 'number':
      return `CASE WHEN regexp_full_match(${raw}, '${NUMBER_TEXT}') THEN TRY_CAST(${raw} AS DOUBLE) END`;
    case 'boolean':
      // DuckDB reads true/false, t/f, yes/no, y/n and 1/0, in any case.
      return `TRY_CAST(${raw} AS BOOLEAN)`;
    case 'timestamp':
      return `TRY_CAST(${raw} AS TIMESTAMP)`;
    case 'string':
      return raw;
  }
}

/** A SQL literal of a contract bound or `in` value, in the column's type. */
export function typedLiteral(type: ColumnType, value: string | number | boolean): string {
  switch (type) {
    case 'integer':
    case 'number':
      return typeof value === 'number'
        ? String(value)
        : `TRY_CAST('${String(value).replaceAll("'", "''")}' AS DOUBLE)`;
    case 'boolean':
      return TRUE_TEXT.includes(String(value).toLowerCase()) ? 'true' : 'false';
    case 'timestamp':
      return `CAST('${String(value).replaceAll("'", "''")}' AS TIMESTAMP)`;
    case 'string':
      return `'${String(value).replaceAll("'", "''")}'`;
  }
}
