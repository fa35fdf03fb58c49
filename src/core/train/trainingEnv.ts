import { dirname, resolve } from 'node:path';
import type { LoadedConfig } from '../config/modelshipConfig.js';

/** The data keys of modelship.yml and the variables that pass their absolute paths on. */
export const DATA_VARIABLES = {
  train: 'MODELSHIP_DATA_TRAIN',
  eval: 'MODELSHIP_DATA_EVAL',
  current: 'MODELSHIP_DATA_CURRENT',
  schema: 'MODELSHIP_DATA_SCHEMA',
} as const;

/** Where a training run reads its config and leaves its outputs. */
export interface TrainingPaths {
  /** Absolute path the model is expected at (model.path of the config unless overridden). */
  modelPath: string;
  /** Absolute directory for metrics.json and the manifest (the model's directory by default). */
  outputDir: string;
}

/** The model path and output directory of a run, made absolute. */
export function trainingPaths(
  loaded: LoadedConfig,
  overrides: { modelPath?: string; outputDir?: string } = {},
): TrainingPaths {
  const modelPath = resolve(overrides.modelPath ?? loaded.resolve(loaded.config.model.path));
  return { modelPath, outputDir: resolve(overrides.outputDir ?? dirname(modelPath)) };
}

/**
 * The training command's environment: the caller's (PATH, CUDA_VISIBLE_DEVICES, credentials the
 * script needs) plus MODELSHIP_CONFIG, MODELSHIP_MODEL_PATH, MODELSHIP_OUTPUT_DIR and a
 * MODELSHIP_DATA_* absolute path (or glob) for each data file the config names. Stale
 * MODELSHIP_DATA_* variables from the caller are dropped, so a script never reads another
 * project's data.
 */
export function trainingEnv(
  env: Record<string, string | undefined>,
  loaded: LoadedConfig,
  paths: TrainingPaths,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !key.startsWith('MODELSHIP_DATA_')) result[key] = value;
  }
  result.MODELSHIP_CONFIG = loaded.file;
  result.MODELSHIP_MODEL_PATH = paths.modelPath;
  result.MODELSHIP_OUTPUT_DIR = paths.outputDir;
  for (const [key, variable] of Object.entries(DATA_VARIABLES)) {
    const path = loaded.config.data[key as keyof typeof DATA_VARIABLES];
    if (path) result[variable] = loaded.resolve(path);
  }
  return result;
}
