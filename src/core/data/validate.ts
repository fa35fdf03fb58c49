import type { DataContract } from '../config/dataContract.js';
import { ModelshipError, messageOf } from '../errors.js';
import { planContract, type ContractPlan } from './contractPlan.js';
import { literal, SPILL_MEMORY, withDatabase, type Database } from './duckdb.js';
import { openDataSource, type DataSource } from './dataSource.js';
import { scanSource } from './validationScan.js';
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
    // The flag table (~70 bytes a row) and a unique column's groups spill to disk: 10M rows stay
    // under 1 GB.
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

  const scan = await scanSource(db, plan, source, maxExamples);
  const counts = scan.counts;
  const rows = Number(counts.n ?? 0);
  if (rows === 0) {
    throw new ModelshipError(
      `${source.display}: has a header but no data rows; add data or check the export that wrote it.`,
    );
  }
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
    const nonNull = rows - Number(counts[`z_${column.raw}`] ?? 0);
    for (const check of plan.checks.filter((c) => c.column === column)) {
      const count = Number(counts[check.alias] ?? 0);
      if (count === 0) continue;
      const of = check.ofAllRows ? rows : nonNull;
      const mostly = check.ofAllRows ? 1 : column.contract.mostly;
      push(
        column.name,
        check.check,
        severityOf(count, of, mostly),
        count,
        of,
        scan.examples(check),
      );
    }
    if (column.contract.unique) {
      const duplicates = await scan.duplicates(column);
      if (duplicates.count > 0) {
        const severity = severityOf(duplicates.count, nonNull, column.contract.mostly);
        push(column.name, 'unique', severity, duplicates.count, nonNull, duplicates.examples);
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

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
