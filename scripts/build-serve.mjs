// Builds the serving container's runtime (src/serveEntry.ts) with esbuild into <outDir>:
//
//   node scripts/build-serve.mjs [outDir]      (npm run build:serve writes dist/serve)
//
// <outDir>/index.js is one ES module with everything but node's own modules and onnxruntime's
// native binding, and <outDir>/package.json says it is a module (an image's runtime folder has no
// other package.json above it). No native file is written: onnxruntime-node loads its binding by a
// path computed from the platform and arch it runs on, which a bundle cannot follow, so the require
// is rewritten to `onnxruntime/onnxruntime_binding.node` beside the bundle, and whoever assembles an
// image (src/core/deploy/buildContext.ts) puts the linux/<arch> binaries there.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(ROOT, 'dist', 'serve'));

// onnxruntime-node/dist/binding.js, as of 1.x.
const BINDING_REQUIRE =
  'require(`../bin/napi-v6/${process.platform}/${process.arch}/onnxruntime_binding.node`)';
const BESIDE_BUNDLE =
  "require(require('node:path').join(__dirname, 'onnxruntime', 'onnxruntime_binding.node'))";

let patched = 0;
const onnxruntimeBinding = {
  name: 'onnxruntime-binding',
  setup(b) {
    b.onLoad({ filter: /[\\/]onnxruntime-node[\\/]dist[\\/]binding\.js$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      if (!code.includes(BINDING_REQUIRE))
        return {
          errors: [
            {
              text: `onnxruntime-node's binding require is not ${BINDING_REQUIRE} any more; update scripts/build-serve.mjs to its new form.`,
            },
          ],
        };
      patched += 1;
      return { contents: code.replace(BINDING_REQUIRE, BESIDE_BUNDLE), loader: 'js' };
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(ROOT, 'src', 'serveEntry.ts')],
  outfile: join(out, 'index.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'eof',
  // The bundled CommonJS modules (onnxruntime-node) call require and read __dirname: give them
  // the bundle's own, which is where the binding goes.
  banner: {
    js: [
      "import { createRequire as __modelshipCreateRequire } from 'node:module';",
      "import { dirname as __modelshipDirname } from 'node:path';",
      "import { fileURLToPath as __modelshipFileURLToPath } from 'node:url';",
      'const require = __modelshipCreateRequire(import.meta.url);',
      'const __filename = __modelshipFileURLToPath(import.meta.url);',
      'const __dirname = __modelshipDirname(__filename);',
    ].join('\n'),
  },
  plugins: [onnxruntimeBinding],
});
if (result.errors.length > 0) process.exit(1);
if (patched !== 1) {
  console.error(
    `scripts/build-serve.mjs: onnxruntime-node/dist/binding.js was patched ${patched} times, not once; the serving runtime would not find its binding.`,
  );
  process.exit(1);
}
writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
console.log(`built the serving runtime into ${out} (index.js, no native files)`);
