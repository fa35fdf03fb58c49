// The benchmarks. `npm run bench` runs them all; name some to run only those:
//
//   node bench/run.mjs [validate] [evaluate] [--rows N] [--runs K]
//   node bench/run.mjs serve [--duration S] [--batch-rows N]
//
//   validate  `modelship validate` on a synthetic CSV vs pandas   (bench/validateBench.mjs)
//   evaluate  ONNX inference, metrics and fairness vs sklearn      (bench/evaluateBench.mjs)
//   serve     `modelship serve` under autocannon vs session.run   (bench/serveBench.mjs)
//   shadow    /predict latency with `--shadow` vs without         (bench/shadowBench.mjs)
//   drift     `modelship drift` on 3M flights vs pandas + scipy    (bench/driftBench.mjs)
//   intervals false blocks and power of significance-aware rules; 1,000 paired bootstrap
//             replicates at 100k and N rows vs numpy; agreement   (bench/intervalsBench.mjs)
//   slices    false blocks of slice rules and power on one degraded region, beside the
//             overall rule                                        (bench/slicesBench.mjs)
//   release   action tarball and runtime archive sizes; the bundled actions (validate-data,
//             gate, evaluate, drift-check, the root action) from the release build under
//             Node 24, to first output and to exit, vs `node -e 0` (bench/releaseBench.mjs)
//   startup   `modelship --help` and `modelship gate` vs `node -e 0`, and the modules they load
//             (bench/startupBench.mjs)
//
// Each runs in its own Node process (so peak RSS is its own) with the options given; results go
// to bench/out/<name>.json. Then every figure of the run, beside the limit measured with it, is
// printed in one table and written to bench/out/summary.json (bench/figures.mjs). Needs
// `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './benchArgs.mjs';
import { figuresTable } from './figures.mjs';

const BENCHMARKS = {
  validate: 'validateBench.mjs',
  evaluate: 'evaluateBench.mjs',
  serve: 'serveBench.mjs',
  shadow: 'shadowBench.mjs',
  drift: 'driftBench.mjs',
  release: 'releaseBench.mjs',
  startup: 'startupBench.mjs',
  intervals: 'intervalsBench.mjs',
  slices: 'slicesBench.mjs',
};

const args = process.argv.slice(2);
const names = [];
while (args.length && !args[0].startsWith('-')) names.push(args.shift());
const unknown = names.filter((name) => !Object.hasOwn(BENCHMARKS, name));
if (unknown.length) {
  console.error(
    `bench: unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}.\n` +
      'usage: node bench/run.mjs [validate] [evaluate] [--rows N] [--runs K]',
  );
  process.exit(2);
}
const selected = names.length ? [...new Set(names)] : Object.keys(BENCHMARKS);

const started = Date.now();
const loadBefore = loadavg();
let failed = 0;
for (const name of selected) {
  if (selected.length > 1) console.log(`\n=== ${name} ===\n`);
  const script = fileURLToPath(new URL(BENCHMARKS[name], import.meta.url));
  const result = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit' });
  const code = result.status ?? 1;
  if (code !== 0) {
    failed = failed || code;
    if (selected.length > 1) console.error(`bench: ${name} exited with ${code}`);
  }
}
summarize();
process.exitCode = failed;

/** One table of every figure the benches of this run wrote, and bench/out/summary.json. */
function summarize() {
  const figures = [];
  for (const name of selected) {
    const path = fileURLToPath(new URL(`out/${name}.json`, import.meta.url));
    if (!existsSync(path) || statSync(path).mtimeMs < started) continue; // it failed: no figures
    const result = JSON.parse(readFileSync(path, 'utf8'));
    for (const f of result.figures ?? []) figures.push({ bench: name, ...f });
  }
  if (!figures.length) return;
  const load = {
    before: loadBefore.map((l) => l.toFixed(2)),
    after: loadavg().map((l) => l.toFixed(2)),
  };
  console.log(
    `\n=== every figure beside its limit (load average ${load.before.join(' ')} before, ${load.after.join(' ')} after) ===\n`,
  );
  console.log(figuresTable(figures));
  const missed = figures.filter((f) => f.met === false);
  console.log(`\n${figures.length - missed.length} of ${figures.length} goals met.`);
  writeFileSync(
    fileURLToPath(new URL('out/summary.json', import.meta.url)),
    `${JSON.stringify({ date: new Date().toISOString(), command: `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(), machine: machineInfo(), load_average: load, figures }, null, 2)}\n`,
  );
}
