import { z } from 'zod';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import type { GpuMode } from '../../core/train/gpu.js';
import { readCommonInputs, type CommonInputs } from '../commonInputs.js';
import { linesInput, optionalInput, readInputs, textInput } from '../inputs/readInputs.js';
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

const GPU_MODES = ['required', 'optional', 'none'] as const satisfies readonly GpuMode[];
const MINUTES = 'a positive number of minutes';

/** The train action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  command: optionalInput(),
  // Empty: the config's train.gpu.
  gpu: z.enum(['', ...GPU_MODES], { error: 'required, optional or none' }),
  'cache-paths': linesInput(),
  'cache-key': optionalInput(),
  'timeout-minutes': textInput('360')
    .transform(Number)
    .pipe(z.number({ error: MINUTES }).positive({ error: MINUTES })),
  'artifact-name': z.string(),
});

export function readTrainInputs(): TrainInputs {
  const common = readCommonInputs({ step: 'train', requireConfig: true });
  const raw = readInputs(inputSchema);
  const artifact = raw['artifact-name'];
  return {
    ...common,
    command: raw.command,
    gpu: raw.gpu || common.loaded.config.train.gpu,
    cachePaths: raw['cache-paths'],
    cacheKey: raw['cache-key'],
    timeoutMinutes: raw['timeout-minutes'],
    artifactName:
      artifact === 'none'
        ? undefined
        : artifact || defaultArtifactName(common.loaded.config.model.name),
  };
}
