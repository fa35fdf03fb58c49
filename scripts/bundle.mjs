// Bundles each action entry point with @vercel/ncc into dist/<step>/ (and the root dispatcher into
// dist/), then puts libduckdb.so beside every emitted duckdb.node: the binding finds it through its
// $ORIGIN runpath, so the bundle runs from a checkout without node_modules.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const STEPS = [
  'validate-data',
  'train',
  'evaluate',
  'gate',
  'publish-model',
  'drift-check',
  'deploy',
];
// `node scripts/bundle.mjs serve <dir>` builds only the serving runtime, into <dir> (for tests
// that must not race with a full bundle rewriting dist/).
const serveOnly = process.argv[2] === 'serve' ? process.argv[3] : undefined;
const entries = serveOnly
  ? [['lib/serveEntry.js', serveOnly]]
  : [
      ['lib/actions/index.js', 'dist'],
      ...STEPS.map((s) => [`lib/actions/${s}/index.js`, `dist/${s}`]),
      // The serving container's runtime (src/serveEntry.ts): onnxruntime only, no DuckDB, no CLI.
      ['lib/serveEntry.js', 'dist/serve'],
    ];

if (!serveOnly) rmSync('dist', { recursive: true, force: true });
const ncc = require.resolve('@vercel/ncc/dist/ncc/cli.js');
for (const [entry, out] of entries) {
  execFileSync(
    process.execPath,
    [ncc, 'build', entry, '-o', out, '--license', 'licenses.txt', '--quiet'],
    {
      stdio: 'inherit',
    },
  );
}

const bindingDir = dirname(
  require.resolve(`@duckdb/node-bindings-${process.platform}-${process.arch}/duckdb.node`),
);
const sharedLibrary = readdirSync(bindingDir).find((f) => /^libduckdb\.(so|dylib|dll)$/.test(f));
for (const out of new Set(entries.map(([, o]) => o))) {
  for (const file of walk(out)) {
    if (file.endsWith('.node') && sharedLibrary) {
      const target = join(dirname(file), sharedLibrary);
      if (!existsSync(target)) copyFileSync(join(bindingDir, sharedLibrary), target);
    }
  }
}
// onnxruntime-node loads its binding by a computed path relative to its own file
// (`../bin/napi-v6/<platform>/<arch>/`), which ncc cannot follow: point it at a folder beside the
// bundle and copy the binding with libonnxruntime there (it loads through its $ORIGIN runpath).
const ORT_REQUIRE = '`../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`';
const ortDir = join(
  dirname(require.resolve('onnxruntime-node/package.json')),
  'bin',
  'napi-v6',
  process.platform,
  process.arch,
);
for (const [, out] of entries) {
  const bundle = join(out, 'index.js');
  const code = readFileSync(bundle, 'utf8');
  if (!code.includes('onnxruntime-node/dist')) continue;
  if (!code.includes(ORT_REQUIRE))
    throw new Error(
      `${bundle}: onnxruntime-node's binding require has changed; update scripts/bundle.mjs`,
    );
  writeFileSync(bundle, code.replace(ORT_REQUIRE, '`./onnxruntime/onnxruntime_binding.node`'));
  mkdirSync(join(out, 'onnxruntime'), { recursive: true });
  for (const file of readdirSync(ortDir))
    copyFileSync(join(ortDir, file), join(out, 'onnxruntime', file));
}
console.log(`bundled ${entries.length} entry points into ${serveOnly ?? 'dist/'}`);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // dist/<step>/ bundles are walked on their own.
      if (dir === 'dist' && [...STEPS, 'serve', 'onnxruntime'].includes(entry.name)) continue;
      yield* walk(path);
    } else yield path;
  }
}
