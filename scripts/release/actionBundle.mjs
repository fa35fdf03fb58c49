// The action tree's JavaScript: one esbuild build of every step's entry, split so that the code
// the steps share sits in shared chunks and each dist/<step>/index.js is a few lines. Native
// bindings are not in it: their loaders are patched to call the runtime that a native step puts
// in place first (src/actions/runtime/nativeRuntime.ts).
//
// What a step loads before its first output is kept small: zod's locale index is English alone
// (as bin/modelship.js has it), @actions/core's OIDC client (and with it undici, 0.7 MB) loads
// only when getIDToken is called, and each dist/<step>/index.js turns on Node's compile cache
// before it imports the step (run.js), so later runs on the machine skip compiling the chunks.
import { readFile } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { STEPS as STEP_TABLE } from '../../lib/actions/steps.js';
import { NATIVE_BINDINGS } from '../../lib/core/runtime/runtimeArchive.js';

/** The steps, in the order src/actions/steps.ts lists them. */
export const STEPS = Object.keys(STEP_TABLE);
const LOADER = "globalThis[Symbol.for('modelship.loadNative')]";

/**
 * Builds dist/ (index.js and run.js for the root action and each <step>/, chunks/) into `distDir`
 * from the checkout at `root`.
 */
export async function bundleActions(distDir, runtimeBuild, root = process.cwd()) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'src/actions/index.ts', out: 'run' },
      ...STEPS.map((step) => ({ in: `src/actions/${step}/index.ts`, out: `${step}/run` })),
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
    plugins: [nativeBindings(), zodEnglishOnly(), lazyOidc()],
  });
  writeFileSync(join(distDir, 'package.json'), '{ "type": "module" }\n');
  for (const dir of ['.', ...STEPS]) writeFileSync(join(distDir, dir, 'index.js'), STEP_START);
  return result.metafile;
}

/**
 * A step's `runs.main`: the compile cache first (Node 22.1+; in the system's temporary directory,
 * which a runner keeps for the job), then the step. Static imports would be loaded before it.
 */
const STEP_START = `import module from 'node:module';
module.enableCompileCache?.();
await import('./run.js');
`;

/** zod's locale index (62 locales, re-exported by every zod entry) as bin/zodEnglish.js: English. */
function zodEnglishOnly() {
  const english = fileURLToPath(new URL('../../bin/zodEnglish.js', import.meta.url));
  return {
    name: 'modelship-zod-english',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(args.resolveDir)
          ? { path: english }
          : undefined,
      );
    },
  };
}

/** @actions/core imports its OIDC client (@actions/http-client, undici) for getIDToken alone. */
function lazyOidc() {
  return {
    name: 'modelship-lazy-oidc',
    setup(b) {
      b.onLoad({ filter: /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/ }, async (args) => {
        const code = await readFile(args.path, 'utf8');
        const imported = "import { OidcClient } from './oidc-utils.js';\n";
        const called = 'yield OidcClient.getIDToken(aud)';
        if (code.split(imported).length !== 2 || code.split(called).length !== 2)
          throw new Error(
            `${args.path}: @actions/core's OIDC import has changed; update ${import.meta.url}`,
          );
        return {
          contents: code
            .replace(imported, '')
            .replace(called, "yield (yield import('./oidc-utils.js')).OidcClient.getIDToken(aud)"),
          loader: 'js',
        };
      });
    },
  };
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

/** Most source files an entry may load before its step: a step's runner and @actions/core (25). */
export const MOST_START_FILES = 30;
/** The root action also reads its `command` input through zod (60). */
export const MOST_ROOT_START_FILES = 65;
const LOADED_WHEN_USED =
  /node_modules[\\/](undici|@actions[\\/]http-client|tunnel|@actions[\\/]artifact)[\\/]/;
/** Native packages: loaded only after a native step has prepared its runtime. */
export const NATIVE_INPUT = /node_modules[\\/](@duckdb|onnxruntime-node)[\\/]/;

/**
 * What is wrong with what each entry loads before its step (the runtime line, the first output
 * of a native step), counted in source files: too many, native code (before its runtime is
 * prepared), an HTTP client or @actions/artifact (each imported where it is used), or a zod
 * locale but English anywhere in the bundle.
 */
export function startProblems(metafile, steps = STEPS) {
  const problems = [];
  const outputs = Object.entries(metafile.outputs);
  for (const step of ['index', ...steps]) {
    const entry = step === 'index' ? 'src/actions/index.ts' : `src/actions/${step}/index.ts`;
    const output = outputs.find(([, o]) => o.entryPoint === entry)?.[0];
    if (!output) {
      problems.push(`no output for ${entry}`);
      continue;
    }
    const loaded = [...staticInputs(metafile, output)];
    const most = step === 'index' ? MOST_ROOT_START_FILES : MOST_START_FILES;
    if (loaded.length > most)
      problems.push(`dist/${step} loads ${loaded.length} source files at start, more than ${most}`);
    const native = loaded.find((input) => NATIVE_INPUT.test(input));
    if (native)
      problems.push(`dist/${step} loads ${native} at start, before its runtime is prepared`);
    const heavy = loaded.find((input) => LOADED_WHEN_USED.test(input));
    if (heavy) problems.push(`dist/${step} loads ${heavy} at start; import it where it is used`);
  }
  const locale = Object.keys(metafile.inputs).find((input) =>
    /node_modules[\\/]zod[\\/]v4[\\/]locales[\\/](?!en\.js$)/.test(input),
  );
  if (locale) problems.push(`the action bundle holds a zod locale other than English: ${locale}`);
  return problems;
}
