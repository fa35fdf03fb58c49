import type { LoadedConfig } from '../config/modelshipConfig.js';
import type { DriftReport } from './driftReport.js';

export interface DriftOptions {
  /** Data path/glob, or a profile.json path (detected by content/extension). */
  reference: string;
  /** Data path/glob (DuckDB; http(s)/s3 URLs pass through to DuckDB). */
  current: string;
  /** drift.method/share/columns, model, data.schema. */
  config?: LoadedConfig;
  /** Prediction drift when given. */
  modelPath?: string;
  /** Path of a release metrics.json: performance now vs at release. */
  referenceMetrics?: string;
  /** How to name the inputs in the report. */
  display?: { reference?: string; current?: string };
  now?: Date;
}

/** Compares current data with reference data or a reference profile (REFERENCE.md, Drift). */
export async function computeDrift(options: DriftOptions): Promise<DriftReport> {
  void options;
  throw new Error('computeDrift: not implemented yet');
}
