import {
  aggregateSql,
  countsSql,
  examplesScanSql,
  examplesSql,
  FILE_INDEX_SHIFT,
  flagTableSql,
  numbersRows,
  uniqueExamplesSql,
  uniqueScanSql,
  uniqueSql,
  type ContractPlan,
  type PlannedCheck,
  type PlannedColumn,
} from './contractPlan.js';
import type { Database } from './duckdb.js';
import { hasFileColumn, readSafely, type DataSource } from './dataSource.js';
import type { Example } from './validationReport.js';

/** What reading a source found: the counts, each failing check's examples, the unique checks. */
export interface Scan {
  /** `n` rows, each check's failing count by its alias, each column's nulls as `z_<raw>`. */
  counts: Record<string, unknown>;
  examples(check: PlannedCheck): Example[];
  duplicates(column: PlannedColumn): Promise<{ count: number; examples: Example[] }>;
}

/**
 * Reads a source for a validation: Parquet, which numbers its rows, by one aggregate and no
 * table; text and JSON by one scan into a table of per-row flags.
 */
export function scanSource(
  db: Database,
  plan: ContractPlan,
  source: DataSource,
  maxExamples: number,
): Promise<Scan> {
  return numbersRows(source)
    ? aggregateScan(db, plan, source, maxExamples)
    : flagTableScan(db, plan, source, maxExamples);
}

/** Text files: one scan into a table of per-row flags, which every later query reads. */
async function flagTableScan(
  db: Database,
  plan: ContractPlan,
  source: DataSource,
  maxExamples: number,
): Promise<Scan> {
  const table = 'modelship_flags';
  await readSafely(db, source, flagTableSql(plan, source, table));
  const [counts = {}] = await db.rows(countsSql(plan, source, table));
  const failing = plan.checks.filter((check) => Number(counts[check.alias] ?? 0) > 0);
  const found = groupExamples(
    failing.length ? await db.rows(examplesSql(plan, failing, source, table, maxExamples)) : [],
  );
  const fileStarts = fileOffsets(source, counts.files);
  return {
    counts,
    examples: (check) => toExamples(found.get(check.alias), fileStarts),
    duplicates: async (column) => {
      const [result] = await db.rows<{ n: unknown; ex: unknown }>(
        uniqueSql(column, source, table, maxExamples),
      );
      return {
        count: Number(result?.n ?? 0),
        examples: toExamples(result?.ex, fileStarts),
      };
    },
  };
}

/**
 * Sources that number their rows (Parquet): every count in one aggregate over the file, then only
 * the failing checks' columns read again up to their last example, and each unique column grouped
 * from the file (Parquet reads that column alone). No table as big as the file.
 */
async function aggregateScan(
  db: Database,
  plan: ContractPlan,
  source: DataSource,
  maxExamples: number,
): Promise<Scan> {
  // Each scan below reads the file's footer again: cached, a 1,000-column file's examples took
  // 1.4 instead of 2.2 s (and 224 instead of 332 MB).
  await db.run('SET parquet_metadata_cache = true');
  const [counts = {}] = await readSafely(db, source, aggregateSql(plan, source));
  const failing = plan.checks.filter((check) => Number(counts[check.alias] ?? 0) > 0);
  const found = await examplesOf(db, plan, source, failing, maxExamples);
  return {
    counts,
    examples: (check) => found.get(check.alias) ?? [],
    duplicates: async (column) => {
      const [result] = await readSafely<{ n: unknown; picked: unknown; bound: bigint }>(
        db,
        source,
        uniqueScanSql(plan, column, source, maxExamples),
      );
      const count = Number(result?.n ?? 0);
      const picked = listItems(result?.picked) as string[];
      if (count === 0 || !result) return { count, examples: [] };
      const found = await readSafely<{ key: bigint; value: string | null }>(
        db,
        source,
        uniqueExamplesSql(plan, column, source, picked, result.bound, maxExamples),
      );
      return { count, examples: found.map((e) => exampleAt(source, e.key, e.value)) };
    },
  };
}

/** Failing checks whose examples one statement reads (see examplesOf). */
export const EXAMPLE_BATCH = 25;

/** The failing checks' first examples read back from a source that numbers its rows, by alias. */
async function examplesOf(
  db: Database,
  plan: ContractPlan,
  source: DataSource,
  failing: PlannedCheck[],
  maxExamples: number,
): Promise<Map<string, Example[]>> {
  const rows: { alias: string; key: bigint; value: string | null }[] = [];
  // A statement per EXAMPLE_BATCH failing checks: every read of a UNION holds its own state
  // (1,000 failing checks of a 1,000-column file in one statement took 2.6 GB).
  for (let start = 0; start < failing.length; start += EXAMPLE_BATCH) {
    const batch = failing.slice(start, start + EXAMPLE_BATCH);
    const sql = examplesScanSql(plan, batch, source, maxExamples);
    rows.push(...(await readSafely<(typeof rows)[number]>(db, source, sql)));
  }
  const found = new Map<string, Example[]>();
  for (const row of rows.sort((a, b) => Number(a.key - b.key))) {
    const list = found.get(row.alias) ?? [];
    list.push(exampleAt(source, row.key, row.value));
    found.set(row.alias, list);
  }
  return found;
}

/** The example at a row key (`row_key`): its 1-based row and, for globs, its file. */
function exampleAt(source: DataSource, key: bigint, value: string | null): Example {
  const row = Number(key & ((1n << FILE_INDEX_SHIFT) - 1n)) + 1;
  if (!hasFileColumn(source)) return { row, value: value ?? null };
  return { row, value: value ?? null, file: source.files[Number(key >> FILE_INDEX_SHIFT)]! };
}

/** For globs: the global row number at which each file starts, from the per-file counts. */
function fileOffsets(source: DataSource, histogram: unknown): Map<string, number> {
  const starts = new Map<string, number>();
  if (!histogram) return starts;
  const counts = mapEntries(histogram);
  let start = 0;
  for (const file of source.files) {
    starts.set(file, start);
    start += Number(counts.get(file) ?? 0);
  }
  return starts;
}

function mapEntries(value: unknown): Map<string, unknown> {
  if (value instanceof Map) return value as Map<string, unknown>;
  if (Array.isArray(value))
    return new Map(value.map((e: { key: string; value: unknown }) => [e.key, e.value]));
  if (value && typeof value === 'object' && 'entries' in value) {
    return mapEntries((value as { entries: unknown }).entries);
  }
  return new Map(Object.entries(value as object));
}

function toExamples(value: unknown, fileStarts: Map<string, number>): Example[] {
  const items = listItems(value);
  return items.map((item) => {
    const entry = item as { row: bigint | number; value: string | null; file?: string };
    const row = Number(entry.row);
    if (entry.file === undefined) return { row, value: entry.value ?? null };
    return {
      row: row - (fileStarts.get(entry.file) ?? 0),
      value: entry.value ?? null,
      file: entry.file,
    };
  });
}

function groupExamples(rows: Record<string, unknown>[]): Map<string, unknown[]> {
  const groups = new Map<string, unknown[]>();
  for (const row of rows) {
    const list = groups.get(String(row.alias)) ?? [];
    list.push(row.file === null ? { row: row.row, value: row.value } : row);
    groups.set(String(row.alias), list);
  }
  for (const list of groups.values())
    list.sort((a, b) => Number((a as { row: bigint }).row - (b as { row: bigint }).row));
  return groups;
}

function listItems(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && 'items' in value) return (value as { items: unknown[] }).items;
  return [];
}
