/**
 * A project for the evaluate and gate tests: the credit-risk example's features and data (by
 * absolute path) in a config written to a temporary directory, and models trained on the
 * example's training data with Modelship's own logistic regression and ONNX writer.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../src/core/model/featureMatrix.js';
import { loadEvaluationData } from '../../src/core/model/evaluationData.js';
import { logisticRegressionModel } from '../../src/core/model/onnxWriter.js';
import { fitLogisticRegression } from '../../src/core/train/logisticRegression.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const EXAMPLE = join(ROOT, 'examples/credit-risk');
export const EXAMPLE_CONFIG = join(EXAMPLE, 'modelship.yml');
export const EVAL_CSV = join(EXAMPLE, 'data/eval.csv');
export const TRAIN_CSV = join(EXAMPLE, 'data/train.csv');
export const SENSITIVE = ['personal_status', 'foreign_worker'];

type Rules = Record<string, Record<string, number>>;

/** A gate the trained candidate passes against the weaker baseline (and with none). */
export const PASSING_GATE: { metrics: Rules; fairness: Rules } = {
  metrics: {
    roc_auc: { min: 0.7, max_regression: 0.02 },
    log_loss: { max: 0.65, max_relative_regression: 0.05 },
    accuracy: { min: 0.7 },
  },
  fairness: { equalized_odds_difference: { max: 0.6 } },
};

/** A gate the trained candidate fails: an roc_auc no model of this data reaches. */
export const FAILING_GATE: { metrics: Rules; fairness: Rules } = {
  metrics: { roc_auc: { min: 0.95 }, accuracy: { min: 0.7 } },
  fairness: {},
};

export interface ProjectOptions {
  name?: string;
  /** Candidate model path written into model.path (absolute). */
  model: string;
  /** Holdout (absolute); the example's eval.csv by default. */
  evalData?: string;
  gate?: { metrics: Rules; fairness: Rules };
  /** The sensitive attributes; the example's by default. */
  sensitive?: string[];
  file?: string;
}

/** Writes modelship.yml (or `file`) into `dir` from the example's, with absolute data paths. */
export function writeProject(dir: string, options: ProjectOptions): string {
  const example = parse(readFileSync(EXAMPLE_CONFIG, 'utf8')) as Record<string, unknown>;
  const model = example.model as Record<string, unknown>;
  const gate = options.gate ?? PASSING_GATE;
  const config = {
    model: { ...model, name: options.name ?? 'credit-risk', path: options.model },
    data: {
      schema: join(EXAMPLE, 'data/schema.yml'),
      train: TRAIN_CSV,
      eval: options.evalData ?? EVAL_CSV,
    },
    metrics: gate.metrics,
    fairness: { sensitive: options.sensitive ?? SENSITIVE, thresholds: gate.fairness },
  };
  mkdirSync(dir, { recursive: true });
  const file = join(dir, options.file ?? 'modelship.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/** Logistic regression on the example's training rows, as ONNX bytes ([N, 2] probabilities). */
export async function trainModel(options: { l2: number; rows?: number }): Promise<Uint8Array> {
  const { config } = loadConfig(EXAMPLE_CONFIG);
  const data = await loadEvaluationData(TRAIN_CSV, {
    features: config.model.features!,
    target: config.model.target,
  });
  const width = featureWidth(config.model.features!);
  const rows = Math.min(options.rows ?? data.rows, data.rows);
  const y = Uint8Array.from(data.target.slice(0, rows), (v) => (v === 'bad' ? 1 : 0));
  const fit = fitLogisticRegression(data.matrix.subarray(0, rows * width), rows, width, y, {
    l2: options.l2,
  });
  return logisticRegressionModel({ weights: fit.weights, bias: fit.bias, output: 'proba2' });
}

/** The models the tests share, written into `dir`: their paths and bytes. */
export interface TrainedModels {
  /** l2 1 on all 700 rows: the pull request's model. */
  candidate: string;
  /** l2 300 on the first 300 rows: production (credit-risk-v1.1.0). */
  baseline: string;
  /** l2 3000 on the first 100 rows: an older release (credit-risk-v1.0.0). */
  older: string;
  /** A logistic regression over 5 inputs: the wrong width for 26 features. */
  narrow: string;
  bytes: { candidate: Uint8Array; baseline: Uint8Array; older: Uint8Array };
}

export async function trainModels(dir: string): Promise<TrainedModels> {
  mkdirSync(dir, { recursive: true });
  const bytes = {
    candidate: await trainModel({ l2: 1 }),
    baseline: await trainModel({ l2: 300, rows: 300 }),
    older: await trainModel({ l2: 3000, rows: 100 }),
  };
  const path = (name: string) => join(dir, `${name}.onnx`);
  for (const [name, content] of Object.entries(bytes)) writeFileSync(path(name), content);
  writeFileSync(
    path('narrow'),
    logisticRegressionModel({ weights: [0.1, 0.2, 0.3, 0.4, 0.5], bias: 0, output: 'proba2' }),
  );
  return {
    candidate: path('candidate'),
    baseline: path('baseline'),
    older: path('older'),
    narrow: path('narrow'),
    bytes,
  };
}
