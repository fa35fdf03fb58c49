/**
 * Natives on demand: a step that needs DuckDB or onnxruntime calls prepareNativeRuntime() before
 * loading its code. From a release bundle, that finds this platform's runtime archive in the
 * runner's tool cache, or downloads it, checks it against the digest built into the bundle and
 * extracts it there; the bundle's patched binding loaders then load the natives from that folder.
 */
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { ModelshipError, messageOf } from '../../core/errors.js';
import {
  libcOfThisProcess,
  runtimePlatformOf,
  type MachineAbi,
  type RuntimePlatform,
} from '../../core/runtime/platform.js';
import {
  installRuntimeArchive,
  installedDigest,
  runtimeArchiveName,
} from '../../core/runtime/runtimeArchive.js';
import { fetchArchive } from './fetchArchive.js';
import { runtimeBuild, type RuntimeBuild } from './runtimeBuild.js';

/** The global the bundle's patched duckdb and onnxruntime binding modules call to load a binding. */
export const NATIVE_LOADER = Symbol.for('modelship.loadNative');

/** Where the runtime was found or put, and whether this run downloaded it. */
export interface PreparedRuntime {
  platform: RuntimePlatform;
  dir: string;
  downloaded: boolean;
}

/** Makes the natives loadable; undefined when running from source (node_modules has them). */
export async function prepareNativeRuntime(
  env: NodeJS.ProcessEnv = process.env,
  build: RuntimeBuild | undefined = runtimeBuild(),
): Promise<PreparedRuntime | undefined> {
  if (!build) return undefined;
  const platform = runtimePlatformOf(machineAbi(env.MODELSHIP_RUNTIME_PLATFORM));
  const prepared = await runtimeFolder(platform, build, env);
  const { dir } = prepared;
  const require = createRequire(import.meta.url);
  (globalThis as Record<symbol, unknown>)[NATIVE_LOADER] = (binding: string): unknown => {
    const path = join(dir, ...binding.split('/'));
    try {
      return require(path);
    } catch (error) {
      throw new ModelshipError(
        `Modelship's native runtime for ${platform} at ${path} could not be loaded (${messageOf(error).split('\n')[0]}); delete ${dir} so the next run fetches it again, or run on one of the supported platforms.`,
      );
    }
  };
  return prepared;
}

/**
 * A platform's runtime folder in the tool cache, fetched and verified first when it is not there
 * whole. Also serves platforms other than this machine's: deploy takes the Linux natives that
 * go into a serving image from here.
 */
export async function runtimeFolder(
  platform: RuntimePlatform,
  build: RuntimeBuild,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PreparedRuntime> {
  const digest = build.archives[platform];
  if (!digest)
    throw new ModelshipError(
      `this Modelship bundle was built without a runtime archive for ${platform}; use a bundle from a Modelship release.`,
    );
  const toolCache = env.RUNNER_TOOL_CACHE || join(tmpdir(), 'modelship-tool-cache');
  const dir = join(toolCache, 'modelship', build.version, platform);
  if (installedDigest(dir) === digest) {
    core.info(`Modelship runtime ${build.version} for ${platform}: ${dir} (tool cache)`);
    return { platform, dir, downloaded: false };
  }
  const name = runtimeArchiveName(build.version, platform);
  const base =
    env.MODELSHIP_RUNTIME_URL ||
    `https://github.com/${build.repository}/releases/download/v${build.version}`;
  const started = Date.now();
  const { data, source } = await fetchArchive(base, name, (line) => core.info(line));
  await installRuntimeArchive(data, { sha256: digest, source }, dir);
  const mib = (data.length / 2 ** 20).toFixed(1);
  core.info(
    `Modelship runtime ${build.version} for ${platform}: ${source} (${mib} MiB, SHA-256 verified) extracted into ${dir} in ${Date.now() - started} ms`,
  );
  return { platform, dir, downloaded: true };
}

/** This machine's ABI, or the one MODELSHIP_RUNTIME_PLATFORM names (`linux-arm64`, `linux-x64-musl`). */
function machineAbi(forced: string | undefined): MachineAbi {
  if (!forced) return { platform: process.platform, arch: process.arch, libc: libcOfThisProcess() };
  const [platform = '', arch = '', libc] = forced.split('-');
  return { platform, arch, libc: libc === 'musl' ? 'musl' : 'glibc' };
}
