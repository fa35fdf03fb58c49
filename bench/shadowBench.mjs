// What a shadow costs the answers (issue 18): autocannon on loopback against a real `modelship
// serve` child process of the example bundle, single-row /predict at concurrency 8, alternately
// without and with `--shadow` (the same bundle as the shadow, so the shadow's work equals the
// primary's), for a few rounds. The figures are the primary's p99 and requests/s with a shadow
// against the same without one, measured in the same run (goals: p99 at most 1.5×, requests/s at
// least 0.65×: at full load the shadow doubles the model work on the same cores); /metrics says
// how many requests the shadow compared and how many it dropped (its queue holds 256). Figures go
// to bench/out/shadow.json.
//
//   node bench/run.mjs shadow [--duration S] [--rounds N]   (defaults: 5 s a run, 3 rounds)
//
// Needs `npm run build` first. Latencies are every response's own time (autocannon's response
// event, fractional ms).
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { machineInfo } from './benchArgs.mjs';
import { figure, figuresTable } from './figures.mjs';
import { modelshipCli, startServe } from './serveProcess.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const DIR = join(OUT, 'shadow');
const BUNDLE = join(DIR, 'bundle');
const LOG = join(DIR, 'shadow.jsonl');
const CONFIG = join(ROOT, 'examples', 'credit-risk', 'modelship.yml');
const EVAL = join(ROOT, 'examples', 'credit-risk', 'data', 'eval.csv');
const CONNECTIONS = 8;
/** The primary's p99 with a shadow may be at most this many times its p99 without one. */
const GOAL_P99_RATIO = 1.5;

const options = parseArgs(process.argv.slice(2));
if (!existsSync(join(ROOT, 'lib', 'cli', 'main.js'))) {
  console.error('bench: lib/ is not built; run `npm run build` first.');
  process.exit(2);
}
mkdirSync(DIR, { recursive: true });
if (!existsSync(join(ROOT, 'examples', 'credit-risk', 'artifacts', 'model.onnx')))
  modelshipCli(['train', '--config', CONFIG]);
modelshipCli(['package', '--config', CONFIG, '--out', BUNDLE, '--force']);
const [header, first] = readFileSync(EVAL, 'utf8').trim().split('\n');
const row = Object.fromEntries(header.split(',').map((name, i) => [name, first.split(',')[i]]));
const body = JSON.stringify({ rows: [row] });

const runs = [];
for (let round = 0; round < options.rounds; round++) {
  for (const shadow of round % 2 === 0 ? [false, true] : [true, false]) {
    rmSync(LOG, { force: true });
    const server = await startServer(shadow);
    try {
      const { times, result } = await fire(server.url);
      // The shadow's queue drains after the load stops; then its counts are final.
      await sleep(500);
      const metrics = await (await globalThis.fetch(`${server.url}/metrics`)).text();
      const count = (outcome) =>
        Number(
          new RegExp(`modelship_shadow_requests_total\\{outcome="${outcome}"\\} (\\d+)`).exec(
            metrics,
          )?.[1] ?? 0,
        );
      times.sort((a, b) => a - b);
      const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
      const run = {
        round,
        shadow,
        requests: times.length,
        errors: result.errors + result.non2xx,
        requests_per_s: times.length / result.duration,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        ...(shadow ? { compared: count('compared'), dropped: count('dropped') } : {}),
      };
      runs.push(run);
      console.log(
        `${shadow ? 'with shadow   ' : 'without shadow'} round ${round + 1}: ${run.requests_per_s.toFixed(0)} req/s, p50 ${run.p50_ms.toFixed(2)} ms, p99 ${run.p99_ms.toFixed(2)} ms${shadow ? `; shadow compared ${run.compared}, dropped ${run.dropped}` : ''}`,
      );
    } finally {
      await server.stop();
    }
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const of = (shadow, key) => median(runs.filter((r) => r.shadow === shadow).map((r) => r[key]));
const withShadow = runs.filter((r) => r.shadow);
const figures = [
  figure({
    name: `/predict p99 with a shadow, c=${CONNECTIONS} (median of ${options.rounds})`,
    value: of(true, 'p99_ms'),
    unit: 'ms',
    limitName: 'p99 without a shadow',
    limit: of(false, 'p99_ms'),
    goal: { max: GOAL_P99_RATIO },
  }),
  figure({
    name: `/predict requests/s with a shadow, c=${CONNECTIONS}`,
    value: of(true, 'requests_per_s'),
    unit: 'req/s',
    limitName: 'requests/s without a shadow',
    limit: of(false, 'requests_per_s'),
    goal: { min: 0.65 },
  }),
  figure({
    name: 'share of answered requests the shadow compared',
    value:
      withShadow.reduce((s, r) => s + r.compared, 0) /
      withShadow.reduce((s, r) => s + r.requests, 0),
    unit: 'share',
    goal: { min: 0 },
    absolute: true,
    note: 'the rest were dropped when the shadow queue (256) was full',
  }),
];
console.log(`\n${figuresTable(figures)}`);
await writeFile(
  join(OUT, 'shadow.json'),
  `${JSON.stringify({ machine: machineInfo(), options, runs, figures }, null, 2)}\n`,
);

function parseArgs(args) {
  const parsed = { duration: 5, rounds: 3 };
  for (let i = 0; i < args.length; i++) {
    const key = { '--duration': 'duration', '--rounds': 'rounds' }[args[i]];
    const value = Number(args[++i]);
    if (!key || !Number.isInteger(value) || value < 1) {
      console.error('usage: node bench/run.mjs shadow [--duration S] [--rounds N]');
      process.exit(2);
    }
    parsed[key] = value;
  }
  return parsed;
}

async function startServer(shadow) {
  return startServe(shadow ? [BUNDLE, '--shadow', BUNDLE, '--shadow-log', LOG] : [BUNDLE]);
}

function fire(url) {
  const times = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/predict`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: CONNECTIONS,
        duration: options.duration,
      },
      (error, result) => (error ? reject(error) : resolve({ result, times })),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) times.push(ms);
    });
  });
}
