// The intervals benchmark (issue 16): what significance-aware gating buys, and what it costs.
//
//   node bench/run.mjs intervals [--rows N] [--runs K]   (defaults: 1,000,000 rows, 3 runs)
//
// False blocks: 200 simulated holdouts of 2,000 rows where the candidate is an equally good model
//   (the same recipe retrained with another seed: the same signal, fresh model noise); the share a
//   `max_regression: 0` rule blocks on point values (today) and with `significance: 0.05`.
// Power: the same with a candidate whose roc_auc is 0.03 lower; the share the rule catches.
// Speed: 1,000 paired replicates of every binary metric plus the disparities of two attributes,
//   and DeLong, on 100,000 rows and on N rows, against numpy doing the same work
//   (bench/intervals_numpy.py); peak RSS of this process.
// Agreement: intervals against numpy on the same resample indices, and DeLong against its
//   pairwise definition (the largest absolute difference).
// Needs `npm run build` first; the numpy side runs with /usr/bin/python3.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import { mulberry32, normalFrom } from '../scripts/prng.mjs';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';
import { figure } from './figures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const RESULT = join(OUT, 'intervals.json');
const PYTHON = '/usr/bin/python3';
const NUMPY = join(ROOT, 'bench', 'intervals_numpy.py');
const HOLDOUTS = 200;
const HOLDOUT_ROWS = 2000;
const REPLICATES = 1000;
const SEED = 20240611;
const THRESHOLD = 0.5;
const GROUPS = [2, 4];

const options = parseBenchArgs(process.argv.slice(2), 'intervals');
if (!existsSync(join(ROOT, 'lib', 'core', 'stats', 'index.js'))) {
  console.error('bench: lib/ is not built; run `npm run build` first.');
  process.exit(2);
}
const stats = await import('../lib/core/stats/index.js');
const { evaluateGate } = await import('../lib/core/gate/gate.js');
const { rocAuc } = await import('../lib/core/metrics/rocAuc.js');
mkdirSync(OUT, { recursive: true });

const random = mulberry32(SEED);
const normal = normalFrom(random);
const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/**
 * One holdout from a fixed generative model: a latent risk z, the label drawn from it, and each
 * model's score = sigmoid(1.5 (z + noise)), its noise N(0, σ) — a retrain draws fresh noise.
 */
function holdout(rows, sigmas) {
  const yTrue = new Uint8Array(rows);
  const scores = sigmas.map(() => new Float64Array(rows));
  const groups = GROUPS.map(() => []);
  for (let i = 0; i < rows; i++) {
    const z = normal();
    yTrue[i] = random() < sigmoid(2 * z - 1) ? 1 : 0;
    sigmas.forEach((sigma, m) => (scores[m][i] = sigmoid(1.5 * (z + sigma * normal()))));
    GROUPS.forEach((k, g) => groups[g].push(`g${Math.floor(random() * k)}`));
  }
  return { yTrue, scores, groups };
}

/** The model noise whose expected roc_auc is that of σ = 0.6 less `drop` (bisection, 400k rows). */
function sigmaFor(drop) {
  const { yTrue, scores } = holdout(400_000, [0.6]);
  const target = rocAuc(yTrue, scores[0]) - drop;
  const z = new Float64Array(yTrue.length);
  for (let i = 0; i < z.length; i++) z[i] = Math.log(scores[0][i] / (1 - scores[0][i])) / 1.5;
  let low = 0.6;
  let high = 3;
  for (let step = 0; step < 30; step++) {
    const sigma = (low + high) / 2;
    // Extra noise on top of the σ = 0.6 scores: total σ² = 0.36 + extra².
    const extra = Math.sqrt(sigma * sigma - 0.36);
    const s = Float64Array.from(z, (v) => v + extra * normal());
    if (rocAuc(yTrue, s) > target) low = sigma;
    else high = sigma;
  }
  return { sigma: (low + high) / 2, baseline: target + drop };
}

/** Share of holdouts a roc_auc and an accuracy `max_regression: 0` rule block, each way. */
function blockRates(candidateSigma) {
  const blocked = { point: { roc_auc: 0, accuracy: 0 }, significance: { roc_auc: 0, accuracy: 0 } };
  for (let h = 0; h < HOLDOUTS; h++) {
    if (h % 50 === 0) console.log(`  holdout ${h} of ${HOLDOUTS}`);
    const { yTrue, scores } = holdout(HOLDOUT_ROWS, [candidateSigma, 0.6]);
    const [candidate, baseline] = scores;
    const stat = (s) => stats.binaryStatistic(yTrue, s, THRESHOLD);
    const intervals = stats.metricIntervals(
      HOLDOUT_ROWS,
      stat(candidate),
      stat(baseline),
      {
        replicates: REPLICATES,
        seed: SEED + h,
      },
      { yTrue, candidate, baseline },
    );
    const values = (s) => {
      const p = stats.pointValues(HOLDOUT_ROWS, stat(s));
      return { roc_auc: rocAuc(yTrue, s), accuracy: p[0] };
    };
    const rules = { roc_auc: { max_regression: 0 }, accuracy: { max_regression: 0 } };
    for (const [way, significance] of [
      ['point', undefined],
      ['significance', 0.05],
    ]) {
      const gate = evaluateGate({
        metricRules: rules,
        fairnessRules: {},
        candidate: { metrics: values(candidate), fairness: {}, intervals },
        baseline: { metrics: values(baseline), fairness: {} },
        ...(significance ? { significance } : {}),
      });
      for (const check of gate.checks) if (!check.passed) blocked[way][check.metric]++;
    }
  }
  const share = (counts) =>
    Object.fromEntries(Object.entries(counts).map(([m, c]) => [m, c / HOLDOUTS]));
  return { point: share(blocked.point), significance: share(blocked.significance) };
}

function python(input) {
  const result = spawnSync(PYTHON, [NUMPY], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) throw new Error(`numpy reference failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Modelship's intervals for `rows` rows (median of `runs`), numpy's for the same work. */
function speed(rows, runs, numpyReplicates) {
  const { yTrue, scores, groups } = holdout(rows, [0.6, 0.7]);
  const codes = groups.map((values, g) => stats.groupCodes(`a${g}`, values));
  const times = [];
  let cpu = 0;
  for (let run = 0; run < runs; run++) {
    const before = process.cpuUsage();
    const start = performance.now();
    const stat = (s) => stats.binaryStatistic(yTrue, s, THRESHOLD, codes);
    stats.metricIntervals(
      rows,
      stat(scores[0]),
      stat(scores[1]),
      { replicates: REPLICATES, seed: SEED },
      {
        yTrue,
        candidate: scores[0],
        baseline: scores[1],
      },
    );
    times.push((performance.now() - start) / 1000);
    cpu = process.cpuUsage(before).user / 1e6;
  }
  times.sort((a, b) => a - b);
  const numpy = python({
    mode: 'speed',
    rows,
    replicates: numpyReplicates,
    threshold: THRESHOLD,
    seed: SEED,
    groups: GROUPS,
  });
  // numpy's time per replicate is flat in the replicate count; fewer replicates keep the bench short.
  const numpySeconds = (numpy.seconds * REPLICATES) / numpyReplicates;
  const modelship = times[Math.floor(times.length / 2)];
  return {
    rows,
    modelship_seconds: modelship,
    modelship_cpu_seconds: cpu,
    numpy_seconds: numpySeconds,
    numpy_replicates_timed: numpyReplicates,
    ratio: numpySeconds / modelship,
  };
}

/** Largest absolute difference of Modelship's intervals from numpy's on the same indices. */
function agreement() {
  const rows = 1500;
  const { yTrue, scores, groups } = holdout(rows, [0.6, 0.7]);
  const codes = groups.map((values, g) => stats.groupCodes(`a${g}`, values));
  const settings = { replicates: 200, seed: 99 };
  const stat = (s) => stats.binaryStatistic(yTrue, s, THRESHOLD, codes);
  const mine = stats.metricIntervals(rows, stat(scores[0]), stat(scores[1]), settings, {
    yTrue,
    candidate: scores[0],
    baseline: scores[1],
  });
  const ref = python({
    mode: 'agree',
    yTrue: [...yTrue],
    candidate: [...scores[0]],
    baseline: [...scores[1]],
    groups: codes.map((c) => [...c.codes]),
    threshold: THRESHOLD,
    confidence: 0.95,
    ...settings,
  });
  let bootstrap = 0;
  stat(scores[0]).keys.forEach((key, k) => {
    for (const [kind, list] of [
      ['value', ref.values],
      ['change', ref.changes],
    ]) {
      const got = mine.interval(kind, key.metric, key.attribute, 0.95);
      bootstrap = Math.max(
        bootstrap,
        Math.abs(got.low - list[k][0]),
        Math.abs(got.high - list[k][1]),
      );
    }
  });
  const auc = mine.interval('value', 'roc_auc', undefined, 0.95);
  const change = mine.interval('change', 'roc_auc', undefined, 0.95);
  const paired = stats.delongPaired(yTrue, scores[0], scores[1]);
  const delong = Math.max(
    Math.abs(auc.low - ref.auc[0]),
    Math.abs(auc.high - ref.auc[1]),
    Math.abs(change.low - ref.aucChange[0]),
    Math.abs(change.high - ref.aucChange[1]),
    Math.abs(paired.candidate.variance - ref.variance),
    Math.abs(paired.covariance - ref.covariance),
  );
  return {
    rows,
    replicates: settings.replicates,
    bootstrap_max_abs_difference: bootstrap,
    delong_max_abs_difference: delong,
  };
}

console.log(
  `false blocks and power: ${HOLDOUTS} holdouts of ${HOLDOUT_ROWS} rows, ${REPLICATES} replicates each ...`,
);
const equal = blockRates(0.6);
const planted = sigmaFor(0.03);
const power = blockRates(planted.sigma);
console.log('speed ...');
const speeds = [speed(100_000, options.runs, 200)];
if (options.rows !== 100_000) speeds.push(speed(options.rows, Math.min(options.runs, 1), 20));
const peakRss = process.resourceUsage().maxRSS / 1024;
console.log('agreement ...');
const agree = agreement();

const pct = (v) => `${(100 * v).toFixed(1)}%`;
console.log(
  `\n${markdownTable(
    [
      ['', 'roc_auc (DeLong)', 'accuracy (bootstrap)'],
      ['false blocks, point values (today)', pct(equal.point.roc_auc), pct(equal.point.accuracy)],
      [
        'false blocks, significance 0.05',
        pct(equal.significance.roc_auc),
        pct(equal.significance.accuracy),
      ],
      [
        `power, roc_auc −0.03 (${HOLDOUT_ROWS} rows), significance 0.05`,
        pct(power.significance.roc_auc),
        pct(power.significance.accuracy),
      ],
    ],
    { align: ['l', 'r', 'r'] },
  )}\n`,
);
console.log(
  `${markdownTable(
    [
      ['rows', 'Modelship (wall)', 'Modelship (CPU)', 'numpy', 'numpy / Modelship'],
      ...speeds.map((s) => [
        s.rows.toLocaleString('en-US'),
        `${s.modelship_seconds.toFixed(2)} s`,
        `${s.modelship_cpu_seconds.toFixed(2)} s`,
        `${s.numpy_seconds.toFixed(2)} s`,
        `${s.ratio.toFixed(2)}×`,
      ]),
    ],
    { align: ['r', 'r', 'r', 'r', 'r'] },
  )}\n`,
);
console.log(
  `peak RSS ${peakRss.toFixed(0)} MiB; agreement with numpy: bootstrap ${agree.bootstrap_max_abs_difference.toExponential(1)}, DeLong ${agree.delong_max_abs_difference.toExponential(1)} (max abs difference)`,
);

writeFileSync(
  RESULT,
  `${JSON.stringify(
    {
      machine: machineInfo({ load_average: (await import('node:os')).loadavg() }),
      holdouts: HOLDOUTS,
      holdout_rows: HOLDOUT_ROWS,
      replicates: REPLICATES,
      false_blocks: equal,
      power: {
        roc_auc_drop: 0.03,
        candidate_sigma: planted.sigma,
        baseline_roc_auc: planted.baseline,
        rates: power,
      },
      speed: speeds,
      peak_rss_mib: peakRss,
      agreement: agree,
      figures: [
        figure({
          name: `false blocks of max_regression 0 on roc_auc at significance 0.05 (${HOLDOUTS} holdouts)`,
          value: equal.significance.roc_auc,
          unit: 'share',
          limitName: 'point values',
          limit: equal.point.roc_auc,
          goal: { max: 0.05 },
          absolute: true,
        }),
        figure({
          name: `power: roc_auc −0.03 on ${HOLDOUT_ROWS} rows caught at significance 0.05`,
          value: power.significance.roc_auc,
          unit: 'share',
          goal: { min: 0.8 },
          absolute: true,
        }),
        ...speeds.map((s) =>
          figure({
            name: `${REPLICATES} paired replicates, binary metrics + fairness, ${s.rows.toLocaleString('en-US')} rows`,
            value: s.modelship_seconds,
            unit: 's',
            limitName: 'numpy',
            limit: s.numpy_seconds,
            goal: { max: s.rows <= 100_000 ? 2 : 15 },
            absolute: true,
          }),
        ),
        figure({
          name: 'intervals vs numpy on the same resamples (max abs difference)',
          value: Math.max(agree.bootstrap_max_abs_difference, agree.delong_max_abs_difference),
          unit: '',
          goal: { max: 1e-9 },
          absolute: true,
        }),
      ],
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${RESULT}`);
