import { z } from 'zod';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import { inDirectory, readCommonInputs, type CommonInputs } from '../commonInputs.js';
import { modelsInput } from '../inputs/modelsInput.js';
import { flagInput, readInputs, requiredInput } from '../inputs/readInputs.js';

/** The gate action's inputs, read once. */
export interface GateInputs extends CommonInputs {
  loaded: LoadedConfig;
  /** The evaluation's JSON report, absolute. */
  report: string;
  failOnGate: boolean;
  /** The models the change affects, for the aggregate status; undefined: this model alone. */
  models: string[] | undefined;
}

/** The gate action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  report: requiredInput(
    'gate needs the report input: the JSON report of the evaluation to gate (evaluate writes it, or modelship evaluate --json); set report.',
  ),
  'fail-on-gate': flagInput(true),
  models: modelsInput(),
});

/** Reads every input before anything is written to GitHub, so a bad value fails first. */
export function readGateInputs(): GateInputs {
  const common = readCommonInputs({ step: 'gate', requireConfig: true });
  const raw = readInputs(inputSchema);
  return {
    ...common,
    report: inDirectory(common.workingDirectory, raw.report),
    failOnGate: raw['fail-on-gate'],
    models: raw.models,
  };
}
