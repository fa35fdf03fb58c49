import { readFileSync } from 'node:fs';
import type { LoadedConfig } from '../config/modelshipConfig.js';
import type { Distribution } from '../data/columnDistributions.js';
import {
  numericStatistics,
  TOP_CATEGORIES,
  topCategories,
  type ColumnProfile,
  type DataProfile,
} from '../data/profile.js';
import { ModelshipError, isModelshipError, messageOf } from '../errors.js';
import { labelsFor } from '../evaluation/labels.js';
import { binaryMetrics } from '../metrics/binary.js';
import { argmaxRows, multiclassMetrics } from '../metrics/multiclass.js';
import { regressionMetrics } from '../metrics/regression.js';
import { loadEvaluationData, type EvaluationData } from '../model/evaluationData.js';
import { loadConfiguredModel, type ConfiguredModel } from '../model/configuredModel.js';
import { defaultExecutionProviders } from '../model/gpuPresence.js';
import { outputOptions, predict, type Predictions } from '../model/predict.js';
import { columnDrift } from './columnDrift.js';
import { extremeOutputs, rangeOfValues, type ScoreRange } from './extremeOutputs.js';
import type { DriftMethod, PerformanceDrift, PredictionDrift } from './driftReport.js';
import { sideOfDistribution, sideOfProfile } from './driftSides.js';

export interface ModelDriftOptions {
  loaded: LoadedConfig;
  modelPath: string;
  /** Raw reference data (scored here), or a profile that may hold the reference scores. */
  reference: { path: string } | { profile: DataProfile };
  current: string;
  currentColumns: string[];
  referenceMetrics?: string | undefined;
  threshold?: number | undefined;
  method: DriftMethod | 'auto';
}

/** What a model's scores say: their drift, and (with labels in the current data) metrics now. */
export async function modelDrift(options: ModelDriftOptions): Promise<{
  prediction?: PredictionDrift;
  performance?: PerformanceDrift;
  notes: string[];
}> {
  const { config } = options.loaded;
  const notes: string[] = [];
  const configured = await loadConfiguredModel(options.loaded, options.modelPath, {
    executionProviders: defaultExecutionProviders(),
  });
  try {
    const hasTarget = options.currentColumns.includes(config.model.target);
    const current = await scoreFile(configured, options.loaded, options.current, hasTarget);
    const output = outputName(options.loaded);
    let referenceDist: Distribution | null = null;
    let profileColumn = null;
    if ('path' in options.reference) {
      referenceDist = (await scoreFile(configured, options.loaded, options.reference.path, false))
        .dist;
    } else {
      profileColumn = options.reference.profile.prediction ?? null;
      if (!profileColumn)
        notes.push(
          'Prediction drift needs the reference scores: this profile holds none (make it with modelship profile --model), or pass the reference data instead of its profile.',
        );
    }
    const result: {
      prediction?: PredictionDrift;
      performance?: PerformanceDrift;
      notes: string[];
    } = {
      notes,
    };
    const refSide = referenceDist
      ? sideOfDistribution(referenceDist)
      : profileColumn
        ? sideOfProfile(profileColumn)
        : null;
    if (refSide && refSide.kind !== 'datetime') {
      const column = columnDrift(refSide, sideOfDistribution(current.dist), {
        method: options.method,
        ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
        referenceRows: refSide.count + refSide.nulls,
        currentRows: current.data.rows,
      });
      result.prediction = { output, ...column };
      const range = scoreRange(referenceDist, profileColumn);
      if (range && current.dist.kind === 'numeric')
        result.prediction.extreme_outputs = extremeOutputs(current.dist, range);
    }
    if (hasTarget) {
      result.performance = performance(options, current.data, current.predictions);
    } else {
      notes.push(
        `Performance now needs labels: ${options.current} has no ${config.model.target} column.`,
      );
    }
    return result;
  } catch (error) {
    if (!isModelshipError(error)) throw error;
    notes.push(`Prediction drift skipped: ${error.message}`);
    return { notes };
  } finally {
    await configured.model.release();
  }
}

/** The range of the reference's scores: of the scored reference data, or the profile's min and max. */
function scoreRange(
  scored: Distribution | null,
  profiled: ColumnProfile | null,
): ScoreRange | undefined {
  if (scored?.kind === 'numeric') return rangeOfValues(scored.values, 'the reference data');
  if (profiled?.kind === 'numeric' && profiled.min !== null && profiled.max !== null)
    return { min: profiled.min, max: profiled.max, source: 'the reference profile' };
  return undefined;
}

/** What the score distribution is, for the report. */
function outputName(loaded: LoadedConfig): string {
  const { task, positive } = loaded.config.model;
  if (task === 'binary-classification') return `P(${String(positive)})`;
  if (task === 'regression') return 'predicted value';
  return 'predicted class';
}

async function scoreFile(
  { model, features }: ConfiguredModel,
  loaded: LoadedConfig,
  path: string,
  withTarget: boolean,
): Promise<{ data: EvaluationData; predictions: Predictions; dist: Distribution }> {
  const { config } = loaded;
  const data = await loadEvaluationData(path, {
    features,
    ...(withTarget ? { target: config.model.target } : {}),
  });
  const predictions = await predict(model, data.matrix, data.rows, config.model.task, {
    ...outputOptions(model, config.model),
    strings: data.strings,
  });
  return { data, predictions, dist: scoreDistribution(predictions, loaded, model.classes) };
}

/** Scores as a distribution: P(positive) or the predicted value (numeric), else the predicted class. */
export function scoreDistribution(
  predictions: Predictions,
  loaded: LoadedConfig,
  modelClasses?: readonly string[],
): Distribution {
  if (predictions.kind === 'multiclass') {
    const classes = loaded.config.model.classes?.map(String) ?? modelClasses;
    const argmax = argmaxRows(predictions.proba, predictions.classCount);
    const categories = new Map<string, number>();
    for (const k of argmax) {
      const key = classes?.[k] ?? String(k);
      categories.set(key, (categories.get(key) ?? 0) + 1);
    }
    return { kind: 'categorical', count: argmax.length, nulls: 0, categories };
  }
  const scores = Float64Array.from(
    predictions.kind === 'binary' ? predictions.scores : predictions.values,
  );
  let invalid = 0;
  const finite = scores.filter((v) => {
    const ok = Number.isFinite(v);
    if (!ok) invalid++;
    return ok;
  });
  finite.sort();
  const values: number[] = [];
  const counts: number[] = [];
  for (const v of finite) {
    if (values.length && values[values.length - 1] === v) counts[counts.length - 1]!++;
    else {
      values.push(v);
      counts.push(1);
    }
  }
  return {
    kind: 'numeric',
    count: scores.length,
    nulls: 0,
    invalid,
    values: Float64Array.from(values),
    counts: Float64Array.from(counts),
  };
}

function performance(
  options: ModelDriftOptions,
  data: EvaluationData,
  predictions: Predictions,
): PerformanceDrift {
  const { config } = options.loaded;
  const labels = labelsFor(config, data.target, options.current);
  let now: Record<string, number | null>;
  if (labels.kind === 'binary' && predictions.kind === 'binary')
    now = { ...binaryMetrics(labels.yTrue, predictions.scores, config.model.threshold) };
  else if (labels.kind === 'multiclass' && predictions.kind === 'multiclass')
    now = { ...multiclassMetrics(labels.yTrue, predictions.proba, predictions.classCount) };
  else if (labels.kind === 'regression' && predictions.kind === 'regression')
    now = { ...regressionMetrics(labels.yTrue, predictions.values) };
  else
    throw new ModelshipError(`${options.modelPath}: its output does not fit ${config.model.task}.`);
  const recorded = options.referenceMetrics ? readMetrics(options.referenceMetrics) : {};
  const metrics: PerformanceDrift['metrics'] = {};
  for (const [name, value] of Object.entries(now)) {
    const reference = recorded[name] ?? null;
    metrics[name] = {
      reference,
      current: value,
      change: reference !== null && value !== null ? value - reference : null,
    };
  }
  return {
    rows: data.rows,
    reference_source: options.referenceMetrics ?? '(none: pass --reference-metrics)',
    metrics,
  };
}

/** Metrics recorded at release: metrics.json of a bundle ({ metrics: {…} }) or a plain map. */
function readMetrics(path: string): Record<string, number | null> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelshipError(
      `${path}: cannot read the release metrics (${messageOf(error)}); pass the metrics.json of a release bundle.`,
    );
  }
  const holder = (json as { metrics?: unknown })?.metrics ?? json;
  if (!holder || typeof holder !== 'object')
    throw new ModelshipError(
      `${path}: no metrics object; pass the metrics.json of a release bundle.`,
    );
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(holder)) if (typeof v === 'number' || v === null) out[k] = v;
  return out;
}

/** The model's scores on a data file as a profile column: the reference for prediction drift. */
export async function predictionProfile(
  loaded: LoadedConfig,
  modelPath: string,
  dataPath: string,
): Promise<ColumnProfile> {
  const configured = await loadConfiguredModel(loaded, modelPath, {
    executionProviders: defaultExecutionProviders(),
  });
  try {
    const { dist } = await scoreFile(configured, loaded, dataPath, false);
    const base = { name: outputName(loaded), declared: null, count: dist.count, nulls: dist.nulls };
    if (dist.kind === 'numeric') return { ...base, ...numericStatistics(dist) };
    if (dist.kind === 'categorical')
      return {
        ...base,
        kind: 'categorical',
        ...topCategories(
          [...dist.categories].map(([value, count]) => ({ value, count })),
          TOP_CATEGORIES,
        ),
      };
    throw new Error('unreachable: scores are numbers or classes');
  } finally {
    await configured.model.release();
  }
}
