// Bundles each action entry point with @vercel/ncc into dist/<step>/ (and the root dispatcher into
// dist/), then puts libduckdb.so beside every emitted duckdb.node: the binding finds it through its
// $ORIGIN runpath, so the bundle runs from a checkout without node_modules.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const STEPS = ['validate-data', 'evaluate', 'gate'];
const entries = [
  ['lib/actions/index.js', 'dist'],
  ...STEPS.map((s) => [`lib/actions/${s}/index.js`, `dist/${s}`]),
];

rmSync('dist', { recursive: true, force: true });
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
console.log(`bundled ${entries.length} entry points into dist/`);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // dist/<step>/ bundles are walked on their own.
      if (dir === 'dist' && STEPS.includes(entry.name)) continue;
      yield* walk(path);
    } else yield path;
  }
}
