import * as core from '@actions/core';
import { loadConfig, type LoadedConfig } from '../../core/config/modelshipConfig.js';
import {
  booleanInput,
  inDirectory,
  readCommonInputs,
  reportDirectory,
  type CommonInputs,
} from '../commonInputs.js';
import { readModelsInput } from '../aggregateGate.js';

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

export function readEvaluateInputs(): EvaluateInputs {
  const common = readCommonInputs({ requireConfigFor: 'evaluate' });
  const loaded = loadConfig(common.config);
  const model = core.getInput('model');
  const data = core.getInput('data');
  const baselineConfig = core.getInput('baseline-config');
  const reportPath =
    core.getInput('report-path') ||
    `${reportDirectory(common.workingDirectory)}/evaluate-${loaded.config.model.name}.json`;
  return {
    ...common,
    loaded,
    model: model ? inDirectory(common.workingDirectory, model) : undefined,
    data: data ? inDirectory(common.workingDirectory, data) : undefined,
    baseline: core.getInput('baseline') || 'production',
    baselineConfig: baselineConfig
      ? inDirectory(common.workingDirectory, baselineConfig)
      : undefined,
    comment: booleanInput('comment', true),
    failOnGate: booleanInput('fail-on-gate', true),
    reportPath: inDirectory(common.workingDirectory, reportPath),
    models: readModelsInput(),
  };
}
