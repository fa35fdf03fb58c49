import type { ModelshipConfig, Task } from '../config/modelshipConfig.js';
import { rawReader, readSafely } from '../data/dataSource.js';
import { openAnySource } from '../data/anySource.js';
import { ident, withDatabase } from '../data/duckdb.js';
import { ModelshipError } from '../errors.js';
import type {
  Confusion,
  EvaluationReport,
  MetricValues,
  ModelInfo,
} from '../evaluation/evaluationReport.js';
import { evaluateGate } from '../gate/gate.js';
import { binaryConfusion, binaryMetrics, predictLabels } from '../metrics/binary.js';
import { multiclassConfusion, multiclassMetrics } from '../metrics/multiclass.js';
import { regressionMetrics } from '../metrics/regression.js';
import { SCORE_DIFFERENCE_BUCKETS } from './modelMetrics.js';
import type { LoggedModel, RowAnswer, ShadowPairs } from './shadowLog.js';

/** How the shadow's answers compare with the primary's, without knowing which is right. */
export interface AgreementReport {
  primary: LoggedModel;
  shadow: LoggedModel;
  task: Task;
  /** Requests logged, those the shadow failed, infer lines without `predict` (counted only). */
  requests: number;
  failed: number;
  infer: number;
  /** Rows both models scored (/predict rows, and infer rows through `predict`). */
  rows: number;
  /** Rows whose labels agree; null for regression. */
  labels: { compared: number; agreed: number; rate: number | null } | null;
  /** |primary − shadow| per row: P(positive), the largest class probability change, the prediction. */
  score_difference: {
    mean: number | null;
    max: number | null;
    /** Rows at or below each bound (cumulative), as /metrics counts them. */
    buckets: { le: number | '+Inf'; rows: number }[];
  };
  /** Milliseconds per request, per model (nearest rank). */
  latency_ms: Record<'primary' | 'shadow', { p50: number | null; p95: number | null }>;
}

const TASKS: Record<ShadowPairs['task']['kind'], Task> = {
  binary: 'binary-classification',
  multiclass: 'multiclass-classification',
  regression: 'regression',
};

/** The agreement of the logged pairs (labels, score differences, latency). */
export function agreementReport(pairs: ShadowPairs): AgreementReport {
  const differences = pairs.rows
    .map((r) => difference(r.primary, r.shadow))
    .filter((d): d is number => d !== undefined);
  const labelled = pairs.rows.filter((r) => r.primary.label !== undefined);
  const agreed = labelled.filter((r) => r.primary.label === r.shadow.label).length;
  return {
    primary: pairs.primary,
    shadow: pairs.shadow,
    task: TASKS[pairs.task.kind],
    requests: pairs.requests,
    failed: pairs.failed,
    infer: pairs.infer,
    rows: pairs.rows.length,
    labels:
      pairs.task.kind === 'regression'
        ? null
        : {
            compared: labelled.length,
            agreed,
            rate: labelled.length ? agreed / labelled.length : null,
          },
    score_difference: {
      mean: differences.length ? differences.reduce((a, b) => a + b, 0) / differences.length : null,
      max: differences.length ? differences.reduce((a, b) => Math.max(a, b)) : null,
      buckets: [
        ...SCORE_DIFFERENCE_BUCKETS.map((le) => ({
          le,
          rows: differences.filter((d) => d <= le).length,
        })),
        { le: '+Inf' as const, rows: differences.length },
      ],
    },
    latency_ms: { primary: percentiles(pairs.primaryMs), shadow: percentiles(pairs.shadowMs) },
  };
}

function difference(a: RowAnswer, b: RowAnswer): number | undefined {
  if (a.score !== undefined && b.score !== undefined) {
    const d = Math.abs(a.score - b.score);
    return Number.isFinite(d) ? d : undefined;
  }
  if (a.probabilities && b.probabilities && a.probabilities.length === b.probabilities.length) {
    let most = 0;
    a.probabilities.forEach((p, i) => (most = Math.max(most, Math.abs(p - b.probabilities![i]!))));
    return Number.isFinite(most) ? most : undefined;
  }
  return undefined;
}

function percentiles(values: number[]): { p50: number | null; p95: number | null } {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const rank = (q: number) =>
    sorted.length ? sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! : null;
  return { p50: rank(0.5), p95: rank(0.95) };
}

export interface LabelOptions {
  /** The labels file (CSV, TSV, Parquet, JSON lines) and its columns. */
  file: string;
  idColumn: string;
  labelColumn: string;
  /** modelship.yml: its metrics rules gate the shadow against the primary. */
  config?: ModelshipConfig;
  now?: Date;
}

/** Each logged row's key → its label, read from the labels file. */
async function readLabels(options: LabelOptions): Promise<Map<string, string>> {
  return withDatabase(async (db) => {
    const source = await openAnySource(db, options.file);
    for (const [flag, column] of [
      ['--id-column', options.idColumn],
      ['--label-column', options.labelColumn],
    ] as const) {
      if (!source.columns.includes(column))
        throw new ModelshipError(
          `${options.file}: has no column ${JSON.stringify(column)}; pass ${flag} naming one of its columns (${source.columns.slice(0, 20).join(', ')}).`,
        );
    }
    const rows = await readSafely<{ id: string | null; label: string | null }>(
      db,
      source,
      `SELECT CAST(${ident(options.idColumn)} AS VARCHAR) AS id, CAST(${ident(options.labelColumn)} AS VARCHAR) AS label FROM ${rawReader(source)}`,
    );
    const labels = new Map<string, string>();
    for (const row of rows)
      if (row.id !== null && row.label !== null) labels.set(row.id, row.label);
    return labels;
  });
}

/**
 * The evaluate report of the logged pairs with labels that arrived later: the primary as the
 * baseline, the shadow as the candidate, on the rows whose key the labels file holds. The gate
 * applies modelship.yml's metrics rules when a config is given; fairness and slices need columns
 * the log does not hold, so they are not checked (a note says so).
 */
export async function labelledReport(
  pairs: ShadowPairs,
  options: LabelOptions,
): Promise<{ report: EvaluationReport; unmatched: number }> {
  const labels = await readLabels(options);
  const rows = pairs.rows.filter((r) => labels.has(r.key));
  if (rows.length === 0)
    throw new ModelshipError(
      `${options.file}: none of its ${options.idColumn} values is a logged request id (or <id>/<row> for a request of several rows); check --id-column.`,
    );
  const truth = rows.map((r) => labels.get(r.key)!);
  const task = pairs.task;
  const scored = (pick: (r: (typeof rows)[number]) => RowAnswer) => rows.map(pick);
  let primary: { metrics: MetricValues; confusion: Confusion | null };
  let shadow: typeof primary;
  if (task.kind === 'binary') {
    const yTrue = binaryTruth(truth, task.positive, options);
    const results = (answers: RowAnswer[]) => {
      const scores = Float64Array.from(answers, (a) => a.score!);
      const c = binaryConfusion(yTrue, predictLabels(scores, task.threshold));
      return {
        metrics: { ...binaryMetrics(yTrue, scores, task.threshold) },
        confusion: {
          labels: [task.negative, task.positive],
          matrix: [
            [c.tn, c.fp],
            [c.fn, c.tp],
          ],
        },
      };
    };
    primary = results(scored((r) => r.primary));
    shadow = results(scored((r) => r.shadow));
  } else if (task.kind === 'multiclass') {
    const classCount = task.classes.length;
    const yTrue = Int32Array.from(truth, (label, i) => {
      const at = task.classes.indexOf(label);
      if (at < 0)
        throw new ModelshipError(
          `${options.file}: ${options.labelColumn} ${JSON.stringify(label)} (id ${rows[i]!.key}) is not one of the model's classes (${task.classes.join(', ')}); fix the label or --label-column.`,
        );
      return at;
    });
    const results = (answers: RowAnswer[]) => {
      const proba = Float64Array.from(answers.flatMap((a) => a.probabilities!));
      return {
        metrics: { ...multiclassMetrics(yTrue, proba, classCount) },
        confusion: { labels: task.classes, matrix: multiclassConfusion(yTrue, proba, classCount) },
      };
    };
    primary = results(scored((r) => r.primary));
    shadow = results(scored((r) => r.shadow));
  } else {
    const yTrue = Float64Array.from(truth, (label, i) => {
      const value = Number(label);
      if (label.trim() === '' || !Number.isFinite(value))
        throw new ModelshipError(
          `${options.file}: ${options.labelColumn} ${JSON.stringify(label)} (id ${rows[i]!.key}) is not a number, which a regression's label must be; fix the label or --label-column.`,
        );
      return value;
    });
    const results = (answers: RowAnswer[]) => ({
      metrics: {
        ...regressionMetrics(
          yTrue,
          Float64Array.from(answers, (a) => a.score!),
        ),
      },
      confusion: null,
    });
    primary = results(scored((r) => r.primary));
    shadow = results(scored((r) => r.shadow));
  }
  const gate = evaluateGate({
    metricRules: options.config?.metrics ?? {},
    fairnessRules: {},
    candidate: { metrics: shadow.metrics, fairness: {} },
    baseline: { metrics: primary.metrics, fairness: {} },
  });
  gate.notes.push(
    options.config
      ? 'fairness and slice rules were not checked: the shadow log holds no sensitive or slice columns'
      : 'no rules were checked: pass --config modelship.yml to apply its metrics rules',
  );
  const info = (m: LoggedModel, role: string): ModelInfo => ({
    path: `${m.name} ${m.version} (${role})`,
    sha256: m.sha256,
    provider: m.provider,
  });
  return {
    unmatched: pairs.rows.length - rows.length,
    report: {
      name: pairs.shadow.name,
      task: TASKS[task.kind],
      rows: rows.length,
      data: options.file,
      ...(task.kind === 'binary' ? { threshold: task.threshold, positive: task.positive } : {}),
      candidate: info(pairs.shadow, 'shadow'),
      metrics: shadow.metrics,
      fairness: {},
      confusion: shadow.confusion,
      baseline: {
        label: `primary ${pairs.primary.name} ${pairs.primary.version}`,
        model: info(pairs.primary, 'primary'),
        metrics: primary.metrics,
        fairness: {},
        confusion: primary.confusion,
      },
      gate,
      created: (options.now ?? new Date()).toISOString(),
    },
  };
}

/** 1 for the positive class; the other value, whatever it is called, 0 (at most two values). */
function binaryTruth(truth: string[], positive: string, options: LabelOptions): Uint8Array {
  const distinct = [...new Set(truth)];
  const others = distinct.filter((v) => v !== positive);
  if (others.length > 1)
    throw new ModelshipError(
      `${options.file}: ${options.labelColumn} holds ${distinct.length} values (${distinct.slice(0, 5).join(', ')}), but a binary model's labels are ${positive} and one other; fix the labels or --label-column.`,
    );
  return Uint8Array.from(truth, (v) => (v === positive ? 1 : 0));
}
