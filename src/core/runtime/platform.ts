import { ModelshipError } from '../errors.js';

/** The platforms a native runtime archive is built for, in the order the docs list them. */
export const RUNTIME_PLATFORMS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64'] as const;
export type RuntimePlatform = (typeof RUNTIME_PLATFORMS)[number];

/** What identifies a machine's native ABI: Node's platform and arch, and the C library on Linux. */
export interface MachineAbi {
  platform: string;
  arch: string;
  /** 'glibc' or 'musl' on Linux; ignored elsewhere. */
  libc?: 'glibc' | 'musl';
}

/** The runtime platform a machine needs, or one sentence naming it and the supported list. */
export function runtimePlatformOf(abi: MachineAbi): RuntimePlatform {
  const key = `${abi.platform}-${abi.arch}`;
  const supported = (RUNTIME_PLATFORMS as readonly string[]).includes(key);
  if (supported && !(abi.platform === 'linux' && abi.libc === 'musl'))
    return key as RuntimePlatform;
  const name = abi.platform === 'linux' && abi.libc === 'musl' ? `${key} (musl)` : key;
  throw new ModelshipError(
    `Modelship's native runtime (DuckDB, onnxruntime) is not built for ${name}; run this step on one of ${RUNTIME_PLATFORMS.join(', ')} (Linux with glibc).`,
  );
}

/** The C library Node reports for this process: musl builds have no glibc version in their report. */
export function libcOfThisProcess(): 'glibc' | 'musl' | undefined {
  if (process.platform !== 'linux') return undefined;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}
