import * as core from '@actions/core';
import { loadConfig, type LoadedConfig } from '../../core/config/modelshipConfig.js';
import { ModelshipError } from '../../core/errors.js';
import type { GpuMode } from '../../core/train/gpu.js';
import { readCommonInputs, type CommonInputs } from '../commonInputs.js';
import { defaultArtifactName } from '../artifact.js';

/** The train action's inputs, read once. */
export interface TrainInputs extends CommonInputs {
  loaded: LoadedConfig;
  command: string | undefined;
  gpu: GpuMode;
  cachePaths: string[];
  cacheKey: string | undefined;
  timeoutMinutes: number;
  /** undefined: no upload (`artifact-name: none`). */
  artifactName: string | undefined;
}

export function readTrainInputs(): TrainInputs {
  const common = readCommonInputs({ requireConfigFor: 'train' });
  const loaded = loadConfig(common.config);
  const gpu = core.getInput('gpu') || loaded.config.train.gpu;
  if (gpu !== 'required' && gpu !== 'optional' && gpu !== 'none') {
    throw new ModelshipError(`input gpu is "${gpu}"; expected required, optional or none.`);
  }
  const timeout = Number(core.getInput('timeout-minutes') || '360');
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new ModelshipError(
      `input timeout-minutes is "${core.getInput('timeout-minutes')}"; expected a positive number of minutes.`,
    );
  }
  const artifact = core.getInput('artifact-name');
  return {
    ...common,
    loaded,
    command: core.getInput('command') || undefined,
    gpu,
    cachePaths: core.getMultilineInput('cache-paths').filter((p) => p.trim() !== ''),
    cacheKey: core.getInput('cache-key') || undefined,
    timeoutMinutes: timeout,
    artifactName:
      artifact === 'none' ? undefined : artifact || defaultArtifactName(loaded.config.model.name),
  };
}
