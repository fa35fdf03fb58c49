import type { ValidationReport } from '../data/validationReport.js';

/** The validation report for a terminal: a verdict line and an aligned table. */
export function validationText(report: ValidationReport): string {
  const errors = report.violations.filter((v) => v.severity === 'error').length;
  const warnings = report.violations.length - errors;
  const head = `${report.ok ? 'PASS' : 'FAIL'} ${report.data}: ${report.rows} rows, ${report.columns.length} columns, ${errors} failed check${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  if (report.violations.length === 0) return head;
  const rows = [
    ['severity', 'column', 'check', 'unexpected', '%', 'examples (row: value)'],
    ...report.violations.map((v) => [
      v.severity,
      v.column ?? '-',
      v.check,
      String(v.unexpected_count),
      v.unexpected_percent.toFixed(2),
      v.examples
        .slice(0, 3)
        .map(
          (e) =>
            `${e.file ? `${e.file.split('/').pop()}:` : ''}${e.row}: ${e.value === null ? '(empty)' : JSON.stringify(e.value)}`,
        )
        .join(', '),
    ]),
  ];
  const widths = rows[0]!.map((_, c) =>
    Math.min(40, Math.max(...rows.map((r) => (r[c] ?? '').length))),
  );
  const render = (r: string[]) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.slice(0, widths[c]).padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [head, '', ...rows.map(render)].join('\n');
}
