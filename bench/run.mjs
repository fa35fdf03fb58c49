// The benchmarks. `npm run bench` runs them all; name some to run only those:
//
//   node bench/run.mjs [validate] [evaluate] [--rows N] [--runs K]
//   node bench/run.mjs serve [--duration S] [--batch-rows N]
//
//   validate  `modelship validate` on a synthetic CSV vs pandas   (bench/validateBench.mjs)
//   evaluate  ONNX inference, metrics and fairness vs sklearn      (bench/evaluateBench.mjs)
//   serve     `modelship serve` under autocannon vs session.run   (bench/serveBench.mjs)
//   drift     `modelship drift` on 3M flights vs pandas + scipy    (bench/driftBench.mjs)
//   release   action tarball and runtime archive sizes; validate-data cold and warm start
//             from the release build vs `node -e 0`              (bench/releaseBench.mjs)
//
// Each runs in its own Node process (so peak RSS is its own) with the options given; results go
// to bench/out/<name>.json. Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = {
  validate: 'validateBench.mjs',
  evaluate: 'evaluateBench.mjs',
  serve: 'serveBench.mjs',
  drift: 'driftBench.mjs',
  release: 'releaseBench.mjs',
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
process.exitCode = failed;
