import { FAIRNESS_METRICS, type LoadedConfig } from '../config/modelshipConfig.js';
import { isModelshipError, ModelshipError } from '../errors.js';
import { multiclassFairness, regressionFairness } from '../fairness/errorFairness.js';
import { fairnessReport } from '../fairness/fairness.js';
import { ungatedAttributes } from '../fairness/fairnessGate.js';
import { applyConfigGate } from '../gate/configGate.js';
import { binaryConfusion, binaryMetrics } from '../metrics/binary.js';
import { argmaxRows, multiclassConfusion, multiclassMetrics } from '../metrics/multiclass.js';
import { regressionMetrics } from '../metrics/regression.js';
import { loadEvaluationData, type EvaluationData } from '../model/evaluationData.js';
import { alignClasses, positiveColumn } from '../model/classOrder.js';
import { loadConfiguredModel } from '../model/configuredModel.js';
import { defaultExecutionProviders } from '../model/gpuPresence.js';
import type { ResolvedFeature } from '../model/modelFeatures.js';
import type { OnnxModel } from '../model/onnxModel.js';
import { predict } from '../model/predict.js';
import type {
  BaselineResults,
  Confusion,
  EvaluationReport,
  ModelResults,
} from './evaluationReport.js';
import { featureChanges } from './featureChanges.js';
import { labelsFor, type Labels } from './labels.js';
import { reportIntervals, type ScoredRows } from './reportIntervals.js';
import { attachSliceIntervals, sliceIntervals } from './sliceIntervals.js';
import { computeSlices, pick, pickRows, sliceColumns, sliceCrosses } from './slices.js';

/** The model the candidate is compared with, and how to name it in the report. */
export interface BaselineModel {
  path: string;
  label: string;
  /** The release tag for a registry model. */
  tag?: string;
  /**
   * The baseline's own modelship.yml (its release bundle's), whose features make its input from
   * the holdout rows; default: the candidate's config. Labels, fairness columns, task, threshold
   * and gate always come from the candidate's config.
   */
  config?: LoadedConfig;
}

export interface EvaluateOptions {
  config: LoadedConfig;
  /**
   * Candidate model, taken as given like `data` (relative to the working directory, as a command
   * line path is); default: model.path of the config, relative to the config's directory.
   */
  model?: string;
  /** Holdout data (default: data.eval of the config). */
  data?: string;
  /** Baseline model, or null for none. */
  baseline?: BaselineModel | null;
  executionProviders?: ('cuda' | 'cpu')[];
  now?: Date;
}

/** Evaluates candidate (and baseline) on the same holdout: metrics, fairness and the gate. */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  const { config: loaded } = options;
  const { config } = loaded;
  const modelPath = options.model ?? loaded.resolve(config.model.path);
  const dataInput = options.data ?? config.data.eval;
  if (!dataInput)
    throw new ModelshipError(
      `${loaded.file}: data.eval is not set; name the holdout there or pass --data.`,
    );
  const dataPath = options.data ? options.data : loaded.resolve(dataInput);
  const sensitive = config.fairness?.sensitive ?? [];
  const sliceBy = config.slices?.by ?? [];
  const holdout = holdoutReader(dataPath, config.model.target, [
    ...new Set([...sensitive, ...sliceColumns(sliceBy)]),
  ]);
  // The candidate's rows come first: they give the labels of both models (the same rows).
  let read: Labels | undefined;
  const labelsOf = (data: EvaluationData) => (read ??= labelsFor(config, data.target, dataPath));
  const scoring: Scoring = { holdout, labelsOf, sensitive, options, scored: [] };
  const { results: candidate, features } = await scoreModel(
    { path: modelPath, config: loaded },
    'candidate',
    scoring,
  );
  const labels = read!;
  const baseline = options.baseline
    ? await scoreBaseline(options.baseline, features, scoring)
    : null;
  // scored[0] is the candidate's rows, scored[1] the baseline's: the same rows, resampled paired.
  const intervals = reportIntervals(
    config,
    labels,
    scoring.scored[0]!,
    baseline ? scoring.scored[1]! : null,
    candidate.fairness,
  );
  const slices = sliceIntervals(
    config,
    labels,
    scoring.scored[0]!,
    baseline ? scoring.scored[1]! : null,
  );
  attachSliceIntervals(candidate.slices ?? [], slices, config.intervals.confidence);
  const gate = applyConfigGate(
    config,
    {
      metrics: candidate.metrics,
      fairness: disparities(candidate),
      ...(intervals ? { intervals } : {}),
      ungated: ungatedAttributes(candidate.fairness),
      ...(candidate.slices ? { slices: candidate.slices, sliceIntervals: slices } : {}),
    },
    baseline
      ? {
          metrics: baseline.metrics,
          fairness: disparities(baseline),
          ...(baseline.slices ? { slices: baseline.slices } : {}),
        }
      : null,
  );
  return {
    name: config.model.name,
    task: config.model.task,
    rows: labels.yTrue.length,
    data: dataInput,
    ...(labels.kind === 'binary'
      ? { threshold: config.model.threshold, positive: labels.positive }
      : {}),
    candidate: candidate.model,
    metrics: candidate.metrics,
    fairness: candidate.fairness,
    ...(intervals ? { intervals: intervals.report(config.intervals.confidence) } : {}),
    ...(candidate.slices ? { slices: candidate.slices } : {}),
    confusion: candidate.confusion,
    baseline,
    gate,
    created: (options.now ?? new Date()).toISOString(),
  };
}

/** Reads the holdout's rows for a list of features: the same file and row order every time. */
type HoldoutReader = (features: readonly ResolvedFeature[]) => Promise<EvaluationData>;

/** Reads the holdout once per distinct feature list, so two models that agree share one read. */
function holdoutReader(dataPath: string, target: string, extraColumns: string[]): HoldoutReader {
  const reads = new Map<string, Promise<EvaluationData>>();
  return (features) => {
    const key = JSON.stringify(features);
    let read = reads.get(key);
    if (!read) {
      read = loadEvaluationData(dataPath, { features, target, extraColumns });
      reads.set(key, read);
    }
    return read;
  };
}

/** One model and its input: the holdout rows as the model's own config encodes them. */
interface ModelInput {
  model: OnnxModel;
  data: EvaluationData;
  /** What the model reads: its config's features, or its column-named inputs. */
  features: ResolvedFeature[];
}

/** Builds a model's input from its own config's features and loads the model to take it. */
async function modelInput(
  config: LoadedConfig,
  modelPath: string,
  holdout: HoldoutReader,
  executionProviders: readonly ('cuda' | 'cpu')[],
): Promise<ModelInput> {
  const { model, features } = await loadConfiguredModel(config, modelPath, { executionProviders });
  try {
    return { model, data: await holdout(features), features };
  } catch (error) {
    await model.release();
    throw error;
  }
}

/** What scoring either model shares: the holdout, its labels and the candidate's settings. */
interface Scoring {
  holdout: HoldoutReader;
  /** The labels, read from the first model's rows (every model reads the same rows). */
  labelsOf(data: EvaluationData): Labels;
  sensitive: string[];
  options: EvaluateOptions;
  /** Each model's predictions in scoring order, for the paired intervals. */
  scored: ScoredRows[];
}

async function scoreBaseline(
  baseline: BaselineModel,
  candidateFeatures: readonly ResolvedFeature[],
  scoring: Scoring,
): Promise<BaselineResults> {
  const candidateConfig = scoring.options.config;
  const config = baseline.config ?? candidateConfig;
  const role = baseline.label === baseline.path ? 'baseline' : `baseline (${baseline.label})`;
  const { results, features } = await scoreModel({ path: baseline.path, config }, role, scoring);
  if (baseline.tag) results.model.tag = baseline.tag;
  const changes = config === candidateConfig ? null : featureChanges(features, candidateFeatures);
  return { ...results, label: baseline.label, ...(changes ? { feature_changes: changes } : {}) };
}

async function scoreModel(
  subject: { path: string; config: LoadedConfig },
  role: string,
  scoring: Scoring,
): Promise<{ results: ModelResults; features: ResolvedFeature[] }> {
  const { path, config } = subject;
  const own = config !== scoring.options.config;
  let input: ModelInput | undefined;
  let scored = false;
  try {
    input = await modelInput(
      config,
      path,
      scoring.holdout,
      scoring.options.executionProviders ?? defaultExecutionProviders(),
    );
    scoring.labelsOf(input.data);
    scored = true;
    const results = await scoreWith(input.model, path, input.data, scoring);
    return { results, features: input.features };
  } catch (error) {
    // The metrics' own errors ("row 3 has NaN") do not say which of the two models gave them,
    // nor, for a baseline with its own config, which modelship.yml its features came from.
    // A data file's errors name the file and row: they are about the data, not a model.
    if (!isModelshipError(error)) throw error;
    const from = own ? `, features from ${config.file}` : '';
    if (scored && !error.message.includes(path))
      throw new ModelshipError(
        `${path} (the ${role} model${from}): ${error.message}`,
        error.exitCode,
      );
    if (own)
      throw new ModelshipError(
        `${error.message.replace(/\.$/, '')} (the ${role} model${from}).`,
        error.exitCode,
      );
    throw error;
  } finally {
    await input?.model.release();
  }
}

async function scoreWith(
  model: OnnxModel,
  path: string,
  data: EvaluationData,
  { labelsOf, options, sensitive, scored }: Scoring,
): Promise<ModelResults> {
  const { config } = options.config;
  const labels = labelsOf(data);
  const strings = data.strings;
  const info = { path, sha256: model.sha256, provider: model.provider };
  const minGroupSize = { minGroupSize: config.fairness?.min_group_size ?? 1 };
  const groupsOf = (attribute: string) => data.extras[attribute] ?? [];
  const slicesBy = (metricsOf: (rows: Int32Array) => Record<string, number | null>) =>
    config.slices
      ? {
          slices: computeSlices(
            data.extras,
            sliceCrosses(config.slices.by),
            config.slices.min_count,
            metricsOf,
          ),
        }
      : {};
  if (labels.kind === 'binary') {
    const out = await predict(model, data.matrix, data.rows, 'binary-classification', {
      strings,
      positiveColumn: positiveColumn(path, model.classes, labels.positive),
    });
    if (out.kind !== 'binary') throw new Error('unreachable');
    scored.push({ predictions: out, extras: data.extras });
    const threshold = config.model.threshold;
    const yPred = new Uint8Array(data.rows);
    for (let i = 0; i < data.rows; i++) yPred[i] = out.scores[i]! >= threshold ? 1 : 0;
    const fairness: ModelResults['fairness'] = {};
    for (const attribute of sensitive)
      fairness[attribute] = fairnessReport(groupsOf(attribute), labels.yTrue, yPred, minGroupSize);
    const c = binaryConfusion(labels.yTrue, yPred);
    const confusion: Confusion = {
      labels: [labels.negativeLabel, labels.positive],
      matrix: [
        [c.tn, c.fp],
        [c.fn, c.tp],
      ],
    };
    return {
      model: info,
      metrics: { ...binaryMetrics(labels.yTrue, out.scores, threshold) },
      fairness,
      ...slicesBy((rows) => ({
        ...binaryMetrics(pick(labels.yTrue, rows), pick(out.scores, rows), threshold),
      })),
      confusion,
    };
  }
  if (labels.kind === 'multiclass') {
    const out = await predict(model, data.matrix, data.rows, 'multiclass-classification', {
      classCount: labels.classes.length,
      strings,
    });
    if (out.kind !== 'multiclass') throw new Error('unreachable');
    out.proba = alignClasses(path, out.proba, model.classes, labels.classes);
    scored.push({ predictions: out, extras: data.extras });
    const classCount = labels.classes.length;
    const proba = out.proba;
    const matrix = multiclassConfusion(labels.yTrue, proba, classCount);
    const yPred = argmaxRows(proba, classCount);
    const fairness: ModelResults['fairness'] = {};
    for (const attribute of sensitive)
      fairness[attribute] = multiclassFairness(
        groupsOf(attribute),
        labels.yTrue,
        yPred,
        minGroupSize,
      );
    return {
      model: info,
      metrics: { ...multiclassMetrics(labels.yTrue, proba, classCount) },
      fairness,
      ...slicesBy((rows) => ({
        ...multiclassMetrics(
          pick(labels.yTrue, rows),
          pickRows(proba, classCount, rows),
          classCount,
        ),
      })),
      confusion: { labels: labels.classes, matrix },
    };
  }
  const out = await predict(model, data.matrix, data.rows, 'regression', { strings });
  if (out.kind !== 'regression') throw new Error('unreachable');
  scored.push({ predictions: out, extras: data.extras });
  const fairness: ModelResults['fairness'] = {};
  for (const attribute of sensitive)
    fairness[attribute] = regressionFairness(
      groupsOf(attribute),
      labels.yTrue,
      out.values,
      minGroupSize,
    );
  return {
    model: info,
    metrics: { ...regressionMetrics(labels.yTrue, out.values) },
    fairness,
    ...slicesBy((rows) => ({
      ...regressionMetrics(pick(labels.yTrue, rows), pick(out.values, rows)),
    })),
    confusion: null,
  };
}

function disparities(results: ModelResults): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const [attribute, f] of Object.entries(results.fairness)) {
    const metrics: Record<string, number | null> = {};
    for (const metric of FAIRNESS_METRICS) {
      const value = f[metric];
      if (value !== undefined) metrics[metric] = value;
    }
    out[attribute] = metrics;
  }
  return out;
}
