import { Database, literal } from '../../src/core/data/duckdb.js';

/** A contract's columns with a check of every kind (types, bounds, `in`, pattern, unique, nulls). */
export const EVERY_CHECK = {
  id: { type: 'string', unique: true, pattern: '^u[0-9]+$' },
  age: { type: 'integer', min: 18, max: 100 },
  score: { type: 'number', min: 0, max: 1, nullable: true },
  plan: { type: 'string', in: ['free', 'pro'] },
  code: { type: 'string', unique: true },
  created: { type: 'timestamp', min: '2015-01-01' },
  active: { type: 'boolean' },
} as const;

/**
 * Writes a CSV's rows as Parquet: every column as text, or cast to the DuckDB type `types` names
 * for it; `rowGroup` sets the row group size.
 */
export async function csvToParquet(
  csv: string,
  parquet: string,
  options: { types?: Record<string, string>; rowGroup?: number } = {},
): Promise<void> {
  const db = await Database.open();
  try {
    const header = await db.rows<{ column_name: string }>(
      `DESCRIBE SELECT * FROM read_csv(${literal(csv)}, header = true, all_varchar = true)`,
    );
    const columns = header.map(({ column_name: name }) => {
      const type = options.types?.[name];
      return type ? `CAST("${name}" AS ${type}) AS "${name}"` : `"${name}"`;
    });
    const rowGroup = options.rowGroup ? `, ROW_GROUP_SIZE ${options.rowGroup}` : '';
    await db.run(
      `COPY (SELECT ${columns.join(', ')} FROM read_csv(${literal(csv)}, header = true, all_varchar = true)) TO ${literal(parquet)} (FORMAT parquet${rowGroup})`,
    );
  } finally {
    db.close();
  }
}
