// The evaluation benchmark (issue 3): a small MLP ONNX model scores generated rows; times
// Modelship's inference (predict) against bare onnxruntime-node session.run calls over the same
// batches, and Modelship's metrics + fairness against sklearn's (bench/evaluate_sklearn.py, with
// Fairlearn's group metrics restated in sklearn calls) on the same predictions; checks that both
// give the same values and writes the figures to bench/out/evaluate.json.
//
//   node bench/run.mjs evaluate [--rows N] [--runs K]   (defaults: 1000000 rows, median of 3 runs)
//
// Needs `npm run build` first. The sklearn side runs with /usr/bin/python3 and is skipped, with a
// note, when sklearn is not installed there. Every phase runs once to warm up before the K timed
// runs; the two inference paths alternate so that neither always runs first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import * as ort from 'onnxruntime-node';
import { mulberry32 } from '../scripts/prng.mjs';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';
import { figure } from './figures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const DIR = join(OUT, 'evaluate');
const MODEL = join(DIR, 'model.onnx');
const RESULT = join(OUT, 'evaluate.json');
const PYTHON = '/usr/bin/python3';
const SEED = 3;
const FEATURES = 20;
const HIDDEN = [64, 32];
const BATCH = 65536; // predict's default batchSize; the bare runs use the same boundaries
const THRESHOLD = 0.5;
const TOLERANCE = 1e-9;
const GROUPS = {
  sex: ['female', 'male'],
  age_band: ['18-29', '30-44', '45-59', '60+'],
};

const options = parseBenchArgs(process.argv.slice(2), 'evaluate');
const N = options.rows;
mkdirSync(DIR, { recursive: true });

for (const file of ['model/predict.js', 'metrics/binary.js', 'fairness/fairness.js']) {
  if (!existsSync(join(ROOT, 'lib', 'core', file))) {
    console.error('bench: lib/ is not built; run `npm run build` first.');
    process.exit(2);
  }
}
const { mlpModel } = await import('../lib/core/model/onnxWriter.js');
const { loadOnnxModel } = await import('../lib/core/model/onnxModel.js');
const { predict } = await import('../lib/core/model/predict.js');
const { binaryMetrics, predictLabels } = await import('../lib/core/metrics/binary.js');
const { fairnessReport } = await import('../lib/core/fairness/fairness.js');

// --- Data and model (not timed) -------------------------------------------------------------
console.log(`generating ${N} rows × ${FEATURES} features (seed ${SEED}) ...`);
const rand = mulberry32(SEED);
const normal = normalSource(rand);
const matrix = new Float32Array(N * FEATURES);
for (let i = 0; i < matrix.length; i++) matrix[i] = normal();
const layers = mlpLayers(normal, matrix);
await writeFile(MODEL, mlpModel({ layers, activation: 'relu', output: 'proba2' }));

const bare = await ort.InferenceSession.create(MODEL, { executionProviders: ['cpu'] });
const model = await loadOnnxModel(MODEL, { features: FEATURES });

// Labels drawn from the model's own score (a calibrated model, AUC well above 0.5); sex and age
// band lean on features 0 and 1, so groups differ in their rates.
const warm = scoresOf(await bareInference());
const y = new Uint8Array(N);
const sexCodes = new Uint8Array(N);
const ageCodes = new Uint8Array(N);
const labelRand = mulberry32(SEED + 1);
for (let i = 0; i < N; i++) {
  y[i] = labelRand() < warm[i] ? 1 : 0;
  sexCodes[i] = labelRand() < (matrix[i * FEATURES] > 0 ? 0.65 : 0.35) ? 0 : 1;
  const x1 = matrix[i * FEATURES + 1];
  ageCodes[i] =
    labelRand() < 0.5
      ? Math.floor(labelRand() * 4)
      : x1 < -0.674
        ? 0
        : x1 < 0
          ? 1
          : x1 < 0.674
            ? 2
            : 3;
}
const sex = Array.from(sexCodes, (c) => GROUPS.sex[c]);
const ageBand = Array.from(ageCodes, (c) => GROUPS.age_band[c]);

// --- Inference ------------------------------------------------------------------------------
const bareTimes = [];
const predictTimes = [];
let predicted;
await predict(model, matrix, N, 'binary-classification'); // warm-up (the bare one ran above)
for (let run = 0; run < options.runs; run++) {
  const order = run % 2 ? ['predict', 'bare'] : ['bare', 'predict'];
  for (const which of order) {
    const start = performance.now();
    if (which === 'bare') await bareInference();
    else predicted = await predict(model, matrix, N, 'binary-classification');
    const seconds = (performance.now() - start) / 1000;
    (which === 'bare' ? bareTimes : predictTimes).push(seconds);
  }
  console.log(
    `inference: run ${run + 1}/${options.runs} ... bare ${bareTimes.at(-1).toFixed(3)} s, ` +
      `predict ${predictTimes.at(-1).toFixed(3)} s`,
  );
}
const scores = predicted.scores;
const sameScores = scores.every((s, i) => s === warm[i]);

// --- Metrics + fairness ---------------------------------------------------------------------
const evalTimes = [];
const metricTimes = [];
const fairnessTimes = [];
let ours;
evaluate(); // warm-up
for (let run = 0; run < options.runs; run++) {
  const t = evaluate();
  evalTimes.push(t.total);
  metricTimes.push(t.metrics);
  fairnessTimes.push(t.fairness);
  console.log(`metrics + fairness: run ${run + 1}/${options.runs} ... ${t.total.toFixed(3)} s`);
}
await model.release();
await bare.release();
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

// --- sklearn on the same predictions --------------------------------------------------------
const sklearnVersion = sklearnAvailable();
let sk = null;
if (sklearnVersion) {
  await writeFile(join(DIR, 'y.u8'), y);
  await writeFile(join(DIR, 'scores.f64'), new Uint8Array(scores.buffer, 0, scores.byteLength));
  await writeFile(join(DIR, 'sex.u8'), sexCodes);
  await writeFile(join(DIR, 'age_band.u8'), ageCodes);
  await writeFile(
    join(DIR, 'meta.json'),
    JSON.stringify({ rows: N, threshold: THRESHOLD, groups: GROUPS }) + '\n',
  );
  console.log(`sklearn ${sklearnVersion}: warm-up + ${options.runs} run(s) ...`);
  const result = spawnSync(PYTHON, ['bench/evaluate_sklearn.py', DIR, String(options.runs)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  if (result.status !== 0) {
    console.error(`bench/evaluate_sklearn.py exited with ${result.status}:\n${result.stderr}`);
    process.exit(2);
  }
  sk = JSON.parse(result.stdout.trim().split('\n').pop());
} else {
  console.log(
    `note: the sklearn reference was skipped: ${PYTHON} cannot import sklearn. ` +
      'Install it with `sudo apt-get install python3-sklearn` and run the benchmark again.',
  );
}
const agreement = sk ? compareValues(ours, sk.values) : null;

// --- Report ---------------------------------------------------------------------------------
const phase = (times) => {
  const s = median(times);
  return { walls_s: times.map((t) => round(t, 4)), median_s: round(s, 4), rows_per_s: rate(s) };
};
const phases = {
  bare_session_run: phase(bareTimes),
  modelship_predict: phase(predictTimes),
  modelship_metrics_fairness: phase(evalTimes),
  modelship_metrics: phase(metricTimes),
  modelship_fairness: phase(fairnessTimes),
  ...(sk
    ? {
        sklearn_metrics_fairness: phase(sk.total_s),
        sklearn_metrics: phase(sk.metrics_s),
        sklearn_fairness: phase(sk.fairness_s),
      }
    : {}),
};
const inferenceRatio = round(median(bareTimes) / median(predictTimes), 3);
const evalRatio = sk ? round(median(sk.total_s) / median(evalTimes), 2) : null;
printResults();

await writeFile(
  RESULT,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machineInfo({
        onnxruntime_node: ort.env.versions?.node ?? null,
        sklearn: sk?.sklearn ?? null,
        numpy: sk?.numpy ?? null,
        pandas: sk?.pandas ?? null,
      }),
      data: {
        rows: N,
        features: FEATURES,
        seed: SEED,
        positive_rate: round(ours.metrics.positives / N, 4),
        groups: GROUPS,
      },
      model: {
        layers: [FEATURES, ...HIDDEN, 1],
        activation: 'relu',
        output: 'proba2',
        sha256: model.sha256,
        provider: model.provider,
        batch_size: BATCH,
      },
      runs: options.runs,
      threshold: THRESHOLD,
      phases,
      inference_vs_bare: inferenceRatio,
      metrics_fairness_vs_sklearn: evalRatio,
      goals: {
        inference_within_10pct_of_bare: inferenceRatio >= 0.9,
        metrics_fairness_5x_sklearn: evalRatio === null ? null : evalRatio >= 5,
      },
      peak_rss_mb: peakRssMb,
      sklearn_peak_rss_mb: sk?.peak_rss_mb ?? null,
      predict_matches_bare: sameScores,
      values_agree: agreement ? agreement.maxDiff <= TOLERANCE : null,
      max_abs_diff: agreement?.maxDiff ?? null,
      values_compared: agreement?.compared ?? null,
      disagreements: agreement?.disagreements ?? null,
      modelship: { metrics: ours.metrics.values, fairness: ours.fairness },
      figures: [
        figure({
          name: `evaluate ${N.toLocaleString('en-US')} rows: inference, modelship predict`,
          value: rate(median(predictTimes)),
          unit: 'rows/s',
          limitName: 'bare session.run',
          limit: rate(median(bareTimes)),
          goal: { min: 0.9 },
        }),
        ...(sk
          ? [
              figure({
                name: `evaluate ${N.toLocaleString('en-US')} rows: metrics + fairness`,
                value: rate(median(evalTimes)),
                unit: 'rows/s',
                limitName: 'scikit-learn',
                limit: rate(median(sk.total_s)),
                goal: { min: 5 },
              }),
            ]
          : []),
      ],
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${RESULT.slice(ROOT.length)}`);
if (!sameScores || (agreement && agreement.maxDiff > TOLERANCE)) process.exitCode = 1;

/** Standard normal numbers from a uniform source (Box–Muller, both values used). */
function normalSource(uniform) {
  let spare = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const r = Math.sqrt(-2 * Math.log(1 - uniform()));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
}

/**
 * Seeded He-initialised layers 20 → 64 → 32 → 1; the last one is rescaled, from a float64
 * forward pass over the first rows, so that logits have mean −0.6 and standard deviation 1.5
 * (about 36% positives, scores spread over (0, 1)).
 */
function mlpLayers(normal, x) {
  const sizes = [FEATURES, ...HIDDEN, 1];
  const layers = sizes.slice(1).map((out, l) => {
    const scale = Math.sqrt(2 / sizes[l]);
    return {
      weights: Array.from({ length: sizes[l] }, () =>
        Array.from({ length: out }, () => normal() * scale),
      ),
      bias: Array.from({ length: out }, () => normal() * 0.1),
    };
  });
  const sample = Math.min(N, 10_000);
  const logits = [];
  for (let i = 0; i < sample; i++) {
    let h = Array.from(x.subarray(i * FEATURES, (i + 1) * FEATURES));
    layers.forEach((layer, l) => {
      h = layer.bias.map((b, j) => {
        let sum = b;
        for (let k = 0; k < h.length; k++) sum += h[k] * layer.weights[k][j];
        return l < layers.length - 1 ? Math.max(0, sum) : sum;
      });
    });
    logits.push(h[0]);
  }
  const mean = logits.reduce((a, b) => a + b, 0) / sample;
  const sd = Math.sqrt(logits.reduce((a, b) => a + (b - mean) ** 2, 0) / sample) || 1;
  const last = layers.at(-1);
  const k = 1.5 / sd;
  last.weights = last.weights.map((row) => row.map((w) => w * k));
  last.bias = [(last.bias[0] - mean) * k - 0.6];
  return layers;
}

/** Bare onnxruntime-node: one Tensor + session.run per batch of BATCH rows; the output tensors. */
async function bareInference() {
  const input = bare.inputNames[0];
  const outputs = [];
  for (let start = 0; start < N; start += BATCH) {
    const end = Math.min(N, start + BATCH);
    const tensor = new ort.Tensor('float32', matrix.subarray(start * FEATURES, end * FEATURES), [
      end - start,
      FEATURES,
    ]);
    const result = await bare.run({ [input]: tensor });
    outputs.push(result[bare.outputNames[0]]);
  }
  return outputs;
}

/** P(positive) (column 1 of the [n, 2] outputs) as float64, in row order. */
function scoresOf(outputs) {
  const out = new Float64Array(N);
  let row = 0;
  for (const tensor of outputs) {
    const data = tensor.data;
    for (let i = 1; i < data.length; i += 2) out[row++] = data[i];
  }
  return out;
}

/** One timed pass of Modelship's metrics and fairness; keeps the values in `ours`. */
function evaluate() {
  const start = performance.now();
  const yPred = predictLabels(scores, THRESHOLD);
  const metrics = binaryMetrics(y, scores, THRESHOLD);
  const middle = performance.now();
  const fairness = {
    sex: fairnessReport(sex, y, yPred),
    age_band: fairnessReport(ageBand, y, yPred),
  };
  const end = performance.now();
  let positives = 0;
  for (let i = 0; i < N; i++) positives += y[i];
  ours = { metrics: { values: metrics, positives }, fairness };
  return {
    total: (end - start) / 1000,
    metrics: (middle - start) / 1000,
    fairness: (end - middle) / 1000,
  };
}

/** The sklearn version /usr/bin/python3 imports, or null. */
function sklearnAvailable() {
  if (!existsSync(PYTHON)) return null;
  const result = spawnSync(PYTHON, ['-c', 'import sklearn; print(sklearn.__version__)'], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** Every metric, group rate and disparity of both sides: the largest |difference|. */
function compareValues(mine, theirs) {
  // Keys of an attribute's fairness report that are not values scikit-learn computes.
  const NOT_COMPUTED = new Set(['groups', 'min_group_size', 'small_groups']);
  const pairs = [];
  for (const [key, value] of Object.entries(mine.metrics.values)) {
    pairs.push([`metrics.${key}`, value, theirs.metrics[key]]);
  }
  for (const [attribute, report] of Object.entries(mine.fairness)) {
    const other = theirs.fairness[attribute];
    const names = new Set([...Object.keys(report.groups), ...Object.keys(other.groups)]);
    for (const name of names) {
      for (const rate of ['count', 'selection_rate', 'tpr', 'fpr', 'accuracy']) {
        pairs.push([
          `${attribute}.${name}.${rate}`,
          report.groups[name]?.[rate],
          other.groups[name]?.[rate],
        ]);
      }
    }
    for (const [key, value] of Object.entries(report)) {
      // The groups are compared above; min_group_size is the config's setting echoed and
      // small_groups the groups under it, by the counts already compared.
      if (!NOT_COMPUTED.has(key)) pairs.push([`${attribute}.${key}`, value, other[key]]);
    }
  }
  let maxDiff = 0;
  const disagreements = [];
  for (const [key, a, b] of pairs) {
    const bothNull = (a === null || a === undefined) && (b === null || b === undefined);
    const diff = bothNull
      ? 0
      : typeof a === 'number' && typeof b === 'number'
        ? Math.abs(a - b)
        : Infinity;
    if (!(diff <= TOLERANCE)) disagreements.push({ key, modelship: a ?? null, sklearn: b ?? null });
    if (!(diff <= maxDiff)) maxDiff = diff;
  }
  return { maxDiff, compared: pairs.length, disagreements };
}

function printResults() {
  const line = (name, times, ratio) => {
    const s = median(times);
    return [name, String(N), s.toFixed(3), rate(s).toLocaleString('en-US'), ratio];
  };
  const rows = [
    line('inference: bare session.run', bareTimes, '1.00 (ref)'),
    line('inference: modelship predict', predictTimes, `${inferenceRatio.toFixed(2)} of bare`),
  ];
  if (sk) {
    rows.push(line(`metrics+fairness: sklearn ${sk.sklearn}`, sk.total_s, '1.00 (ref)'));
    rows.push(line('  sklearn metrics', sk.metrics_s, ''));
    rows.push(line('  sklearn fairness (2 attributes)', sk.fairness_s, ''));
  }
  const x = (ref, mine) => (sk ? `${(median(ref) / median(mine)).toFixed(2)}× sklearn` : '');
  rows.push(line('metrics+fairness: modelship', evalTimes, x(sk?.total_s, evalTimes)));
  rows.push(line('  modelship metrics', metricTimes, x(sk?.metrics_s, metricTimes)));
  rows.push(
    line('  modelship fairness (2 attributes)', fairnessTimes, x(sk?.fairness_s, fairnessTimes)),
  );
  console.log(
    `\n${N} rows × ${FEATURES} features, MLP ${[FEATURES, ...HIDDEN, 1].join('→')} (relu), ` +
      `batches of ${BATCH}, median of ${options.runs} run(s) after a warm-up\n`,
  );
  console.log(
    markdownTable([['phase', 'rows', 'median s', 'rows/s', 'ratio'], ...rows], {
      align: ['l', 'r', 'r', 'r', 'l'],
    }),
  );
  const met = (ok) => (ok ? 'met' : 'NOT met');
  console.log(
    `\ninference vs bare session.run: ${inferenceRatio.toFixed(3)} (goal ≥ 0.9: ` +
      `${met(inferenceRatio >= 0.9)}); predict's scores equal the bare run's: ` +
      `${sameScores ? 'yes' : 'NO'}`,
  );
  if (sk) {
    console.log(
      `metrics+fairness vs sklearn: ${evalRatio}× (goal ≥ 5: ${met(evalRatio >= 5)})\n` +
        `values agree with sklearn: ${agreement.maxDiff <= TOLERANCE ? 'yes' : 'NO'}, max |Δ| = ` +
        `${agreement.maxDiff.toExponential(2)} over ${agreement.compared} values (tolerance ${TOLERANCE})`,
    );
    for (const d of agreement.disagreements) {
      console.log(`  ${d.key}: modelship ${d.modelship}, sklearn ${d.sklearn}`);
    }
  }
  console.log(`peak RSS: ${peakRssMb} MB (node${sk ? `; python ${sk.peak_rss_mb} MB` : ''})`);
}

function rate(seconds) {
  return Math.round(N / seconds);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
