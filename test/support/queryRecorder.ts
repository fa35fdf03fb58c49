import { vi } from 'vitest';
import { Database } from '../../src/core/data/duckdb.js';

/**
 * Every SQL statement run from now on, recorded from the one class all of Modelship's DuckDB
 * queries go through (undo with vi.restoreAllMocks()).
 */
export function recordQueries(): string[] {
  const queries: string[] = [];
  for (const method of ['rows', 'run', 'chunks'] as const) {
    const original = Database.prototype[method];
    vi.spyOn(Database.prototype, method).mockImplementation(function (this: Database, sql) {
      queries.push(sql);
      return (original as (sql: string) => Promise<never>).call(this, sql);
    });
  }
  return queries;
}

/** Statements that read a data file (a table function over the files), not a table of results. */
export function scansOf(queries: string[], file?: string): string[] {
  return queries.filter(
    (sql) =>
      /read_(csv|parquet|json)\(/.test(sql) &&
      !/^DESCRIBE /.test(sql) &&
      (file === undefined || sql.includes(file)),
  );
}
