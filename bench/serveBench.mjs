// The serving benchmark (issue 6): autocannon on loopback against a real `modelship serve` child
// process of the example bundle (packaged here from examples/credit-risk), for single-row
// /predict and OIP infer at concurrency 1, 8 and 64, and 1,000-row batches, next to the ceiling
// measured in the same run: bare onnxruntime-node session.run in-process on the same inputs. The
// single-row cases run twice, without and with --micro-batch-ms 0, to show whether merging
// concurrent requests pays. The example's logistic regression scores 1,000 rows in tens of
// microseconds, less than any HTTP request costs, so the batches are also run against a second
// bundle of the same config with a seeded MLP (26→512→512→1, written with the repo's ONNX writer)
// whose 1,000-row session.run takes milliseconds, as a real model's does; each batch is compared
// with its own model's ceiling. Figures go to bench/out/serve.json.
//
//   node bench/run.mjs serve [--duration S] [--batch-rows N] [--mlp-only] [--threads N]
//   (defaults: 5 s a run, 1000 rows; --mlp-only runs only the MLP batches and their ceiling;
//   --threads sets the server's MODELSHIP_THREADS)
//
// On a machine of two or more CPUs the server is pinned (taskset) to all CPUs but the last and the
// load generator (this process) to the last, so that autocannon does not take the model's cores;
// the in-process ceiling is measured pinned to the server's CPUs, the same cores the server has.
//
// Needs `npm run build` first. Latencies are every response's own time (autocannon's response
// event, fractional ms), not its 1 ms histogram. The server's CPU time per request comes from
// /proc and holds up better than requests/s when other processes share the cores.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Buffer } from 'node:buffer';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { markdownTable } from 'markdown-table';
import * as ort from 'onnxruntime-node';
import { mulberry32 } from '../scripts/prng.mjs';
import { machineInfo } from './benchArgs.mjs';
import { modelshipCli, startServe } from './serveProcess.mjs';
import { figure, figuresTable } from './figures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const DIR = join(OUT, 'serve');
const BUNDLE = join(DIR, 'bundle');
const MLP_MODEL = join(DIR, 'mlp.onnx');
const MLP_BUNDLE = join(DIR, 'bundle-mlp');
const MLP_HIDDEN = [512, 512];
const MLP_SEED = 6;
const RESULT = join(OUT, 'serve.json');
const CONFIG = join(ROOT, 'examples', 'credit-risk', 'modelship.yml');
const EVAL = join(ROOT, 'examples', 'credit-risk', 'data', 'eval.csv');
const CONCURRENCY = [1, 8, 64];
const BATCH_CONCURRENCY = [1, 8];
const GOAL_P99_MS = 5;
const GOAL_BATCH_SHARE = 0.8;
const MODELS = { logistic: 'logistic regression', mlp: `MLP 26→${MLP_HIDDEN.join('→')}→1` };

const options = parseArgs(process.argv.slice(2));
mkdirSync(DIR, { recursive: true });
const pinning = cpuPinning();
if (!existsSync(join(ROOT, 'lib', 'core', 'serve', 'server.js'))) {
  console.error('bench: lib/ is not built; run `npm run build` first.');
  process.exit(2);
}
const { loadConfig } = await import('../lib/core/config/modelshipConfig.js');
const { buildFeatureMatrix, featureColumns, featureWidth } =
  await import('../lib/core/model/featureMatrix.js');
const { mlpModel } = await import('../lib/core/model/onnxWriter.js');
const { parseInferJson } = await import('../lib/core/serve/numericJson.js');
const { inputTensor } = await import('../lib/core/serve/oipTensors.js');
const { parsePredictJson } = await import('../lib/core/serve/predictJson.js');
const { objectRows } = await import('../lib/core/serve/rowColumns.js');

// --- The bundle and the inputs (not timed) --------------------------------------------------
const model = join(ROOT, 'examples', 'credit-risk', 'artifacts', 'model.onnx');
if (!existsSync(model)) modelshipCli(['train', '--config', CONFIG]);
modelshipCli(['package', '--config', CONFIG, '--out', BUNDLE, '--force']);
const { config } = loadConfig(CONFIG);
const F = featureWidth(config.model.features);
const evalRows = readRows(EVAL);
const B = options.batchRows;
const rows = Array.from({ length: B }, (_, i) => evalRows[i % evalRows.length]);
const columns = {};
for (const name of featureColumns(config.model.features)) columns[name] = rows.map((r) => r[name]);
const matrix = buildFeatureMatrix(columns, B, config.model.features);
const nested = (n) =>
  Array.from({ length: n }, (_, r) => Array.from(matrix.subarray(r * F, (r + 1) * F)));
const bodies = {
  predict: (n) => JSON.stringify({ rows: rows.slice(0, n) }),
  infer: (n) =>
    JSON.stringify({
      inputs: [{ name: 'input', shape: [n, F], datatype: 'FP32', data: nested(n) }],
    }),
  // The binary tensor data extension: the same rows as raw float32, the output back raw.
  infer_binary: (n) => {
    const raw = Buffer.from(matrix.buffer, 0, n * F * 4);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [n, F],
            datatype: 'FP32',
            parameters: { binary_data_size: raw.length },
          },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    return { body: Buffer.concat([header, raw]), headerLength: header.length };
  },
};

// The second model: the same config and inputs, a seeded MLP whose first layer is divided by
// each input's spread over the batch (raw amounts run to thousands), so scores stay in (0, 1).
await writeFile(MLP_MODEL, mlpModel({ layers: mlpLayers(), activation: 'relu', output: 'proba2' }));
modelshipCli(['package', '--config', CONFIG, '--model', MLP_MODEL, '--out', MLP_BUNDLE, '--force']);

// --- The ceiling: bare session.run in-process on the same matrices ---------------------------
const ceiling = {
  ...(options.mlpOnly
    ? {}
    : await pinned('server', () => bareRates(join(BUNDLE, 'model.onnx'), [1, B]))),
  // What the HTTP path adds before the model runs: parsing the body into the same matrix.
  parse_batch: parseRate(bodies.infer(B), B),
  // The body to the input tensor as serve reads it: JSON.parse and its arrays (as before the
  // scanner), and the scanner of numeric data (now).
  tensor_json_parse: tensorRate(bodies.infer(B), B, false),
  tensor_scanner: tensorRate(bodies.infer(B), B, true),
  // A /predict body to its feature columns: JSON.parse and the row objects (as before the
  // scanner), and the scanner of rows (now).
  columns_json_parse: columnsRate(bodies.predict(B), B, false),
  columns_scanner: columnsRate(bodies.predict(B), B, true),
};
if (!options.mlpOnly) {
  console.log(
    `ceiling (in-process session.run): 1 row ${fmt(ceiling.single.rows_per_s)} rows/s; ` +
      `${B} rows ${fmt(ceiling.batch.rows_per_s)} rows/s; JSON.parse + matrix of a ${B}-row ` +
      `infer body ${fmt(ceiling.parse_batch.rows_per_s)} rows/s`,
  );
}

// --- The server under load -------------------------------------------------------------------
const load = { before: loadavg().map((v) => round(v, 2)) };
const cases = [];
// Both servers run side by side; each single-row case alternates them A B B A, so that neither
// always runs first while other load comes and goes, and reports the mean of its two runs.
const plain = options.mlpOnly ? undefined : await startServer(BUNDLE, 'logistic', false);
const merged = options.mlpOnly ? undefined : await startServer(BUNDLE, 'logistic', true);
if (plain && merged)
  try {
    for (const route of ['predict', 'infer']) {
      const body = bodies[route](1);
      for (const server of [plain, merged]) await fire(server, route, body, 8, 1); // warm-up
      for (const c of CONCURRENCY) {
        const runs = [];
        for (const server of [plain, merged, merged, plain]) {
          runs.push(await measure(server, { route, rows: 1, c, body }));
        }
        cases.push(meanOf([runs[0], runs[3]]), meanOf([runs[1], runs[2]]));
      }
    }
    for (const route of ['predict', 'infer', 'infer_binary']) {
      const body = bodies[route](B);
      await fire(plain, route, body, 1, 1); // warm-up
      for (const c of BATCH_CONCURRENCY) {
        cases.push(await measure(plain, { route, rows: B, c, body }));
      }
    }
  } finally {
    await plain.stop();
    await merged.stop();
  }

// The MLP: its ceiling just before and just after its batches (the mean is the one compared), so
// that a change of load on the shared cores during the run shows as a spread.
const mlpBefore = await pinned('server', () => bareRates(MLP_MODEL, [B], serverSessionOptions()));
// Each MLP case also runs between two one-second in-process runs on the server's CPUs with the
// server's threads, and is compared with their mean: a limit measured under the same load.
const mlpSession = await pinned('server', () =>
  ort.InferenceSession.create(MLP_MODEL, {
    executionProviders: ['cpu'],
    ...serverSessionOptions(),
  }),
);
const neighbour = () => pinned('server', () => bareRate(mlpSession, B, 1000));
const mlpServer = await startServer(MLP_BUNDLE, 'mlp', false);
try {
  for (const route of ['predict', 'infer', 'infer_binary']) {
    const body = bodies[route](B);
    await fire(mlpServer, route, body, 1, 1); // warm-up
    for (const c of BATCH_CONCURRENCY) {
      const before = await neighbour();
      const entry = await measure(mlpServer, { route, rows: B, c, body });
      const after = await neighbour();
      entry.ceiling_rows_per_s = Math.round((before.rows_per_s + after.rows_per_s) / 2);
      entry.ceiling_cpu_us_per_run = Math.round((before.cpu_us_per_run + after.cpu_us_per_run) / 2);
      // The model's CPU time over the server's per request: what the rest of the path costs,
      // steadier than rates when other jobs take the CPU.
      entry.cpu_share = round(entry.ceiling_cpu_us_per_run / entry.server_cpu_us_per_request, 3);
      cases.push(entry);
    }
  }
} finally {
  await mlpServer.stop();
  await mlpSession.release();
}
const mlpAfter = await pinned('server', () => bareRates(MLP_MODEL, [B], serverSessionOptions()));
ceiling.mlp_batch = {
  runs_per_s: Math.round((mlpBefore.batch.runs_per_s + mlpAfter.batch.runs_per_s) / 2),
  rows_per_s: Math.round((mlpBefore.batch.rows_per_s + mlpAfter.batch.rows_per_s) / 2),
  cpu_us_per_run: Math.round((mlpBefore.batch.cpu_us_per_run + mlpAfter.batch.cpu_us_per_run) / 2),
  before: mlpBefore.batch,
  after: mlpAfter.batch,
};
// The same with one intra-op thread: what the second thread of the default pool buys, and costs.
ceiling.mlp_batch_one_thread = (
  await pinned('server', () => bareRates(MLP_MODEL, [B], { intraOpNumThreads: 1 }))
).batch;
// onnxruntime's default pool (a thread a physical core, blind to affinity) on the server's CPUs,
// and unpinned on every CPU of the machine.
ceiling.mlp_batch_default_pool = (await pinned('server', () => bareRates(MLP_MODEL, [B]))).batch;
ceiling.mlp_batch_all_cpus = (await pinned('all', () => bareRates(MLP_MODEL, [B]))).batch;
console.log(
  `ceiling, ${MODELS.mlp} (in-process session.run), ${B} rows: ` +
    `${fmt(mlpBefore.batch.rows_per_s)} rows/s before, ${fmt(mlpAfter.batch.rows_per_s)} after ` +
    `(${round((1000 * B) / ceiling.mlp_batch.rows_per_s, 2)} ms a batch, ` +
    `${fmt(ceiling.mlp_batch.cpu_us_per_run)} µs CPU); one intra-op thread: ` +
    `${round((1000 * B) / ceiling.mlp_batch_one_thread.rows_per_s, 2)} ms a batch, ` +
    `${fmt(ceiling.mlp_batch_one_thread.cpu_us_per_run)} µs CPU; onnxruntime's default pool: ` +
    `${round((1000 * B) / ceiling.mlp_batch_default_pool.rows_per_s, 2)} ms a batch`,
);
// The MLP's limit: the fastest of the in-process runs on the server's CPUs, whichever threads.
ceiling.mlp_best = [
  ceiling.mlp_batch,
  ceiling.mlp_batch_one_thread,
  ceiling.mlp_batch_default_pool,
].reduce((a, b) => (b.rows_per_s > a.rows_per_s ? b : a));
load.after = loadavg().map((v) => round(v, 2));

// --- Report ----------------------------------------------------------------------------------
const single = (route, c, mb) =>
  cases.find((x) => x.route === route && x.rows === 1 && x.c === c && x.micro_batch === mb);
const bestBatch = (route, model) =>
  cases
    .filter((x) => x.route === route && x.rows === B && x.model === model)
    .reduce((a, b) => (share(b) > share(a) ? b : a));
/** A batch case's limit: the MLP's in-process runs beside it, the logistic's ceiling of the run. */
const caseCeiling = (x) => x.ceiling_rows_per_s ?? ceiling.batch.rows_per_s;
const share = (x) => x.rows_per_s / caseCeiling(x);
// With --mlp-only, only the MLP's batches ran.
const modelsRun = options.mlpOnly ? ['mlp'] : Object.keys(MODELS);
const goals = {
  single_row_p99_under_5ms_at_c8: options.mlpOnly
    ? {}
    : {
        predict: single('predict', 8, false).p99_ms < GOAL_P99_MS,
        infer: single('infer', 8, false).p99_ms < GOAL_P99_MS,
      },
  batch_within_80pct_of_ceiling: Object.fromEntries(
    modelsRun.map((model) => [
      model,
      Object.fromEntries(
        ['predict', 'infer', 'infer_binary'].map((route) => [
          route,
          share(bestBatch(route, model)) >= GOAL_BATCH_SHARE,
        ]),
      ),
    ]),
  ),
};
const batchShare = Object.fromEntries(
  modelsRun.map((model) => [
    model,
    Object.fromEntries(
      ['predict', 'infer', 'infer_binary'].map((route) => [
        route,
        round(share(bestBatch(route, model)), 4),
      ]),
    ),
  ]),
);
const microBatchGain = Object.fromEntries(
  (options.mlpOnly ? [] : ['predict', 'infer']).flatMap((route) =>
    CONCURRENCY.map((c) => [
      `${route}_c${c}`,
      round(single(route, c, true).requests_per_s / single(route, c, false).requests_per_s, 3),
    ]),
  ),
);
// The issue's goals beside their limit, in-process session.run on the same MLP batch.
const figures = [
  ['infer_binary', 'binary OIP', 0.85],
  ['infer', 'JSON OIP', 0.7],
  ['predict', '/predict', 0.6],
].map(([route, label, goal]) =>
  figure({
    name: `serve ${B}-row batches of the MLP, ${label}`,
    value: bestBatch(route, 'mlp').rows_per_s,
    unit: 'rows/s',
    limitName: 'in-process session.run beside it',
    limit: bestBatch(route, 'mlp').ceiling_rows_per_s,
    goal: { min: goal },
  }),
);
// The same goals on CPU time, steadier than rates when other jobs share the cores: rows a CPU
// second of the server (its CPU a request) beside rows a CPU second of session.run beside it.
for (const [route, label, goal] of [
  ['infer_binary', 'binary OIP', 0.85],
  ['infer', 'JSON OIP', 0.7],
  ['predict', '/predict', 0.6],
]) {
  const best = cases
    .filter((x) => x.route === route && x.rows === B && x.model === 'mlp' && x.cpu_share)
    .reduce((a, b) => (b.cpu_share > a.cpu_share ? b : a));
  figures.push(
    figure({
      name: `serve ${B}-row batches of the MLP, ${label}, per CPU second`,
      value: Math.round((B * 1e6) / best.server_cpu_us_per_request),
      unit: 'rows/CPU s',
      limitName: 'in-process session.run beside it',
      limit: Math.round((B * 1e6) / best.ceiling_cpu_us_per_run),
      goal: { min: goal },
    }),
  );
}
for (const route of options.mlpOnly ? [] : ['predict', 'infer'])
  figures.push(
    figure({
      name: `serve single-row ${route === 'infer' ? 'OIP' : '/predict'}, p99 at concurrency 8`,
      value: single(route, 8, false).p99_ms,
      unit: 'ms',
      goal: { max: GOAL_P99_MS },
    }),
  );
printResults();
console.log(`\n${figuresTable(figures)}`);
await writeFile(
  RESULT,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machineInfo({
        onnxruntime_node: ort.env.versions?.node ?? null,
        autocannon: JSON.parse(
          readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8'),
        ).version,
        load_average: load,
        pinning,
        server_threads: options.threads ?? null,
      }),
      model: { bundle: BUNDLE, features: F, task: config.model.task },
      models: {
        logistic: { bundle: BUNDLE, description: MODELS.logistic },
        mlp: { bundle: MLP_BUNDLE, description: MODELS.mlp, hidden: MLP_HIDDEN, seed: MLP_SEED },
      },
      duration_s: options.duration,
      batch_rows: B,
      ceiling,
      cases,
      micro_batch_gain: microBatchGain,
      batch_share_of_ceiling: batchShare,
      goals,
      figures,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${RESULT.slice(ROOT.length)}`);

// --- Helpers ---------------------------------------------------------------------------------

function parseArgs(args) {
  const parsed = { duration: 5, batchRows: 1000, mlpOnly: false, threads: undefined };
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--mlp-only') {
      parsed.mlpOnly = true;
      continue;
    }
    const key = { '--duration': 'duration', '--batch-rows': 'batchRows', '--threads': 'threads' }[
      args[i]
    ];
    const value = Number(args[++i]);
    if (!key || !Number.isInteger(value) || value < 1) {
      console.error(
        'usage: node bench/run.mjs serve [--duration S] [--batch-rows N] [--mlp-only] [--threads N]  (positive integers)',
      );
      process.exit(2);
    }
    parsed[key] = value;
  }
  return parsed;
}

/** eval.csv as objects, numbers as JSON numbers (as a client sends them). */
function readRows(file) {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const names = header.split(',');
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(
      names.map((name, i) => {
        const v = cells[i];
        return [name, v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v];
      }),
    );
  });
}

/**
 * The CPUs the server and the load generator get: on two or more CPUs (and with taskset), the
 * last CPU for autocannon, the others for the server. This process stays on the load generator's
 * CPU except while `pinned` moves it.
 */
function cpuPinning() {
  const cpus = availableParallelism();
  const taskset = spawnSync('taskset', ['-V'], { encoding: 'utf8' }).status === 0;
  if (cpus < 2 || !taskset) {
    return { server: null, load: null, note: 'autocannon and the server share every CPU' };
  }
  const server = cpus === 2 ? '0' : `0-${cpus - 2}`;
  const load = String(cpus - 1);
  setAffinity(load);
  return { server, load, note: `server on CPU ${server}, autocannon on CPU ${load} (taskset)` };
}

/** Runs `work` with this process (every thread) on the server's CPUs, or on all of them. */
async function pinned(where, work) {
  if (!pinning.server) return work();
  setAffinity(where === 'server' ? pinning.server : `0-${availableParallelism() - 1}`);
  try {
    return await work();
  } finally {
    setAffinity(pinning.load);
  }
}

function setAffinity(cpus) {
  spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/**
 * The session options of the server's runs: --threads (MODELSHIP_THREADS), else serve's default
 * of half the CPUs it may use (lib/core/serve/serveThreads.js), at least one.
 */
function serverSessionOptions() {
  const cpus = pinning.server ? availableParallelism() - 1 : availableParallelism();
  return { intraOpNumThreads: options.threads ?? Math.max(1, Math.floor(cpus / 2)) };
}

/** Bare session.run of a model, `single` (1 row) and/or `batch` (B rows), in a session of its own. */
async function bareRates(path, sizes, sessionOptions = {}) {
  const session = await ort.InferenceSession.create(path, {
    executionProviders: ['cpu'],
    ...sessionOptions,
  });
  const rates = {};
  for (const n of sizes) rates[n === 1 ? 'single' : 'batch'] = await bareRate(session, n);
  await session.release();
  return rates;
}

/**
 * Seeded He-initialised layers 26 → 512 → 512 → 1 (relu). The first layer's row for input i is
 * divided by that input's standard deviation over the batch and the last layer is scaled down, so
 * that hidden units and scores are neither dead nor saturated.
 */
function mlpLayers() {
  const rand = mulberry32(MLP_SEED);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const sizes = [F, ...MLP_HIDDEN, 1];
  const spread = Array.from({ length: F }, (_, j) => {
    let sum = 0;
    let sq = 0;
    for (let r = 0; r < B; r++) {
      const v = matrix[r * F + j];
      sum += v;
      sq += v * v;
    }
    const mean = sum / B;
    return Math.sqrt(Math.max(0, sq / B - mean * mean)) || 1;
  });
  return sizes.slice(1).map((out, l) => {
    const scale = Math.sqrt(2 / sizes[l]) * (l === sizes.length - 2 ? 0.1 : 1);
    return {
      weights: Array.from({ length: sizes[l] }, (_, i) =>
        Array.from({ length: out }, () => (normal() * scale) / (l === 0 ? spread[i] : 1)),
      ),
      bias: Array.from({ length: out }, () => normal() * 0.1),
    };
  });
}

/** Bare session.run on the first n rows of the matrix, for about `ms` (default two seconds). */
async function bareRate(session, n, ms = 2000) {
  const input = new ort.Tensor('float32', matrix.subarray(0, n * F), [n, F]);
  const feeds = { [session.inputNames[0]]: input };
  for (let i = 0; i < (ms < 2000 ? 20 : 200); i++) await session.run(feeds);
  let runs = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < ms) {
    await session.run(feeds);
    runs++;
  }
  const seconds = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  return {
    runs_per_s: Math.round(runs / seconds),
    rows_per_s: Math.round((runs * n) / seconds),
    // This process's CPU time (all onnxruntime threads) per run.
    cpu_us_per_run: Math.round((user + system) / runs),
  };
}

/** JSON.parse of an infer body and its copy into a Float32Array, for about two seconds. */
function parseRate(body, n) {
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    const data = JSON.parse(body).inputs[0].data;
    const out = new Float32Array(n * F);
    let k = 0;
    for (const row of data) for (const v of row) out[k++] = v;
    runs++;
  }
  const seconds = (performance.now() - start) / 1000;
  return { runs_per_s: Math.round(runs / seconds), rows_per_s: Math.round((runs * n) / seconds) };
}

/**
 * serve's reading of an infer body into its input tensor (lib/core/serve/oipTensors.js), from
 * JSON.parse's arrays or from the scanner of numeric data, for about two seconds.
 */
function tensorRate(text, n, scanner) {
  const body = Buffer.from(text);
  const info = { name: 'input', type: 'float32', shape: ['batch', F] };
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    const json = scanner ? parseInferJson(body) : JSON.parse(body.toString('utf8'));
    inputTensor(json.inputs[0], info, { maxElements: n * F });
    runs++;
  }
  const seconds = (performance.now() - start) / 1000;
  return { runs_per_s: Math.round(runs / seconds), rows_per_s: Math.round((runs * n) / seconds) };
}

/**
 * serve's reading of a /predict body into the columns its features read, from JSON.parse's row
 * objects or from the scanner of rows (lib/core/serve/predictJson.js), for about two seconds.
 */
function columnsRate(text, n, scanner) {
  const body = Buffer.from(text);
  const names = featureColumns(config.model.features);
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < 2000) {
    const rows = scanner ? parsePredictJson(body, 64).rows : objectRows(JSON.parse(text).rows);
    for (const name of names) rows.column(name);
    runs++;
  }
  const seconds = (performance.now() - start) / 1000;
  return { runs_per_s: Math.round(runs / seconds), rows_per_s: Math.round((runs * n) / seconds) };
}

async function startServer(bundle, model, microBatch) {
  const log = openSync(join(DIR, `server-${model}${microBatch ? '-micro-batch' : ''}.log`), 'w');
  const env = { ...process.env };
  if (options.threads !== undefined) env.MODELSHIP_THREADS = String(options.threads);
  const args = microBatch ? [bundle, '--micro-batch-ms', '0'] : [bundle];
  const server = await startServe(args, { env, stderr: log, cpus: pinning.server });
  return {
    ...server,
    model,
    microBatch,
    async stop() {
      try {
        await server.stop();
      } finally {
        closeSync(log);
      }
    },
  };
}

/** The server process's user + system CPU seconds so far (Linux /proc). */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function fire(server, route, payload, connections, duration) {
  const path = route === 'predict' ? '/predict' : '/v2/models/credit-risk/infer';
  const binary = typeof payload !== 'string';
  const body = binary ? payload.body : payload;
  const headers = binary
    ? {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(payload.headerLength),
      }
    : { 'content-type': 'application/json' };
  const times = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.url + path,
        method: 'POST',
        headers,
        body,
        connections,
        duration,
      },
      (error, result) => (error ? reject(error) : resolve({ result, times })),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) times.push(ms);
    });
  });
}

async function measure(server, { route, rows: n, c, body }) {
  const cpuBefore = cpuSeconds(server.pid);
  const { result, times } = await fire(server, route, body, c, options.duration);
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? NaN;
  const ok = times.length;
  const seconds = result.duration;
  const entry = {
    model: server.model,
    route,
    rows: n,
    c,
    micro_batch: server.microBatch,
    requests: ok,
    errors: result.errors + result.non2xx + result.timeouts,
    requests_per_s: round(ok / seconds, 1),
    rows_per_s: Math.round((ok * n) / seconds),
    p50_ms: round(pct(0.5), 3),
    p99_ms: round(pct(0.99), 3),
    server_cpu_us_per_request: ok ? Math.round((cpu / ok) * 1e6) : null,
  };
  console.log(
    `${server.model === 'mlp' ? 'MLP ' : ''}${route} ${n} row${n > 1 ? 's' : ''} c=${c}` +
      `${server.microBatch ? ' micro-batch' : ''}: ` +
      `${fmt(entry.requests_per_s)} req/s, p50 ${entry.p50_ms} ms, p99 ${entry.p99_ms} ms` +
      (entry.errors ? `, ${entry.errors} errors` : ''),
  );
  return entry;
}

/** The mean of repeated runs of one case: rates and latencies averaged, counts summed. */
function meanOf(runs) {
  const mean = (key, digits) =>
    round(runs.reduce((sum, r) => sum + r[key], 0) / runs.length, digits);
  return {
    ...runs[0],
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    runs: runs.length,
    requests_per_s: mean('requests_per_s', 1),
    rows_per_s: Math.round(mean('rows_per_s', 0)),
    p50_ms: mean('p50_ms', 3),
    p99_ms: mean('p99_ms', 3),
    server_cpu_us_per_request: Math.round(mean('server_cpu_us_per_request', 1)),
  };
}

function printResults() {
  const m = machineInfo();
  console.log(
    `\n${m.cpu}, ${m.cpus} CPUs, node ${m.node}; load average ${load.before.join(' ')} before, ` +
      `${load.after.join(' ')} after; ${pinning.note}; server threads ` +
      `${options.threads ?? 'default'}; ` +
      `${options.duration} s a run; single-row rows: mean of 2 runs (A B B A)\n`,
  );
  const table = [['case', 'c', 'req/s', 'rows/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'note']];
  for (const x of cases) {
    const note =
      x.rows > 1
        ? `${(share(x) * 100).toFixed(1)}% of ceiling` +
          (x.cpu_share ? `; model ${(x.cpu_share * 100).toFixed(0)}% of CPU` : '')
        : x.micro_batch
          ? `${microBatchGain[`${x.route}_c${x.c}`].toFixed(2)}× without`
          : '';
    table.push([
      `${x.model === 'mlp' ? 'MLP: ' : ''}${{ predict: '/predict', infer: 'OIP infer', infer_binary: 'OIP infer, binary' }[x.route]} ${x.rows} row${x.rows > 1 ? 's' : ''}${x.micro_batch ? ', micro-batch' : ''}`,
      String(x.c),
      fmt(x.requests_per_s),
      fmt(x.rows_per_s),
      x.p50_ms.toFixed(2),
      x.p99_ms.toFixed(2),
      String(x.server_cpu_us_per_request ?? ''),
      note,
    ]);
  }
  const inProcess = [
    ['ceiling: session.run 1 row', ceiling.single],
    [`ceiling: session.run ${B} rows`, ceiling.batch],
    [`MLP: session.run ${B} rows, the server's threads (mean of before/after)`, ceiling.mlp_batch],
    [`MLP: session.run ${B} rows, one intra-op thread`, ceiling.mlp_batch_one_thread],
    [`MLP: session.run ${B} rows, default pool`, ceiling.mlp_batch_default_pool],
    [`MLP: session.run ${B} rows, every CPU, default pool`, ceiling.mlp_batch_all_cpus],
    [`JSON.parse + matrix, ${B}-row body`, ceiling.parse_batch],
    [`body → input tensor by JSON.parse, ${B} rows`, ceiling.tensor_json_parse],
    [`body → input tensor by the numeric scanner, ${B} rows`, ceiling.tensor_scanner],
    [`/predict body → feature columns by JSON.parse, ${B} rows`, ceiling.columns_json_parse],
    [`/predict body → feature columns by the row scanner, ${B} rows`, ceiling.columns_scanner],
  ].filter(([, rate]) => rate !== undefined);
  for (const [name, rate] of inProcess) {
    const cpu = rate.cpu_us_per_run === undefined ? '' : fmt(rate.cpu_us_per_run);
    table.push([name, '', fmt(rate.runs_per_s), fmt(rate.rows_per_s), '', '', cpu, 'in-process']);
  }
  console.log(markdownTable(table, { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] }));
  const met = (ok) => (ok ? 'met' : 'NOT met');
  const g = goals;
  if (!options.mlpOnly) {
    console.log(
      `\nsingle-row p99 < ${GOAL_P99_MS} ms at c=8: /predict ${met(g.single_row_p99_under_5ms_at_c8.predict)}, ` +
        `infer ${met(g.single_row_p99_under_5ms_at_c8.infer)}`,
    );
  }
  for (const model of modelsRun) {
    const name = MODELS[model];
    const share = (route) =>
      `${(batchShare[model][route] * 100).toFixed(1)}% ${met(g.batch_within_80pct_of_ceiling[model][route])}`;
    console.log(
      `batch rows/s ≥ ${GOAL_BATCH_SHARE * 100}% of the session.run ceiling, ${name}: ` +
        `/predict ${share('predict')}, infer ${share('infer')}, binary infer ${share('infer_binary')}`,
    );
  }
}

function fmt(n) {
  return Math.round(n).toLocaleString('en-US');
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
