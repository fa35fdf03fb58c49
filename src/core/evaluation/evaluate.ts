import type { LoadedConfig } from '../config/modelshipConfig.js';
import { isModelshipError, ModelshipError } from '../errors.js';
import { fairnessReport } from '../fairness/fairness.js';
import { applyConfigGate } from '../gate/configGate.js';
import { binaryConfusion, binaryMetrics } from '../metrics/binary.js';
import { multiclassConfusion, multiclassMetrics } from '../metrics/multiclass.js';
import { regressionMetrics } from '../metrics/regression.js';
import { loadEvaluationData, type EvaluationData } from '../model/evaluationData.js';
import { featureWidth } from '../model/featureMatrix.js';
import { defaultExecutionProviders } from '../model/gpuPresence.js';
import { loadOnnxModel, type OnnxModel } from '../model/onnxModel.js';
import { predict } from '../model/predict.js';
import type { Confusion, EvaluationReport, ModelResults } from './evaluationReport.js';
import { labelsFor, type Labels } from './labels.js';

export interface EvaluateOptions {
  config: LoadedConfig;
  /**
   * Candidate model, taken as given like `data` (relative to the working directory, as a command
   * line path is); default: model.path of the config, relative to the config's directory.
   */
  model?: string;
  /** Holdout data (default: data.eval of the config). */
  data?: string;
  /** Baseline model file and how to name it in the report, or null for none. */
  baseline?: { path: string; label: string; tag?: string } | null;
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
  const data = await loadEvaluationData(dataPath, {
    features: config.model.features,
    target: config.model.target,
    extraColumns: sensitive,
  });
  const labels = labelsFor(config, data.target, dataPath);
  const candidate = await scoreModel(modelPath, data, labels, options, sensitive, 'candidate');
  const baseline = options.baseline
    ? {
        ...(await scoreModel(
          options.baseline.path,
          data,
          labels,
          options,
          sensitive,
          options.baseline.label === options.baseline.path
            ? 'baseline'
            : `baseline (${options.baseline.label})`,
        )),
        label: options.baseline.label,
      }
    : null;
  if (baseline && options.baseline?.tag) baseline.model.tag = options.baseline.tag;
  const gate = applyConfigGate(
    config,
    { metrics: candidate.metrics, fairness: disparities(candidate) },
    baseline ? { metrics: baseline.metrics, fairness: disparities(baseline) } : null,
  );
  return {
    name: config.model.name,
    task: config.model.task,
    rows: data.rows,
    data: dataInput,
    ...(labels.kind === 'binary'
      ? { threshold: config.model.threshold, positive: labels.positive }
      : {}),
    candidate: candidate.model,
    metrics: candidate.metrics,
    fairness: candidate.fairness,
    confusion: candidate.confusion,
    baseline,
    gate,
    created: (options.now ?? new Date()).toISOString(),
  };
}

async function scoreModel(
  path: string,
  data: EvaluationData,
  labels: Labels,
  options: EvaluateOptions,
  sensitive: string[],
  role: string,
): Promise<ModelResults> {
  const { config } = options.config;
  const model = await loadOnnxModel(path, {
    features: featureWidth(config.model.features),
    executionProviders: options.executionProviders ?? defaultExecutionProviders(),
  });
  try {
    return await scoreWith(model, path, data, labels, options, sensitive);
  } catch (error) {
    // The metrics' own errors ("row 3 has NaN") do not say which of the two models gave them.
    if (isModelshipError(error) && !error.message.includes(path))
      throw new ModelshipError(`${path} (the ${role} model): ${error.message}`, error.exitCode);
    throw error;
  } finally {
    await model.release();
  }
}

async function scoreWith(
  model: OnnxModel,
  path: string,
  data: EvaluationData,
  labels: Labels,
  options: EvaluateOptions,
  sensitive: string[],
): Promise<ModelResults> {
  const { config } = options.config;
  const info = { path, sha256: model.sha256, provider: model.provider };
  if (labels.kind === 'binary') {
    const out = await predict(model, data.matrix, data.rows, 'binary-classification');
    if (out.kind !== 'binary') throw new Error('unreachable');
    const threshold = config.model.threshold;
    const yPred = new Uint8Array(data.rows);
    for (let i = 0; i < data.rows; i++) yPred[i] = out.scores[i]! >= threshold ? 1 : 0;
    const fairness: ModelResults['fairness'] = {};
    for (const attribute of sensitive)
      fairness[attribute] = fairnessReport(data.extras[attribute] ?? [], labels.yTrue, yPred);
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
      confusion,
    };
  }
  if (labels.kind === 'multiclass') {
    const out = await predict(model, data.matrix, data.rows, 'multiclass-classification', {
      classCount: labels.classes.length,
    });
    if (out.kind !== 'multiclass') throw new Error('unreachable');
    const matrix = multiclassConfusion(labels.yTrue, out.proba, labels.classes.length);
    return {
      model: info,
      metrics: { ...multiclassMetrics(labels.yTrue, out.proba, labels.classes.length) },
      fairness: {},
      confusion: { labels: labels.classes, matrix },
    };
  }
  const out = await predict(model, data.matrix, data.rows, 'regression');
  if (out.kind !== 'regression') throw new Error('unreachable');
  return {
    model: info,
    metrics: { ...regressionMetrics(labels.yTrue, out.values) },
    fairness: {},
    confusion: null,
  };
}

function disparities(results: ModelResults): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const [attribute, f] of Object.entries(results.fairness)) {
    const { groups: _groups, ...metrics } = f;
    out[attribute] = metrics;
  }
  return out;
}
