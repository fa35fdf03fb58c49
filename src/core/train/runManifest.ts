import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { version as duckdbVersion } from '@duckdb/node-api';
import { env as ortEnv } from 'onnxruntime-node';
import type { LoadedConfig } from '../config/modelshipConfig.js';
import { openDataSource, rawReader, readSafely } from '../data/dataSource.js';
import { withDatabase } from '../data/duckdb.js';
import { ModelshipError, messageOf } from '../errors.js';
import { hashFile } from '../files/fileDigest.js';
import type { GpuDetection, GpuMode } from './gpu.js';
import type { TrainingResult } from './runTraining.js';
import type { VerifiedModel } from './verifyModel.js';

/** Bumped when a key of the manifest changes meaning or goes away; new keys do not bump it. */
export const RUN_MANIFEST_SCHEMA_VERSION = 1;

/** One file behind a data entry of modelship.yml (a glob has several). */
export interface DataFileRecord {
  path: string;
  sha256: string;
  bytes: number;
  /** Rows as DuckDB reads them (header excluded); null for the schema. */
  rows: number | null;
}

export interface DataRecord {
  /** The path or glob as modelship.yml gives it. */
  path: string;
  files: DataFileRecord[];
}

export interface GpuSnapshot {
  available: boolean;
  driver_version: string | null;
  cuda_version: string | null;
  reason?: string;
  gpus: {
    index: number;
    uuid: string;
    name: string;
    memory_total_mib: number | null;
    memory_used_mib: number | null;
    utilization_percent: number | null;
    mig?: { profile: string; uuid: string }[];
  }[];
}

/** manifest.json: what was trained, from what, how, and on what. Paths are config-relative. */
export interface RunManifest {
  schema_version: number;
  model: {
    name: string;
    task: string;
    path: string;
    sha256: string;
    size_bytes: number;
    input: { name: string; shape: (number | string)[]; features: number };
    execution_provider: string;
    provider_note?: string;
  };
  commit_sha: string | null;
  config: { path: string; sha256: string };
  data: Partial<Record<'train' | 'eval' | 'current' | 'schema', DataRecord>>;
  run: {
    command: string;
    exit_code: number | null;
    duration_ms: number;
    started_at: string;
    finished_at: string;
  };
  gpu: { mode: GpuMode; note: string; before: GpuSnapshot | null; after: GpuSnapshot | null };
  /** metrics.json as the training script wrote it in the output directory, or null. */
  metrics: unknown;
  versions: Record<string, string>;
}

export interface BuildRunManifestOptions {
  loaded: LoadedConfig;
  /** The commit the model was trained from (GITHUB_SHA, git rev-parse HEAD), if known. */
  commitSha?: string | null;
  result: TrainingResult;
  startedAt: Date;
  finishedAt: Date;
  model: VerifiedModel;
  /** Where the script was told to write metrics.json (MODELSHIP_OUTPUT_DIR). */
  outputDir: string;
  gpu: { mode: GpuMode; note: string; before?: GpuDetection | null; after?: GpuDetection | null };
  modelshipVersion?: string;
  /** More versions to record (python, torch, …), as the caller learned them. */
  versions?: Record<string, string>;
}

/** Builds the run manifest: digests and row counts of the config and data, the run, the GPU. */
export async function buildRunManifest(options: BuildRunManifestOptions): Promise<RunManifest> {
  const { loaded, model, result } = options;
  const shown = (path: string) => relative(loaded.dir, path).split(sep).join('/') || '.';
  const config = await hashFile(loaded.file);
  return {
    schema_version: RUN_MANIFEST_SCHEMA_VERSION,
    model: {
      name: loaded.config.model.name,
      task: loaded.config.model.task,
      path: shown(model.path),
      sha256: model.sha256,
      size_bytes: model.sizeBytes,
      input: { name: model.inputName, shape: [...model.inputShape], features: model.features },
      execution_provider: model.provider,
      ...(model.providerNote ? { provider_note: model.providerNote } : {}),
    },
    commit_sha: options.commitSha ?? null,
    config: { path: shown(loaded.file), sha256: config.sha256 },
    data: await describeData(loaded, shown),
    run: {
      command: result.command,
      exit_code: result.exitCode,
      duration_ms: result.durationMs,
      started_at: options.startedAt.toISOString(),
      finished_at: options.finishedAt.toISOString(),
    },
    gpu: {
      mode: options.gpu.mode,
      note: options.gpu.note,
      before: snapshot(options.gpu.before),
      after: snapshot(options.gpu.after),
    },
    metrics: readTrainingMetrics(options.outputDir),
    versions: {
      ...runtimeVersions(),
      modelship: options.modelshipVersion ?? 'unknown',
      ...options.versions,
    },
  };
}

/** Writes the manifest atomically: a reader sees the old file or the whole new one. */
export function writeRunManifest(path: string, manifest: RunManifest): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${randomBytes(6).toString('hex')}.manifest.tmp`);
  try {
    writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new ModelshipError(`${path}: cannot write the run manifest (${messageOf(error)}).`);
  }
}

/** metrics.json in the output directory: null when absent, an error when not JSON. */
export function readTrainingMetrics(outputDir: string): unknown {
  const path = join(outputDir, 'metrics.json');
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ModelshipError(
      `${path}: the metrics the training script wrote are not valid JSON (${messageOf(error)}); write them with json.dump or JSON.stringify, or do not write metrics.json.`,
    );
  }
}

/** Versions of the runtime that checked the model: node and the native packages. */
export function runtimeVersions(): Record<string, string> {
  let duckdb = `engine ${duckdbVersion()}`;
  try {
    const require = createRequire(import.meta.url);
    duckdb = (require('@duckdb/node-api/package.json') as { version: string }).version;
  } catch {
    // Bundled: the package.json is not beside the code; the engine version says enough.
  }
  return {
    node: process.version,
    'onnxruntime-node': ortEnv.versions.node ?? ortEnv.versions.common,
    '@duckdb/node-api': duckdb,
  };
}

async function describeData(
  loaded: LoadedConfig,
  shown: (path: string) => string,
): Promise<RunManifest['data']> {
  const data: RunManifest['data'] = {};
  const { schema, ...splits } = loaded.config.data;
  if (schema) {
    const file = loaded.resolve(schema);
    data.schema = {
      path: schema,
      files: [{ path: shown(file), ...(await hashFile(file)), rows: null }],
    };
  }
  const entries = (['train', 'eval', 'current'] as const).filter((key) => splits[key]);
  if (entries.length === 0) return data;
  await withDatabase(async (db) => {
    for (const key of entries) {
      const configured = splits[key]!;
      const source = await openDataSource(db, loaded.resolve(configured));
      const files: DataFileRecord[] = [];
      for (const file of source.files) {
        const single = { ...source, files: [file] };
        const [count] = await readSafely<{ n: bigint | number }>(
          db,
          single,
          `SELECT count(*) AS n FROM ${rawReader(single)}`,
        );
        files.push({ path: shown(file), ...(await hashFile(file)), rows: Number(count?.n ?? 0) });
      }
      data[key] = { path: configured, files };
    }
  });
  return data;
}

function snapshot(detected: GpuDetection | null | undefined): GpuSnapshot | null {
  if (!detected) return null;
  return {
    available: detected.available,
    driver_version: detected.driverVersion,
    cuda_version: detected.cudaVersion,
    ...(detected.reason ? { reason: detected.reason } : {}),
    gpus: detected.gpus.map((g) => ({
      index: g.index,
      uuid: g.uuid,
      name: g.name,
      memory_total_mib: g.memoryTotalMiB,
      memory_used_mib: g.memoryUsedMiB,
      utilization_percent: g.utilizationPercent,
      ...(g.mig ? { mig: g.mig.map((m) => ({ profile: m.profile, uuid: m.uuid })) } : {}),
    })),
  };
}
