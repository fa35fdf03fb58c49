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
  ) {}

  /** Opens an in-memory database; `memoryLimit` like '1GB' caps DuckDB's buffer pool. */
  static async open(options: { memoryLimit?: string; threads?: number } = {}): Promise<Database> {
    const config: Record<string, string> = { preserve_insertion_order: 'true' };
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    const instance = await DuckDBInstance.create(':memory:', config);
    return new Database(instance, await instance.connect());
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
  }
}

/** Runs `work` with a fresh database that is closed afterwards. */
export async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open();
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
