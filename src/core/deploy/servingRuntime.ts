import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelshipError } from '../errors.js';

/** What a serving image's runtime folder is assembled from (buildContext.ts). */
export interface ServingRuntime {
  /** The directory holding index.js (scripts/build-serve.mjs's output: dist/serve). */
  script: string;
  /** The directory holding onnxruntime_binding.node and libonnxruntime for linux/<arch>. */
  natives: string;
}

export type ServingArch = 'x64' | 'arm64';
export const SERVING_ARCHS: readonly ServingArch[] = ['x64', 'arm64'];

export interface ServingRuntimeOptions {
  /** An explicit natives directory (e.g. one the deploy action fetched). */
  natives?: string;
  /** The image's CPU architecture: the host's on linux, else x64. */
  arch?: ServingArch;
  /** Where the search starts (tests); the running module by default. */
  from?: string;
}

/**
 * The serving runtime an image carries. `override` is an assembled directory (index.js, and
 * usually its natives in onnxruntime/ beside it: tests and MODELSHIP_SERVE_RUNTIME) or a plain
 * build of scripts/build-serve.mjs; without it the script is dist/serve found from the running
 * code, beside an action bundle (dist/index.js, dist/deploy/index.js) or in the package root
 * (lib/…, src/… under tests). The natives are `options.natives`, else the override's
 * onnxruntime/, else onnxruntime-node's linux/<arch> binaries where that package is installed,
 * else an onnxruntime/ folder beside the script (an action tree bundled with its binaries).
 */
export function findServingRuntime(
  override?: string,
  options: ServingRuntimeOptions = {},
): ServingRuntime {
  const from = options.from ?? import.meta.url;
  const arch = options.arch ?? defaultArch();
  if (!SERVING_ARCHS.includes(arch))
    throw new ModelshipError(
      `${String(arch)} is not an architecture the serving image supports; use x64 or arm64.`,
    );
  const script = override ? resolve(override) : findScript(from);
  if (!existsSync(join(script, 'index.js')))
    throw new ModelshipError(
      `${script} has no index.js, so it is not a serving runtime; pass the directory node scripts/build-serve.mjs <dir> wrote (npm run build:serve writes dist/serve).`,
    );
  const beside = join(script, 'onnxruntime');
  const natives = options.natives
    ? resolve(options.natives)
    : ((override && hasBinding(beside) ? beside : undefined) ??
      installedNatives(from, arch) ??
      (hasBinding(beside) ? beside : undefined));
  if (!natives)
    throw new ModelshipError(
      `No linux/${arch} onnxruntime binaries for the image: onnxruntime-node is not installed beside Modelship (or lacks bin/napi-v6/linux/${arch}); install it with npm install onnxruntime-node, or pass a directory holding onnxruntime_binding.node and libonnxruntime.`,
    );
  if (!hasBinding(natives))
    throw new ModelshipError(
      `${natives} holds no onnxruntime_binding.node and libonnxruntime; pass the linux/${arch} folder of onnxruntime-node's bin/napi-v6 (or a copy of it).`,
    );
  return { script, natives };
}

function defaultArch(): ServingArch {
  return process.platform === 'linux' && SERVING_ARCHS.includes(process.arch as ServingArch)
    ? (process.arch as ServingArch)
    : 'x64';
}

function findScript(from: string): string {
  const here = dirname(fileURLToPath(from));
  const candidates = [
    join(here, 'serve'),
    join(here, '..', 'serve'),
    ...[1, 2, 3, 4].map((up) => join(here, ...Array<string>(up).fill('..'), 'dist', 'serve')),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.js')));
  if (!found)
    throw new ModelshipError(
      `The serving runtime is not built (no dist/serve/index.js near ${here}); run npm run build:serve in the Modelship checkout, or pass its directory with --runtime.`,
    );
  return found;
}

/** onnxruntime-node's bin/napi-v6/linux/<arch>, where the package resolves from `from`. */
function installedNatives(from: string, arch: ServingArch): string | undefined {
  let pkg: string;
  try {
    pkg = createRequire(from).resolve('onnxruntime-node/package.json');
  } catch {
    return undefined;
  }
  const dir = join(dirname(pkg), 'bin', 'napi-v6', 'linux', arch);
  return hasBinding(dir) ? dir : undefined;
}

function hasBinding(dir: string): boolean {
  if (!existsSync(join(dir, 'onnxruntime_binding.node'))) return false;
  return readdirSync(dir).some((name) => name.startsWith('libonnxruntime'));
}
