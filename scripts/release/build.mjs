// The release build proper, run by scripts/release-build.mjs in a staged copy of the checkout
// (the working directory) with lib/ built there. Everything a release publishes, into
// $MODELSHIP_RELEASE_OUT (build/release/ of the checkout) —
//   action/                              the action tree (action.yml files, dist/: JS only)
//   modelship-action-<v>.tar.gz          that tree, as a runner downloads a ref
//   modelship-runtime-<v>-<platform>.tar.gz  natives per platform (release assets)
//   modelship-<v>.tgz                    the npm package
//   SHA256SUMS                           of all of the above
// The action bundle carries the runtime archives' digests, so it is built after them.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { sha256Hex } from '../../lib/core/files/fileDigest.js';
import { writeTarGz } from '../../lib/core/runtime/tarArchive.js';
import {
  bundleActions,
  NATIVE_INPUT,
  startProblems,
  staticInputs,
  STEPS,
} from './actionBundle.mjs';
import { writeRuntimeArchives } from './runtimeArchives.mjs';

const OUT = process.env.MODELSHIP_RELEASE_OUT;
if (!OUT) throw new Error('run npm run release:build (scripts/release-build.mjs), not this file');
const TREE = join(OUT, 'action');
/** A runner downloads the whole ref of an action for every job that uses it: keep it small. */
const MAX_ACTION_TARBALL = 5 * 2 ** 20;
const NATIVE_STEPS_FREE = ['gate', 'deploy'];

const started = Date.now();
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const version = pkg.version;
const repository =
  process.env.MODELSHIP_RELEASE_REPOSITORY ||
  /github\.com[/:]([^/]+\/[^/.]+)/.exec(pkg.repository?.url ?? '')?.[1] ||
  'modelship/modelship';

mkdirSync(TREE, { recursive: true });

// 1. Native runtime archives.
const archives = writeRuntimeArchives(OUT, version);
const digests = Object.fromEntries(Object.entries(archives).map(([p, a]) => [p, a.sha256]));

// 2. The action tree: action.yml files and their READMEs, dist/ (JS only), README, LICENSE.
const metafile = await bundleActions(join(TREE, 'dist'), {
  version,
  repository,
  archives: digests,
});
const startProblem = startProblems(metafile);
if (startProblem.length) fail(startProblem.join('; '));
checkNoNatives(metafile);
// The serving runtime, built once: the npm package and the action tree (for deploy) share it.
run(process.execPath, ['scripts/build-serve.mjs', 'dist/serve']);
cpSync('dist/serve', join(TREE, 'dist', 'serve'), { recursive: true });
copyFileSync('action.yml', join(TREE, 'action.yml'));
for (const step of STEPS) {
  mkdirSync(join(TREE, 'actions', step), { recursive: true });
  for (const file of ['action.yml', 'README.md'])
    copyFileSync(join('actions', step, file), join(TREE, 'actions', step, file));
}
// The README's links land on these at a release commit.
for (const file of ['README.md', 'LICENSE', 'SECURITY.md', 'RELEASING.md'])
  copyFileSync(file, join(TREE, file));
cpSync('docs', join(TREE, 'docs'), { recursive: true });
const treeFiles = walk(TREE).sort();
const natives = treeFiles.filter((f) => /\.(node|so(\.\d+)*|dylib|dll)$/.test(f));
if (natives.length) fail(`native files in the action tree: ${natives.join(', ')}`);
const actionTarball = `modelship-action-${version}.tar.gz`;
const tarBytes = writeTarGz(
  treeFiles.map((file) => ({
    path: relative(TREE, file).split('\\').join('/'),
    data: readFileSync(file),
  })),
);
writeFileSync(join(OUT, actionTarball), tarBytes);
if (tarBytes.length > MAX_ACTION_TARBALL)
  fail(
    `${actionTarball} is ${mib(tarBytes.length)} MiB, over the ${mib(MAX_ACTION_TARBALL)} MiB budget`,
  );

// 3. The npm package. lib/ and dist/serve are built in this stage already: no lifecycle
// scripts, which would compile both again.
const packOutput = execFileSync(
  'npm',
  ['pack', '--json', '--ignore-scripts', '--pack-destination', OUT],
  {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const packed = JSON.parse(packOutput)[0];

// 4. SHA256SUMS over every asset.
const assets = readdirSync(OUT)
  .filter((name) => statSync(join(OUT, name)).isFile())
  .sort();
writeFileSync(
  join(OUT, 'SHA256SUMS'),
  assets.map((name) => `${sha256Hex(readFileSync(join(OUT, name)))}  ${name}\n`).join(''),
);

console.log(
  `release ${version} (${repository}) in ${relative(process.env.MODELSHIP_RELEASE_ROOT ?? '.', OUT)}/, ${((Date.now() - started) / 1000).toFixed(1)} s:`,
);
console.log(
  `  action/ ${treeFiles.length} files, ${mib(treeFiles.reduce((s, f) => s + statSync(f).size, 0))} MiB; ${actionTarball} ${mib(tarBytes.length)} MiB`,
);
for (const [platform, a] of Object.entries(archives))
  console.log(`  ${a.name} ${mib(a.bytes)} MiB  sha256 ${a.sha256} (${platform})`);
console.log(
  `  ${packed.filename} ${mib(packed.size)} MiB packed, ${mib(packed.unpackedSize)} MiB unpacked, ${packed.entryCount} files`,
);

/** gate and deploy must load no native code at all (startProblems holds every step's start). */
function checkNoNatives(meta) {
  const outputs = Object.entries(meta.outputs);
  for (const step of NATIVE_STEPS_FREE) {
    const main = outputs.find(([, o]) => o.entryPoint === `src/actions/${step}/main.ts`)?.[0];
    if (!main) fail(`no chunk for src/actions/${step}/main.ts`);
    const loaded = [...staticInputs(meta, main)].filter((input) => NATIVE_INPUT.test(input));
    if (loaded.length) fail(`${step} loads native code (${loaded[0]})`);
  }
}

function run(command, args) {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function mib(bytes) {
  return (bytes / 2 ** 20).toFixed(2);
}

function fail(message) {
  console.error(`release build: ${message}`);
  process.exit(1);
}
