import { join, delimiter, dirname } from 'node:path';
import type { LoadedConfig } from '../config/modelshipConfig.js';
import {
  checkGpuRequirement,
  detectGpus,
  nvidiaSmi,
  type GpuDecision,
  type GpuDetection,
  type GpuMode,
} from './gpu.js';
import type { RunManifest } from './runManifest.js';
import { runTraining, type RunTrainingOptions, type TrainingResult } from './runTraining.js';
import type { TrainingPaths } from './trainingEnv.js';
import type { VerifiedModel } from './verifyModel.js';

/** What the train action and `modelship train` both give; only their I/O differs. */
export interface TrainRunOptions {
  loaded: LoadedConfig;
  /** The command (default: train.command of the config). */
  command?: string;
  /** Working directory (default: the config's directory). */
  cwd?: string;
  gpu: GpuMode;
  env: Record<string, string | undefined>;
  paths: TrainingPaths;
  timeoutMinutes?: number;
  commitSha: string | null;
  modelshipVersion?: string;
  /** How GPUs are found (default: the machine's nvidia-smi and CUDA_VISIBLE_DEVICES). */
  gpuArgs?: Parameters<typeof detectGpus>[0];
  /** After GPU detection, before anything runs: the decision, for logs and summaries. */
  onGpu?: (decision: GpuDecision, before: GpuDetection) => void;
  /** After the GPU decision, before the command (the action restores its cache here). */
  beforeCommand?: () => Promise<void>;
  onStart?: RunTrainingOptions['onStart'];
  onLine?: RunTrainingOptions['onLine'];
  onEnd?: RunTrainingOptions['onEnd'];
}

export interface TrainRun {
  decision: GpuDecision;
  before: GpuDetection;
  after: GpuDetection | null;
  result: TrainingResult;
  model: VerifiedModel;
  manifest: RunManifest;
  manifestPath: string;
}

/**
 * One training run: GPU detection and the train.gpu decision, the command (stopped with its
 * whole process group on SIGINT/SIGTERM), the model check on the provider the decision chose,
 * and the run manifest beside the model. A TrainingFailedError says how the command ended.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRun> {
  const gpuArgs = options.gpuArgs ?? {
    run: nvidiaSmi(),
    cudaVisibleDevices: options.env.CUDA_VISIBLE_DEVICES,
  };
  const before = await detectGpus(gpuArgs);
  const decision = checkGpuRequirement(options.gpu, before);
  options.onGpu?.(decision, before);
  await options.beforeCommand?.();

  const controller = new AbortController();
  const abort = () => controller.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const startedAt = new Date();
  let result: TrainingResult;
  try {
    result = await runTraining({
      loaded: options.loaded,
      ...(options.command !== undefined ? { command: options.command } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      env: withNodeOnPath(options.env),
      paths: options.paths,
      ...(options.timeoutMinutes !== undefined ? { timeoutMinutes: options.timeoutMinutes } : {}),
      signal: controller.signal,
      ...(options.onStart ? { onStart: options.onStart } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(options.onEnd ? { onEnd: options.onEnd } : {}),
    });
  } finally {
    process.removeListener('SIGINT', abort);
    process.removeListener('SIGTERM', abort);
  }
  const finishedAt = new Date();
  const after = before.available ? await detectGpus(gpuArgs) : null;
  // onnxruntime and DuckDB load once the command has run, not before: training starts sooner.
  const { verifyTrainedModel } = await import('./verifyModel.js');
  const { buildRunManifest, writeRunManifest } = await import('./runManifest.js');
  // The check runs where training was meant to: CUDA only when train.gpu let training use it.
  const model = await verifyTrainedModel(options.loaded, options.paths.modelPath, {
    executionProviders: decision.useGpu ? ['cuda', 'cpu'] : ['cpu'],
  });
  const manifest = await buildRunManifest({
    loaded: options.loaded,
    commitSha: options.commitSha,
    result,
    startedAt,
    finishedAt,
    model,
    outputDir: options.paths.outputDir,
    gpu: { mode: options.gpu, note: decision.note, before, after },
    ...(options.modelshipVersion ? { modelshipVersion: options.modelshipVersion } : {}),
  });
  const manifestPath = join(options.paths.outputDir, 'manifest.json');
  writeRunManifest(manifestPath, manifest);
  return { decision, before, after, result, model, manifest, manifestPath };
}

/**
 * The environment with the folder of the node running Modelship last on PATH: a `node train.mjs`
 * finds a node even where none is installed, and a node the user set up still comes first.
 */
export function withNodeOnPath(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const folder = dirname(process.execPath);
  const path = env.PATH ?? '';
  if (path.split(delimiter).includes(folder)) return env;
  return { ...env, PATH: path ? `${path}${delimiter}${folder}` : folder };
}
