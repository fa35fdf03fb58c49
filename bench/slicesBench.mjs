// The slices benchmark (issue 16): does a slice rule catch one degraded segment, and how often
// does it block an equally good model?
//
//   node bench/run.mjs slices   (or node bench/slicesBench.mjs; needs `npm run build` first)
//
// 200 simulated holdouts of 2,000 rows in 4 regions of about 500 rows. Production and the
// candidate score a latent risk with model noise σ = 0.6 (the intervals bench's generative model);
// an equally good candidate draws fresh noise everywhere, a degraded one has more noise in one
// region, planted so that region's expected roc_auc drops by 0.05 or 0.08 while the whole
// holdout's drops by about a quarter of that. Gated as evaluate gates: a slice rule
// `roc_auc: { max_regression: 0 }` at significance 0.05 on every region (DeLong's paired
// interval on the slice's rows), beside the same rule on the whole holdout, and the point-value
// rule of today for comparison. Prints and writes bench/out/slices.json.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import { mulberry32, normalFrom } from '../scripts/prng.mjs';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';
import { figure } from './figures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const ROWS = 2000;
const REGIONS = ['east', 'north', 'south', 'west'];
const DEGRADED = 'west';
const SEED = 20261207;
const HOLDOUTS = 200;
// run.mjs passes every bench the same options; this one's sizes are fixed by what it measures.
parseBenchArgs(process.argv.slice(2), 'slices');
if (!existsSync(join(ROOT, 'lib', 'core', 'gate', 'sliceGate.js'))) {
  console.error('bench: lib/ is not built; run `npm run build` first.');
  process.exit(2);
}
const stats = await import('../lib/core/stats/index.js');
const { sliceGate } = await import('../lib/core/gate/sliceGate.js');
const { evaluateGate } = await import('../lib/core/gate/gate.js');
const { rocAuc } = await import('../lib/core/metrics/rocAuc.js');

const random = mulberry32(SEED);
const normal = normalFrom(random);
const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/** A holdout: latent risk z, label from it, region; each model scores z plus its own noise. */
function holdout(rows, sigmaOf) {
  const yTrue = new Uint8Array(rows);
  const region = new Array(rows);
  const production = new Float64Array(rows);
  const candidate = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const z = normal();
    yTrue[i] = random() < sigmoid(2 * z - 1) ? 1 : 0;
    region[i] = REGIONS[Math.floor(random() * REGIONS.length)];
    production[i] = sigmoid(1.5 * (z + 0.6 * normal()));
    candidate[i] = sigmoid(1.5 * (z + sigmaOf(region[i]) * normal()));
  }
  return { yTrue, region, production, candidate };
}

/** The noise σ whose expected roc_auc is σ = 0.6's less `drop` (bisection on 400,000 rows). */
function sigmaFor(drop) {
  if (drop === 0) return 0.6;
  const { yTrue, production } = holdout(400_000, () => 0.6);
  const target = rocAuc(yTrue, production) - drop;
  const z = Float64Array.from(production, (p) => Math.log(p / (1 - p)) / 1.5);
  let low = 0.6;
  let high = 4;
  for (let step = 0; step < 30; step++) {
    const sigma = (low + high) / 2;
    const extra = Math.sqrt(sigma * sigma - 0.36);
    const s = Float64Array.from(z, (v) => v + extra * normal());
    if (rocAuc(yTrue, s) > target) low = sigma;
    else high = sigma;
  }
  return (low + high) / 2;
}

const pick = (values, rows) => Float64Array.from(rows, (i) => values[i]);
const RULE = { roc_auc: { max_regression: 0 } };

/** Shares of holdouts where the slice rule (any region, the degraded one) and the overall rule block. */
function rates(sigma) {
  const counts = { sliceAny: 0, sliceDegraded: 0, slicePoint: 0, overall: 0, overallPoint: 0 };
  let drop = 0;
  for (let h = 0; h < HOLDOUTS; h++) {
    const data = holdout(ROWS, (r) => (r === DEGRADED ? sigma : 0.6));
    const slices = [];
    const baseline = [];
    const intervals = new Map();
    for (const value of REGIONS) {
      const rows = Int32Array.from(data.region.flatMap((r, i) => (r === value ? [i] : [])));
      const yTrue = Uint8Array.from(rows, (i) => data.yTrue[i]);
      const c = pick(data.candidate, rows);
      const p = pick(data.production, rows);
      const stat = (s) => stats.binaryStatistic(yTrue, s, 0.5);
      intervals.set(
        `region = ${value}`,
        stats.metricIntervals(
          rows.length,
          stat(c),
          stat(p),
          { replicates: 200, seed: SEED + h },
          {
            yTrue,
            candidate: c,
            baseline: p,
          },
        ),
      );
      const slice = (s) => ({
        columns: ['region'],
        values: [value],
        count: rows.length,
        metrics: { roc_auc: rocAuc(yTrue, s) },
        gated: true,
      });
      slices.push(slice(c));
      baseline.push(slice(p));
      if (value === DEGRADED) drop += rocAuc(yTrue, p) - rocAuc(yTrue, c);
    }
    const gate = (significance) =>
      sliceGate({
        rules: RULE,
        candidate: slices,
        baseline,
        minCount: 30,
        intervals,
        ...(significance ? { significance } : {}),
      });
    const judged = gate(0.05);
    if (!judged.passed) counts.sliceAny++;
    if (judged.checks.some((c) => !c.passed && c.slice === `region = ${DEGRADED}`))
      counts.sliceDegraded++;
    if (!gate(undefined).passed) counts.slicePoint++;
    const whole = stats.metricIntervals(
      ROWS,
      stats.binaryStatistic(data.yTrue, data.candidate, 0.5),
      stats.binaryStatistic(data.yTrue, data.production, 0.5),
      { replicates: 200, seed: SEED + h },
      { yTrue: data.yTrue, candidate: data.candidate, baseline: data.production },
    );
    const overall = (significance) =>
      evaluateGate({
        metricRules: RULE,
        fairnessRules: {},
        candidate: {
          metrics: { roc_auc: rocAuc(data.yTrue, data.candidate) },
          fairness: {},
          intervals: whole,
        },
        baseline: { metrics: { roc_auc: rocAuc(data.yTrue, data.production) }, fairness: {} },
        ...(significance ? { significance } : {}),
      }).passed;
    if (!overall(0.05)) counts.overall++;
    if (!overall(undefined)) counts.overallPoint++;
  }
  const share = (n) => Math.round((1000 * n) / HOLDOUTS) / 10;
  return {
    mean_slice_drop: Math.round((10000 * drop) / HOLDOUTS) / 10000,
    slice_rule_blocks_pct: share(counts.sliceAny),
    slice_rule_catches_degraded_pct: share(counts.sliceDegraded),
    slice_rule_point_values_blocks_pct: share(counts.slicePoint),
    overall_rule_blocks_pct: share(counts.overall),
    overall_rule_point_values_blocks_pct: share(counts.overallPoint),
  };
}

const started = Date.now();
const scenarios = {};
for (const [name, drop] of [
  ['equally good', 0],
  ['one region −0.05', 0.05],
  ['one region −0.08', 0.08],
]) {
  scenarios[name] = { planted_drop: drop, ...rates(sigmaFor(drop)) };
  console.error(`${name}: done`);
}
const result = {
  holdouts: HOLDOUTS,
  rows: ROWS,
  regions: REGIONS.length,
  significance: 0.05,
  scenarios,
  seconds: Math.round((Date.now() - started) / 100) / 10,
  machine: machineInfo(),
  figures: [
    figure({
      name: 'slice rule max_regression 0 at significance 0.05, equally good model: holdouts blocked (4 slices)',
      value: scenarios['equally good'].slice_rule_blocks_pct,
      unit: '%',
      goal: { max: 10 },
      absolute: true,
      note: `point values: ${scenarios['equally good'].slice_rule_point_values_blocks_pct}%`,
    }),
    figure({
      name: 'slice rule catches one region of ~500 rows whose roc_auc drops 0.08',
      value: scenarios['one region −0.08'].slice_rule_catches_degraded_pct,
      unit: '%',
      goal: { min: 80 },
      absolute: true,
      note: `the overall rule: ${scenarios['one region −0.08'].overall_rule_blocks_pct}%`,
    }),
  ],
};
mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'slices.json'), `${JSON.stringify(result, null, 2)}\n`);
const head = [
  'scenario',
  'mean drop in the region',
  'slice rule blocks (sig. 0.05)',
  'catches the region',
  'slice rule, point values',
  'overall rule (sig. 0.05)',
  'overall, point values',
];
console.log(
  markdownTable([
    head,
    ...Object.entries(scenarios).map(([name, s]) => [
      name,
      s.mean_slice_drop.toFixed(4),
      `${s.slice_rule_blocks_pct}%`,
      `${s.slice_rule_catches_degraded_pct}%`,
      `${s.slice_rule_point_values_blocks_pct}%`,
      `${s.overall_rule_blocks_pct}%`,
      `${s.overall_rule_point_values_blocks_pct}%`,
    ]),
  ]),
);
console.log(
  `\n${HOLDOUTS} holdouts of ${ROWS} rows, ${result.seconds} s; wrote bench/out/slices.json`,
);
