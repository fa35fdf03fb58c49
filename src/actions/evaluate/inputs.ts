import { z } from 'zod';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import {
  inDirectory,
  readCommonInputs,
  reportDirectory,
  type CommonInputs,
} from '../commonInputs.js';
import { modelsInput } from '../inputs/modelsInput.js';
import { flagInput, optionalInput, readInputs, textInput } from '../inputs/readInputs.js';

/** The evaluate action's inputs, read once. */
export interface EvaluateInputs extends CommonInputs {
  loaded: LoadedConfig;
  model: string | undefined;
  data: string | undefined;
  /** production | none | a release tag | a path */
  baseline: string;
  /** modelship.yml for a baseline given as a bare ONNX file whose features differ. */
  baselineConfig: string | undefined;
  comment: boolean;
  failOnGate: boolean;
  reportPath: string;
  /** The models the change affects, for the aggregate status; undefined: this model alone. */
  models: string[] | undefined;
}

/** The evaluate action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  model: optionalInput(),
  data: optionalInput(),
  baseline: textInput('production'),
  'baseline-config': optionalInput(),
  comment: flagInput(true),
  'fail-on-gate': flagInput(true),
  models: modelsInput(),
  'report-path': z.string(),
});

export function readEvaluateInputs(): EvaluateInputs {
  const common = readCommonInputs({ step: 'evaluate', requireConfig: true });
  const raw = readInputs(inputSchema);
  const inWorkingDirectory = (path: string | undefined) =>
    path ? inDirectory(common.workingDirectory, path) : undefined;
  return {
    ...common,
    model: inWorkingDirectory(raw.model),
    data: inWorkingDirectory(raw.data),
    baseline: raw.baseline,
    baselineConfig: inWorkingDirectory(raw['baseline-config']),
    comment: raw.comment,
    failOnGate: raw['fail-on-gate'],
    reportPath: inDirectory(
      common.workingDirectory,
      raw['report-path'] ||
        `${reportDirectory(common.workingDirectory)}/evaluate-${common.loaded.config.model.name}.json`,
    ),
    models: raw.models,
  };
}
