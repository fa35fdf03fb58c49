import { execFile } from 'node:child_process';
import { ModelshipError, messageOf } from '../errors.js';

/** The fields Modelship asks `nvidia-smi --query-gpu` for, in this order. */
export const GPU_QUERY_FIELDS = [
  'index',
  'uuid',
  'name',
  'memory.total',
  'memory.used',
  'utilization.gpu',
  'driver_version',
] as const;

/** The arguments of the query `detectGpus` runs. */
export const GPU_QUERY_ARGS = [
  `--query-gpu=${GPU_QUERY_FIELDS.join(',')}`,
  '--format=csv,noheader,nounits',
];

/** A MIG device (a slice of a GPU) as `nvidia-smi -L` lists it. */
export interface MigDevice {
  profile: string;
  device: number;
  uuid: string;
}

/** One GPU; numbers are null where nvidia-smi reports N/A (utilisation in MIG mode, say). */
export interface GpuInfo {
  index: number;
  uuid: string;
  name: string;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  utilizationPercent: number | null;
  mig?: MigDevice[];
}

/** One row of `--query-gpu` output. */
export interface GpuQueryRow extends GpuInfo {
  driverVersion: string | null;
}

/** A GPU line of `nvidia-smi -L`, with the MIG devices listed under it. */
export interface ListedGpu {
  index: number;
  name: string;
  uuid: string;
  mig: MigDevice[];
}

/** What `detectGpus` found: the GPUs this process may use, or why there are none. */
export interface GpuDetection {
  available: boolean;
  gpus: GpuInfo[];
  driverVersion: string | null;
  cudaVersion: string | null;
  reason?: string;
}

/** The outcome of one nvidia-smi call, or 'not-found' when the program is not installed. */
export type NvidiaSmiResult = { stdout: string; stderr?: string; code: number } | 'not-found';
/** Runs nvidia-smi with the given arguments. */
export type NvidiaSmiRunner = (args: string[]) => Promise<NvidiaSmiResult>;

const NOT_AVAILABLE = /^\[?(N\/A|Not Supported|Unknown Error|Insufficient Permissions)\]?$/i;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const ALIASES: Record<string, string> = { gpu_uuid: 'uuid', gpu_name: 'name' };

/**
 * Parses `nvidia-smi --query-gpu` CSV. A header line (`--format=csv`) names the columns and its
 * units are stripped; without one the columns are `fields`, in order (Modelship's own query).
 */
export function parseGpuQuery(
  text: string,
  fields: readonly string[] = GPU_QUERY_FIELDS,
): GpuQueryRow[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 0) return [];
  let columns = [...fields];
  const first = splitCsv(lines[0]!).map((cell) => cell.replace(/\s*\[[^\]]*\]$/, ''));
  if (first.every((cell) => FIELD_NAME.test(cell))) {
    columns = first;
    lines.shift();
  }
  columns = columns.map((c) => ALIASES[c] ?? c);
  return lines.map((line, position) => {
    const cells = splitCsv(line);
    if (cells.length !== columns.length) {
      throw new ModelshipError(
        `nvidia-smi --query-gpu printed ${cells.length} values where ${columns.length} were asked for ("${line}").`,
      );
    }
    const cell = (name: string): string | undefined => {
      const at = columns.indexOf(name);
      const value = at < 0 ? undefined : cells[at];
      return value === undefined || value === '' || NOT_AVAILABLE.test(value) ? undefined : value;
    };
    return {
      index: numberOf(cell('index')) ?? position,
      uuid: cell('uuid') ?? '',
      name: cell('name') ?? '',
      memoryTotalMiB: numberOf(cell('memory.total')),
      memoryUsedMiB: numberOf(cell('memory.used')),
      utilizationPercent: numberOf(cell('utilization.gpu')),
      driverVersion: cell('driver_version') ?? null,
    };
  });
}

/** The CUDA version from plain `nvidia-smi` (`CUDA Version: 12.4`) or `--version`; else null. */
export function parseCudaVersion(text: string): string | null {
  return /CUDA Version\s*:\s*(\d+(?:\.\d+)*)/.exec(text)?.[1] ?? null;
}

/** Parses `nvidia-smi -L`: each GPU with the MIG devices listed under it. */
export function parseGpuList(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    const gpu = /^GPU (\d+): (.*?) \(UUID: ([^)]+)\)\s*$/.exec(line);
    if (gpu) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2]!, uuid: gpu[3]!, mig: [] });
      continue;
    }
    const mig = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)]+)\)\s*$/.exec(line);
    if (mig && gpus.length > 0) {
      gpus.at(-1)!.mig.push({ profile: mig[1]!, device: Number(mig[2]), uuid: mig[3]! });
    }
  }
  return gpus;
}

/**
 * The GPUs CUDA_VISIBLE_DEVICES leaves visible, in its order: indices, GPU- or MIG- UUIDs (or
 * unique prefixes of them). As in CUDA, the list ends at the first entry that names no device,
 * so '' and '-1' hide every GPU; undefined leaves all of them.
 */
export function filterVisibleGpus(gpus: GpuInfo[], cudaVisibleDevices?: string): GpuInfo[] {
  if (cudaVisibleDevices === undefined) return gpus;
  const visible: GpuInfo[] = [];
  for (const token of cudaVisibleDevices.split(',').map((t) => t.trim())) {
    const found = findDevice(gpus, token);
    if (!found) break;
    const seen = visible.find((g) => g.index === found.index);
    if (!seen) visible.push(found);
    else if (seen.mig && found.mig) seen.mig.push(...found.mig);
  }
  return visible;
}

function findDevice(gpus: GpuInfo[], token: string): GpuInfo | undefined {
  if (/^\d+$/.test(token)) return gpus.find((g) => g.index === Number(token));
  if (token.startsWith('MIG-')) {
    for (const gpu of gpus) {
      const mig = gpu.mig?.filter((m) => m.uuid.startsWith(token)) ?? [];
      if (mig.length === 1) return { ...gpu, mig };
    }
    return undefined;
  }
  if (!token.startsWith('GPU-')) return undefined;
  const matches = gpus.filter((g) => g.uuid.startsWith(token));
  return matches.length === 1 ? matches[0] : undefined;
}

/** Asks nvidia-smi (through `run`) which GPUs there are and which this process may use. */
export async function detectGpus(options: {
  run: NvidiaSmiRunner;
  cudaVisibleDevices?: string;
}): Promise<GpuDetection> {
  const none = (
    reason: string,
    driverVersion: string | null = null,
    cudaVersion: string | null = null,
  ): GpuDetection => ({
    available: false,
    gpus: [],
    driverVersion,
    cudaVersion,
    reason,
  });
  const query = await options.run(GPU_QUERY_ARGS);
  if (query === 'not-found') return none('nvidia-smi is not installed on this machine');
  if (query.code !== 0) {
    const said = firstLine(query.stdout) || firstLine(query.stderr ?? '') || 'no output';
    return none(`nvidia-smi failed with exit code ${query.code}: ${said}`);
  }
  let rows: GpuQueryRow[];
  try {
    rows = parseGpuQuery(query.stdout);
  } catch (error) {
    return none(`nvidia-smi output could not be read (${messageOf(error)})`);
  }
  if (rows.length === 0) return none('nvidia-smi lists no GPU');
  const driverVersion = rows[0]!.driverVersion;
  const plain = await options.run([]);
  const cudaVersion = plain !== 'not-found' ? parseCudaVersion(plain.stdout) : null;
  const list = await options.run(['-L']);
  const listed = list !== 'not-found' && list.code === 0 ? parseGpuList(list.stdout) : [];
  const gpus: GpuInfo[] = rows.map(({ driverVersion: _driver, ...gpu }) => {
    const mig = listed.find(
      (l) => l.uuid === gpu.uuid || (!gpu.uuid && l.index === gpu.index),
    )?.mig;
    return mig && mig.length > 0 ? { ...gpu, mig } : gpu;
  });
  const visible = filterVisibleGpus(gpus, options.cudaVisibleDevices);
  if (visible.length === 0) {
    return none(
      `CUDA_VISIBLE_DEVICES="${options.cudaVisibleDevices}" hides all ${gpus.length} GPUs`,
      driverVersion,
      cudaVersion,
    );
  }
  return { available: true, gpus: visible, driverVersion, cudaVersion };
}

/** The real nvidia-smi, found on PATH; a call that hangs past `timeoutMs` counts as failed. */
export function nvidiaSmi(program = 'nvidia-smi', timeoutMs = 15_000): NvidiaSmiRunner {
  return (args) =>
    new Promise((resolve) => {
      execFile(
        program,
        args,
        { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, windowsHide: true },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr, code: 0 });
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') return resolve('not-found');
          if (error.killed) {
            return resolve({ stdout, stderr: `no answer within ${timeoutMs / 1000} s`, code: -1 });
          }
          resolve({
            stdout,
            stderr: stderr || error.message,
            code: typeof code === 'number' ? code : 1,
          });
        },
      );
    });
}

/** What the train step does about the GPU: whether one is used, and a line saying so. */
export interface GpuDecision {
  mode: GpuMode;
  useGpu: boolean;
  note: string;
}
export type GpuMode = 'required' | 'optional' | 'none';

/** Applies train.gpu to what was detected; `required` without a usable GPU is an error. */
export function checkGpuRequirement(mode: GpuMode, detected: GpuDetection): GpuDecision {
  if (detected.available) {
    const note =
      mode === 'none'
        ? `train.gpu is none; ${describeGpus(detected)} present but not required`
        : `training can use ${describeGpus(detected)}`;
    return { mode, useGpu: mode !== 'none', note };
  }
  const reason = detected.reason ?? 'no GPU found';
  if (mode === 'required') {
    throw new ModelshipError(
      `train.gpu is required, but this machine has no usable GPU (${reason}); run the train job on a GPU runner, e.g. runs-on: [self-hosted, linux, x64, gpu], or set train.gpu to optional to train on CPU.`,
    );
  }
  return {
    mode,
    useGpu: false,
    note:
      mode === 'none'
        ? `train.gpu is none: training runs on CPU (${reason})`
        : `no usable GPU (${reason}): training runs on CPU`,
  };
}

/** "2 GPUs: 0 NVIDIA A100 (81920 MiB), 1 …; driver 535.104.05, CUDA 12.2" */
export function describeGpus(detected: GpuDetection): string {
  const list = detected.gpus
    .map((g) => {
      const memory = g.memoryTotalMiB === null ? '' : ` (${g.memoryTotalMiB} MiB)`;
      const mig = g.mig?.length ? `, MIG ${g.mig.map((m) => m.profile).join(' ')}` : '';
      return `${g.index} ${g.name}${memory}${mig}`;
    })
    .join(', ');
  const versions = [
    detected.driverVersion ? `driver ${detected.driverVersion}` : '',
    detected.cudaVersion ? `CUDA ${detected.cudaVersion}` : '',
  ].filter(Boolean);
  const count = `${detected.gpus.length} GPU${detected.gpus.length === 1 ? '' : 's'}`;
  return `${count}: ${list}${versions.length ? `; ${versions.join(', ')}` : ''}`;
}

function splitCsv(line: string): string[] {
  return line.split(',').map((cell) => cell.trim());
}

function numberOf(value: string | undefined): number | null {
  if (value === undefined) return null;
  const number = Number(value.replace(/\s*(MiB|%|W|MHz)$/, ''));
  return Number.isFinite(number) ? number : null;
}

function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean) ?? ''
  );
}
