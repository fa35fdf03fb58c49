import type { ExtremeOutputs } from './extremeOutputs.js';

/** Column kinds, as the profile and the method selection see them. */
export type DriftColumnType = 'numeric' | 'categorical';

/** Method names as modelship.yml's `drift.method` spells them (docs/drift.md). */
export type DriftMethod = 'ks' | 'wasserstein' | 'jensenshannon' | 'chisquare' | 'z' | 'psi';

/** Reference and current shares over the same bins: what the markdown chart draws. */
export interface DriftShares {
  /** Bin labels: decile ranges of the reference (numeric) or categories. */
  bins: string[];
  reference: number[];
  current: number[];
}

/** Values of a column on one side: non-null, null, and (numeric) not a finite number. */
export interface SideCounts {
  count: number;
  nulls: number;
  null_share: number;
  invalid?: number;
}

/** One column's drift verdict (docs/reports.md keys first, additions after). */
export interface DriftColumn {
  type: DriftColumnType;
  method: DriftMethod;
  /** p-value (ks, chisquare, z) or distance (wasserstein, jensenshannon, psi); null: no values. */
  score: number | null;
  threshold: number;
  drifted: boolean;
  /** Population stability index over the reference's deciles or the union of categories. */
  psi: number | null;
  /** The test statistic behind a p-value: KS D, χ², z (absent for distances). */
  statistic?: number;
  /** True when `score` or `psi` came from a stored profile instead of raw reference values. */
  approximate: boolean;
  /** With a sketched profile: bounds on the error of the KS statistic and of Wasserstein normed. */
  error_bound?: { ks_statistic: number; wasserstein_normed: number | null };
  /** Which KS distribution gave the p-value (scipy's ks_2samp: exact up to 10,000 values each). */
  ks_mode?: 'exact' | 'asymp';
  /** True when drift.method named this method (else Evidently's default choice). */
  configured?: boolean;
  /** Distinct non-null values in reference ∪ current (the method selection's n_u). */
  n_unique: number;
  reference: SideCounts;
  current: SideCounts;
  shares: DriftShares;
}

/** Drift of the model's score distribution (P(positive) or the predicted value). */
export interface PredictionDrift extends DriftColumn {
  /** What was scored: P(positive) of a binary classifier, or a regressor's predicted value. */
  output: string;
  /** Current scores that are NaN or outside the range of the reference's (numeric scores only). */
  extreme_outputs?: ExtremeOutputs;
}

/** Metrics on current data (which carries the target) against those recorded at release. */
export interface PerformanceDrift {
  rows: number;
  /** Where the release metrics were read from. */
  reference_source: string;
  metrics: Record<
    string,
    { reference: number | null; current: number | null; change: number | null }
  >;
}

/** The drift report (docs/reports.md: dataset_drift, drift_share, columns). */
export interface DriftReport {
  dataset_drift: boolean;
  /** Drifted columns / compared columns. */
  drift_share: number;
  /** `drift.share`: the dataset drifts when drift_share ≥ this. */
  share_threshold: number;
  drifted_columns: number;
  total_columns: number;
  /** True when the reference is a stored profile: scores are approximations (see `notes`). */
  approximate: boolean;
  reference: { kind: 'data' | 'profile'; source: string; rows: number };
  current: { source: string; rows: number };
  columns: Record<string, DriftColumn>;
  prediction?: PredictionDrift;
  performance?: PerformanceDrift;
  /** Whether production degraded (drift-check): gate rules, rollback.max_regression, extremes. */
  degradation?: Degradation;
  /** What is approximate and why, and columns left out; sentences for a reader. */
  notes: string[];
  created: string;
}

export interface DegradationCheck {
  /** gate: a rule of `metrics`; regression: rollback.max_regression; extreme: max_extreme_share. */
  kind: 'gate' | 'regression' | 'extreme';
  /** The metric, or `extreme outputs`. */
  metric: string;
  passed: boolean;
  /** One clause, e.g. `roc_auc regressed by 0.1200 (0.8100 → 0.6900); at most 0.0500 allowed`. */
  message: string;
}

export interface Degradation {
  degraded: boolean;
  /** The failed checks' messages, gate rules first. */
  reasons: string[];
  checks: DegradationCheck[];
  /** What was not judged and why. */
  notes: string[];
}
