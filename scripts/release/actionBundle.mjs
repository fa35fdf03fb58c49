// The action tree's JavaScript: one esbuild build of every step's entry, split so that the code
// the steps share sits in shared chunks and each dist/<step>/index.js is a few lines. Native
// bindings are not in it: their loaders are patched to call the runtime that a native step puts
// in place first (src/actions/runtime/nativeRuntime.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { STEPS as STEP_TABLE } from '../../lib/actions/steps.js';
import { NATIVE_BINDINGS } from '../../lib/core/runtime/runtimeArchive.js';

/** The steps, in the order src/actions/steps.ts lists them. */
export const STEPS = Object.keys(STEP_TABLE);
const LOADER = "globalThis[Symbol.for('modelship.loadNative')]";

/** Builds dist/ (index.js for the root action, <step>/index.js, chunks/) into `distDir`. */
export async function bundleActions(distDir, runtimeBuild) {
  const result = await build({
    entryPoints: [
      { in: 'src/actions/index.ts', out: 'index' },
      ...STEPS.map((step) => ({ in: `src/actions/${step}/index.ts`, out: `${step}/index` })),
    ],
    outdir: distDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    minifySyntax: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    define: { MODELSHIP_RUNTIME_BUILD: JSON.stringify(runtimeBuild) },
    // CommonJS dependencies call require(); give every ES module chunk one.
    banner: {
      js: "import { createRequire as __modelshipCreateRequire } from 'node:module'; const require = __modelshipCreateRequire(import.meta.url);",
    },
    plugins: [nativeBindings()],
  });
  writeFileSync(join(distDir, 'package.json'), '{ "type": "module" }\n');
  return result.metafile;
}

/** Replaces DuckDB's and onnxruntime's binding loaders with calls to the runtime's loader. */
function nativeBindings() {
  const load = (binding, what) =>
    `const load = ${LOADER};\n` +
    `if (typeof load !== 'function') throw new Error('Modelship: ${what} was loaded before its native runtime was prepared.');\n` +
    `module.exports = load(${JSON.stringify(binding)});\n`;
  return {
    name: 'modelship-native-bindings',
    setup(b) {
      b.onLoad({ filter: /[\\/]@duckdb[\\/]node-bindings[\\/]duckdb\.js$/ }, () => ({
        contents: load(NATIVE_BINDINGS.duckdb, 'DuckDB'),
        loader: 'js',
      }));
      b.onLoad({ filter: /[\\/]onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, async (args) => {
        const { readFile } = await import('node:fs/promises');
        const code = await readFile(args.path, 'utf8');
        const pattern =
          /require\(`\.\.\/bin\/napi-v6\/\$\{process\.platform\}\/\$\{process\.arch\}\/onnxruntime_binding\.node`\)/;
        if (!pattern.test(code))
          throw new Error(
            `${args.path}: onnxruntime-node's binding require has changed; update ${import.meta.url}`,
          );
        return {
          contents: code.replace(
            pattern,
            `${LOADER}(${JSON.stringify(NATIVE_BINDINGS.onnxruntime)})`,
          ),
          loader: 'js',
        };
      });
    },
  };
}

/** The input files each output loads, following static imports only (what runs at its start). */
export function staticInputs(metafile, output) {
  const seen = new Set();
  const inputs = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const meta = metafile.outputs[file];
    for (const input of Object.keys(meta.inputs)) inputs.add(input);
    for (const imp of meta.imports)
      if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  visit(output);
  return inputs;
}
