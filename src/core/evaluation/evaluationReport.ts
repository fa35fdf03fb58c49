import type { Task } from '../config/modelshipConfig.js';
import type { FairnessReport } from '../fairness/fairness.js';
import type { GateResult } from '../gate/gate.js';
import type { IntervalsReport } from '../stats/index.js';
import type { FeatureChanges } from './featureChanges.js';
import type { SliceResult } from './slices.js';

export type { GateCheck, GateResult } from '../gate/gate.js';
export type { FeatureChanges } from './featureChanges.js';
export type { SliceResult } from './slices.js';

/** Metric values by name; null where a metric is undefined for the data (e.g. one class only). */
export type MetricValues = Record<string, number | null>;

/** Per-group rates and the disparity metrics of one sensitive attribute (Fairlearn's definitions). */
export type AttributeFairness = FairnessReport;

/** A confusion matrix: `labels[i]` true × `labels[j]` predicted. */
export interface Confusion {
  labels: string[];
  matrix: number[][];
}

/** Where a model came from and which exact bytes were evaluated. */
export interface ModelInfo {
  path: string;
  sha256: string;
  /** The release tag for a registry model. */
  tag?: string;
  provider: string;
}

/** One model's results on the holdout. */
export interface ModelResults {
  model: ModelInfo;
  metrics: MetricValues;
  fairness: Record<string, AttributeFairness>;
  /** The task's metrics per slice of the holdout (`slices` in modelship.yml). */
  slices?: SliceResult[];
  confusion: Confusion | null;
}

/** The baseline's results, and how its features differ from the candidate's. */
export interface BaselineResults extends ModelResults {
  label: string;
  /**
   * Present when the baseline read its own modelship.yml's features and they differ from the
   * candidate's; each model was scored on the same rows through its own features.
   */
  feature_changes?: FeatureChanges;
}

/** One production release's metrics, read from its metrics.json, for the report's history. */
export interface ReleaseMetrics {
  tag: string;
  /** When the release was published (ISO 8601), or null for an unpublished one. */
  published: string | null;
  metrics: MetricValues;
}

/** The evaluate report: candidate against baseline on the same holdout. */
export interface EvaluationReport {
  name: string;
  task: Task;
  rows: number;
  data: string;
  threshold?: number;
  positive?: string;
  candidate: ModelInfo;
  metrics: MetricValues;
  fairness: Record<string, AttributeFairness>;
  /** The candidate's metrics per slice, in config order (`slices` in modelship.yml). */
  slices?: SliceResult[];
  confusion: Confusion | null;
  baseline: BaselineResults | null;
  /**
   * Confidence intervals of the candidate's metrics and disparities and, with a baseline, of the
   * change (docs/reports.md); absent when intervals.replicates is 0 and in older reports.
   */
  intervals?: IntervalsReport;
  gate: GateResult;
  /** The gated metrics of the last production releases, oldest first (the evaluate action's). */
  history?: ReleaseMetrics[];
  created: string;
}
