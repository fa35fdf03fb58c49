import type { DriftReport } from './driftReport.js';

/** The drift report as a terminal summary. */
export function driftText(report: DriftReport): string {
  return report.dataset_drift ? 'drift detected' : 'no drift';
}
