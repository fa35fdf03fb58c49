import type { DataContract } from '../config/dataContract.js';
import { ModelshipError, messageOf } from '../errors.js';
import {
  countsSql,
  examplesSql,
  flagTableSql,
  planContract,
  uniqueSql,
  type ContractPlan,
  type PlannedColumn,
} from './contractPlan.js';
import { literal, SPILL_MEMORY, withDatabase, type Database } from './duckdb.js';
import { openDataSource, readSafely, type DataSource } from './dataSource.js';
import { violationMessage } from './violationMessage.js';
import type {
  CheckName,
  Example,
  Severity,
  ValidationReport,
  Violation,
} from './validationReport.js';

export interface ValidateOptions {
  /** Names the contract in errors and in the report. */
  schemaFile?: string;
  /** Examples kept per check (default 5). */
  maxExamples?: number;
}

/** Checks a data file (or glob) against a contract, reporting every failure in one pass. */
export async function validateData(
  dataPath: string,
  contract: DataContract,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  return withDatabase(
    async (db) => {
      const source = await openDataSource(db, dataPath, { deferScan: true });
      try {
        return await validateSource(db, source, contract, options);
      } finally {
        source.stopScan?.(); // already done when the data was read; else no one waits for it
      }
    },
    // The flag table holds ~70 bytes a row: evictable to disk, 10M rows stay under 1 GB.
    { memoryLimit: SPILL_MEMORY, spill: true },
  );
}

/** Checks an already opened source; see `validateData`. */
export async function validateSource(
  db: Database,
  source: DataSource,
  contract: DataContract,
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const maxExamples = options.maxExamples ?? 5;
  const plan = planContract(contract, source);
  await checkPatterns(db, plan, options.schemaFile ?? 'the data contract');

  const table = 'modelship_flags';
  await readSafely(db, source, flagTableSql(plan, source, table));
  const [counts] = await db.rows(countsSql(plan, source, table));
  const rows = Number(counts?.n ?? 0);
  if (rows === 0) {
    throw new ModelshipError(
      `${source.display}: has a header but no data rows; add data or check the export that wrote it.`,
    );
  }
  const failing = plan.checks.filter((check) => Number(counts?.[check.alias] ?? 0) > 0);
  const found = groupExamples(
    failing.length ? await db.rows(examplesSql(plan, failing, source, table, maxExamples)) : [],
  );
  const fileStarts = fileOffsets(source, counts?.files);
  const examples = (value: unknown) => toExamples(value, fileStarts);
  const violations: Violation[] = [];
  const push = (
    column: string | null,
    check: CheckName,
    severity: Severity,
    count: number,
    of: number,
    ex: Example[],
    extra: Record<string, unknown> = {},
  ) =>
    violations.push({
      column,
      check,
      severity,
      unexpected_count: count,
      unexpected_percent: of === 0 ? 0 : round((100 * count) / of),
      element_count: of,
      examples: ex,
      message: violationMessage({
        column,
        check,
        count,
        of,
        examples: ex,
        rows,
        contract,
        ...extra,
      }),
    });

  for (const name of plan.missing) {
    push(name, 'missing_column', 'error', rows, rows, [], { present: source.columns });
  }
  for (const column of plan.columns) {
    const nonNull = rows - Number(counts?.[`z_${column.raw}`] ?? 0);
    for (const check of plan.checks.filter((c) => c.column === column)) {
      const count = Number(counts?.[check.alias] ?? 0);
      if (count === 0) continue;
      const of = check.ofAllRows ? rows : nonNull;
      const mostly = check.ofAllRows ? 1 : column.contract.mostly;
      push(
        column.name,
        check.check,
        severityOf(count, of, mostly),
        count,
        of,
        examples(found.get(check.alias)),
      );
    }
    if (column.contract.unique) {
      const duplicates = await countDuplicates(db, source, column, table, maxExamples);
      if (duplicates.count > 0) {
        const severity = severityOf(duplicates.count, nonNull, column.contract.mostly);
        push(
          column.name,
          'unique',
          severity,
          duplicates.count,
          nonNull,
          examples(duplicates.examples),
        );
      }
    }
  }
  if (contract.extra_columns !== 'ignore') {
    const severity: Severity = contract.extra_columns === 'error' ? 'error' : 'warning';
    for (const name of plan.extra) push(name, 'extra_column', severity, rows, rows, []);
  }
  const bounds = contract.rows;
  if (
    bounds &&
    ((bounds.min !== undefined && rows < bounds.min) ||
      (bounds.max !== undefined && rows > bounds.max))
  ) {
    push(null, 'rows', 'error', rows, rows, []);
  }
  return {
    ok: violations.every((v) => v.severity !== 'error'),
    rows,
    data: source.display,
    files: source.files,
    schema: options.schemaFile ?? null,
    columns: source.columns,
    violations,
  };
}

/** A check with failures passes with a warning when the passing share still meets `mostly`. */
function severityOf(count: number, of: number, mostly: number): Severity {
  if (mostly >= 1 || of === 0) return 'error';
  return (of - count) / of >= mostly - 1e-12 ? 'warning' : 'error';
}

async function countDuplicates(
  db: Database,
  source: DataSource,
  column: PlannedColumn,
  table: string,
  maxExamples: number,
) {
  const [result] = await db.rows<{ n: unknown; ex: unknown }>(
    uniqueSql(column, source, table, maxExamples),
  );
  return { count: Number(result?.n ?? 0), examples: result?.ex };
}

/** Patterns run in DuckDB's RE2, which rejects some JavaScript syntax: check them up front. */
async function checkPatterns(db: Database, plan: ContractPlan, schemaFile: string): Promise<void> {
  for (const column of plan.columns) {
    const pattern = column.contract.pattern;
    if (pattern === undefined) continue;
    try {
      await db.rows(`SELECT regexp_matches('', ${literal(pattern)})`);
    } catch (error) {
      const reason = messageOf(error)
        .split('\n')[0]
        ?.replace(/^.*Error: /, '');
      throw new ModelshipError(
        `${schemaFile}: columns.${column.name}.pattern ${JSON.stringify(pattern)} is not a valid RE2 regular expression (${reason}); RE2 has no look-around or back-references.`,
      );
    }
  }
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

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
