import type { DuckDBDataChunk } from '@duckdb/node-api';
import type { Database } from '../data/duckdb.js';

/** A query's result, read column by column in chunks of up to 2048 rows. */
export interface ChunkedResult {
  rowCount: number;
  chunkCount: number;
  chunk(index: number): DuckDBDataChunk;
}

/**
 * Runs a query and keeps its result in DuckDB's memory, for reading columnar: no JavaScript
 * object per row, and typed values per column.
 */
export async function queryChunks(db: Database, sql: string): Promise<ChunkedResult> {
  const result = await db.chunks(sql);
  return {
    rowCount: result.rowCount,
    chunkCount: result.chunkCount,
    chunk: (index) => result.getChunk(index),
  };
}
