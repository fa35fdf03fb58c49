import { formatPercent, formatScore, formatValue } from '../report/numberFormat.js';
import type { DriftColumn, DriftReport } from './driftReport.js';

/** The drift report as a terminal summary: verdict, one line per column, notes. */
export function driftText(report: DriftReport): string {
  const verdict = report.dataset_drift ? 'DRIFT DETECTED' : 'no dataset drift';
  const lines = [
    `drift: ${verdict}: ${report.drifted_columns} of ${report.total_columns} columns drifted (${formatPercent(report.drift_share)}; threshold ${formatPercent(report.share_threshold)})`,
    `reference: ${report.reference.source} (${report.reference.kind}, ${report.reference.rows} rows); current: ${report.current.source} (${report.current.rows} rows)${report.approximate ? '; approximate' : ''}`,
  ];
  const entries: [string, DriftColumn][] = Object.entries(report.columns);
  if (report.prediction) entries.push([`[${report.prediction.output}]`, report.prediction]);
  const width = Math.min(28, Math.max(6, ...entries.map(([n]) => n.length)));
  for (const [name, c] of entries) {
    const mark = c.score === null ? '-' : c.drifted ? 'x' : 'ok';
    lines.push(
      `  ${mark.padEnd(2)} ${clip(name, width).padEnd(width)}  ${c.type.padEnd(11)} ${c.method.padEnd(13)} score ${formatScore(c.score).padStart(7)} (threshold ${formatValue(c.threshold)})  PSI ${formatValue(c.psi)}${c.approximate ? '  ≈' : ''}`,
    );
  }
  if (report.performance)
    for (const [metric, m] of Object.entries(report.performance.metrics))
      lines.push(
        `  ${metric}: now ${formatValue(m.current)}, at release ${formatValue(m.reference)}`,
      );
  const degradation = report.degradation;
  if (degradation?.degraded) lines.push(`performance degraded: ${degradation.reasons.join('; ')}`);
  else if (degradation?.checks.length) lines.push('performance: not degraded');
  for (const note of [...report.notes, ...(degradation?.notes ?? [])]) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
