// The penguins example's Node-only trainer: ridge regression (closed form) of body mass on the
// features modelship.yml declares, exported to ONNX with Modelship's own writer, so that
// `npx modelship demo --all` needs no Python.
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
import { featureWidth, linearRegressionModel, loadConfig, loadEvaluationData } from 'modelship';

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
const x = (i, j) => train.matrix[i * width + j];
const y = Float64Array.from(train.target.slice(0, rows), Number);
const l2 = Number(values.l2);

const started = performance.now();
// Centred features and target leave the intercept out of the penalty: solve
// (XcᵀXc + l2·I) w = Xcᵀyc, then bias = ȳ − x̄·w.
const mean = new Float64Array(width);
for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) mean[j] += x(i, j) / rows;
const yMean = y.reduce((s, v) => s + v, 0) / rows;
const a = Array.from({ length: width }, () => new Float64Array(width + 1));
for (let i = 0; i < rows; i++) {
  for (let j = 0; j < width; j++) {
    const xj = x(i, j) - mean[j];
    for (let k = 0; k < width; k++) a[j][k] += xj * (x(i, k) - mean[k]);
    a[j][width] += xj * (y[i] - yMean);
  }
}
for (let j = 0; j < width; j++) a[j][j] += l2;
const weights = solve(a);
const bias = yMean - weights.reduce((s, w, j) => s + w * mean[j], 0);

let absolute = 0;
let squared = 0;
let total = 0;
for (let i = 0; i < rows; i++) {
  let prediction = bias;
  for (let j = 0; j < width; j++) prediction += weights[j] * x(i, j);
  absolute += Math.abs(y[i] - prediction);
  squared += (y[i] - prediction) ** 2;
  total += (y[i] - yMean) ** 2;
}
const metrics = {
  mae: absolute / rows,
  mse: squared / rows,
  rmse: Math.sqrt(squared / rows),
  r2: 1 - squared / total,
};

mkdirSync(dirname(modelPath), { recursive: true });
writeFileSync(modelPath, linearRegressionModel({ weights, bias, producer: 'modelship-example' }));
mkdirSync(outputDir, { recursive: true });
writeFileSync(
  `${outputDir}/metrics.json`,
  `${JSON.stringify({ split: 'train', rows, l2, metrics }, null, 2)}\n`,
);
console.log(
  `trained ridge regression on ${rows} rows × ${width} features in ${(performance.now() - started).toFixed(0)} ms ` +
    `(l2 ${l2}): train rmse ${metrics.rmse.toFixed(1)} g, r2 ${metrics.r2.toFixed(4)} → ${modelPath}`,
);

/** Gaussian elimination with partial pivoting on the augmented matrix [A | b]. */
function solve(m) {
  const n = m.length;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const w = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * w[k];
    w[r] = s / m[r][r];
  }
  return w;
}
