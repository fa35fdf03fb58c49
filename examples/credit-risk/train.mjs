// The example's Node-only trainer: logistic regression on the features modelship.yml declares,
// exported to ONNX with Modelship's own writer, so `npx modelship demo` needs no Python.
//
// Environment (set by `modelship train` and the train action; defaults for running it by hand):
//   MODELSHIP_CONFIG      modelship.yml
//   MODELSHIP_MODEL_PATH  model.path of the config
//   MODELSHIP_OUTPUT_DIR  the model's directory (metrics.json is written there)
// Options: --l2 <penalty> (default 1), --rows <n> (train on the first n rows only).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  binaryMetrics,
  featureWidth,
  fitLogisticRegression,
  loadConfig,
  loadEvaluationData,
  logisticRegressionModel,
} from 'modelship';

const { values } = parseArgs({
  options: { l2: { type: 'string', default: '1' }, rows: { type: 'string' } },
});
const loaded = loadConfig(process.env.MODELSHIP_CONFIG ?? 'modelship.yml');
const { model, data } = loaded.config;
const modelPath = resolve(process.env.MODELSHIP_MODEL_PATH ?? loaded.resolve(model.path));
const outputDir = resolve(process.env.MODELSHIP_OUTPUT_DIR ?? dirname(modelPath));

const train = await loadEvaluationData(loaded.resolve(data.train), {
  features: model.features,
  target: model.target,
});
const rows = Math.min(train.rows, Number(values.rows ?? train.rows));
const width = featureWidth(model.features);
const y = Uint8Array.from(train.target.slice(0, rows), (label) =>
  label === String(model.positive) ? 1 : 0,
);
const matrix = train.matrix.subarray(0, rows * width);

const started = performance.now();
const fit = fitLogisticRegression(matrix, rows, width, y, { l2: Number(values.l2) });
const scores = new Float64Array(rows);
for (let i = 0; i < rows; i++) {
  let z = fit.bias;
  for (let j = 0; j < width; j++) z += matrix[i * width + j] * fit.weights[j];
  scores[i] = 1 / (1 + Math.exp(-z));
}

mkdirSync(dirname(modelPath), { recursive: true });
writeFileSync(
  modelPath,
  logisticRegressionModel({
    weights: fit.weights,
    bias: fit.bias,
    output: 'proba2',
    producer: 'modelship-example',
  }),
);
mkdirSync(outputDir, { recursive: true });
const metrics = binaryMetrics(y, scores, model.threshold);
writeFileSync(
  `${outputDir}/metrics.json`,
  `${JSON.stringify({ split: 'train', rows, l2: Number(values.l2), iterations: fit.iterations, metrics }, null, 2)}\n`,
);
console.log(
  `trained logistic regression on ${rows} rows × ${width} features in ${(performance.now() - started).toFixed(0)} ms ` +
    `(${fit.iterations} Newton steps, l2 ${values.l2}): train roc_auc ${metrics.roc_auc?.toFixed(4)}, log_loss ${metrics.log_loss.toFixed(4)} → ${modelPath}`,
);
