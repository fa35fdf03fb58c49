import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBInstance,
  type DuckDBConnection,
  type DuckDBMaterializedResult,
} from '@duckdb/node-api';

/** One in-process DuckDB database; rows come back as plain JS objects (BIGINT as bigint). */
export class Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly spillDirectory?: string,
  ) {}

  /**
   * Opens an in-memory database; `memoryLimit` like '1GB' caps DuckDB's buffer pool, and with
   * `spill` what does not fit goes to a temporary directory removed on close.
   */
  static async open(options: DatabaseOptions = {}): Promise<Database> {
    const config: Record<string, string> = { preserve_insertion_order: 'true' };
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    const spill = options.spill ? mkdtempSync(join(tmpdir(), 'modelship-duckdb-')) : undefined;
    if (spill) config.temp_directory = spill;
    try {
      const instance = await DuckDBInstance.create(':memory:', config);
      return new Database(instance, await instance.connect(), spill);
    } catch (error) {
      if (spill) rmSync(spill, { recursive: true, force: true });
      throw error;
    }
  }

  /** Runs a query and returns its rows. */
  async rows<T = Record<string, unknown>>(sql: string): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  }

  /** Runs a query and keeps its result in DuckDB's memory, to be read column by column in chunks. */
  async chunks(sql: string): Promise<DuckDBMaterializedResult> {
    return this.connection.run(sql);
  }

  /** Runs a statement for its effect. */
  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Releases the connection and the database. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
    if (this.spillDirectory) rmSync(this.spillDirectory, { recursive: true, force: true });
  }
}

export interface DatabaseOptions {
  memoryLimit?: string;
  threads?: number;
  /** Spill to a temporary directory beyond the memory limit (aggregates of big files). */
  spill?: boolean;
}

/**
 * DuckDB's buffer pool for the scans that hold a table as large as the file (a validation's flag
 * table, a profile's groups), which spill to disk beyond it: at 10M rows either took 2 GB or more.
 * Peak RSS stays under 1 GB with it (docs/performance.md).
 */
export const SPILL_MEMORY = '500MB';

/** Runs `work` with a fresh database that is closed afterwards. */
export async function withDatabase<T>(
  work: (db: Database) => Promise<T>,
  options: DatabaseOptions = {},
): Promise<T> {
  const db = await Database.open(options);
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

/** A double-quoted SQL identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A single-quoted SQL string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
