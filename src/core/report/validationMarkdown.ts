import { markdownTable } from 'markdown-table';
import type { ValidationReport, Violation } from '../data/validationReport.js';
import { codeSpan, escapeMarkdown } from './markdownEscape.js';
import { groupedCount } from '../numberText.js';

const MAX_ROWS = 200;

/** The validation report as GitHub markdown: verdict first, then one row per failed check. */
export function validationMarkdown(report: ValidationReport): string {
  const errors = report.violations.filter((v) => v.severity === 'error').length;
  const warnings = report.violations.length - errors;
  const verdict = report.ok
    ? `✅ **Data contract passed**${warnings ? ` with ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`
    : `❌ **Data contract failed**: ${errors} check${errors > 1 ? 's' : ''} failed${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}`;
  const lines = [
    `### Data validation: ${codeSpan(report.data)}`,
    '',
    verdict,
    '',
    `${groupedCount(report.rows)} rows · ${report.columns.length} columns${report.schema ? ` · contract ${codeSpan(report.schema)}` : ''}`,
    '',
  ];
  if (report.violations.length === 0) return lines.join('\n');
  const shown = report.violations.slice(0, MAX_ROWS);
  lines.push(
    markdownTable(
      [
        ['', 'Column', 'Check', 'Unexpected', '%', 'Examples (row: value)'],
        ...shown.map((v) => [
          v.severity === 'error' ? '❌' : '⚠️',
          v.column === null ? '—' : codeSpan(v.column),
          v.check,
          groupedCount(v.unexpected_count),
          v.unexpected_percent.toFixed(2),
          examplesCell(v),
        ]),
      ],
      { align: ['c', 'l', 'l', 'r', 'r', 'l'] },
    ),
  );
  if (report.violations.length > shown.length) {
    lines.push('', `… and ${report.violations.length - shown.length} more; see the JSON report.`);
  }
  lines.push('', '<details><summary>What each failure means</summary>', '');
  for (const v of shown) lines.push(`- ${escapeMarkdown(v.message)}`);
  lines.push('', '</details>', '');
  return lines.join('\n');
}

function examplesCell(v: Violation): string {
  if (v.examples.length === 0) return '';
  return v.examples
    .map(
      (e) =>
        `${e.file ? `${escapeMarkdown(baseName(e.file))}:` : ''}${e.row}: ${e.value === null ? '*empty*' : codeSpan(truncate(e.value))}`,
    )
    .join(', ');
}

function truncate(value: string): string {
  return value.length > 30 ? `${value.slice(0, 29)}…` : value;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
