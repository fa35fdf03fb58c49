import type { EvaluationReport, GateResult } from '../evaluation/evaluationReport.js';
import { featureChangeParts } from './featureChangeText.js';
import { changeWithInterval, intervalsNote, valueWithInterval } from './intervalFormat.js';
import { formatValue } from './numberFormat.js';

/** The evaluation for a terminal: metrics against the baseline, then the gate. */
export function evaluationText(report: EvaluationReport): string {
  const base = report.baseline;
  const rows = [['metric', base ? 'baseline' : '', 'candidate', base ? 'change' : '']];
  for (const [metric, value] of Object.entries(report.metrics)) {
    const b = base?.metrics[metric] ?? null;
    const interval = report.intervals?.metrics[metric];
    rows.push([
      metric,
      base ? formatValue(b) : '',
      valueWithInterval(value, interval),
      base && b !== null && value !== null ? changeWithInterval(value - b, interval) : '',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map((r) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
  const head = `${report.name}: ${report.rows} rows of ${report.data}${base ? `, against ${base.label}` : ', no baseline'}`;
  const fairness = Object.entries(report.fairness).map(
    ([attribute, f]) =>
      `fairness ${attribute}: demographic_parity_ratio ${formatValue(f.demographic_parity_ratio)}, equalized_odds_difference ${formatValue(f.equalized_odds_difference)}`,
  );
  const changes = base?.feature_changes;
  const features = changes
    ? [
        `features differ from the baseline's (each model read its own): ${featureChangeParts(changes, (c) => c.join(', ')).join('; ')}`,
      ]
    : [];
  return [
    head,
    ...features,
    '',
    ...table,
    ...(report.intervals ? [intervalsNote(report)] : []),
    ...(fairness.length ? ['', ...fairness] : []),
    '',
    gateText(report.gate),
  ].join('\n');
}

/** The gate verdict and one line per check. */
export function gateText(gate: GateResult): string {
  const lines = [
    `gate ${gate.passed ? 'PASSED' : 'FAILED'} (${gate.checks.filter((c) => c.passed).length} of ${gate.checks.length} checks passed)`,
  ];
  for (const check of gate.checks)
    lines.push(`  ${check.passed ? 'ok  ' : 'FAIL'} ${check.message}`);
  for (const note of gate.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
