/** The checks of the data contract, by the names reports use (docs/data-contracts.md). */
export const CHECK_NAMES = [
  'missing_column',
  'extra_column',
  'type',
  'nullable',
  'min',
  'max',
  'in',
  'pattern',
  'unique',
  'rows',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export type Severity = 'error' | 'warning';

/** One offending value: its 1-based data row (header excluded) and the raw value. */
export interface Example {
  row: number;
  value: string | null;
  /** The file it is in, when the data is a glob of several files. */
  file?: string;
}

/** One failed check (docs/reports.md, validate). */
export interface Violation {
  column: string | null;
  check: CheckName;
  severity: Severity;
  /** Rows that fail the check. */
  unexpected_count: number;
  /** Of the non-null values (of all rows for `nullable`, `rows` and column checks). */
  unexpected_percent: number;
  /** The number of values the percentage is of. */
  element_count: number;
  examples: Example[];
  message: string;
}

/** The result of checking data against a contract (docs/reports.md). */
export interface ValidationReport {
  ok: boolean;
  rows: number;
  data: string;
  files: string[];
  schema: string | null;
  columns: string[];
  violations: Violation[];
}

/** Violations of error severity: the ones that fail validation. */
export function errorsOf(report: ValidationReport): Violation[] {
  return report.violations.filter((v) => v.severity === 'error');
}
