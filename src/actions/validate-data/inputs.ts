import * as core from '@actions/core';
import { loadConfig } from '../../core/config/modelshipConfig.js';
import { ModelshipError } from '../../core/errors.js';
import {
  booleanInput,
  inDirectory,
  readCommonInputs,
  reportDirectory,
  type CommonInputs,
} from '../commonInputs.js';

/** The validate-data action's inputs, read once. */
export interface ValidateDataInputs extends CommonInputs {
  /** Data file or glob, absolute. */
  data: string;
  /** The data as the user named it, for messages. */
  dataLabel: string;
  schema: string;
  reportPath: string;
  failOnWarning: boolean;
}

/** Reads and checks the inputs; `data` and `schema` default to the config's data.train and data.schema. */
export function readValidateDataInputs(): ValidateDataInputs {
  const common = readCommonInputs();
  const loaded = common.config ? loadConfig(common.config) : undefined;
  const dataInput = core.getInput('data') || loaded?.config.data.train;
  const schemaInput = core.getInput('schema') || loaded?.config.data.schema;
  const base = core.getInput('data') || !loaded ? common.workingDirectory : loaded.dir;
  if (!dataInput)
    throw new ModelshipError(
      'validate-data needs a data file: set the data input, or data.train in modelship.yml.',
    );
  if (!schemaInput)
    throw new ModelshipError(
      'validate-data needs a data contract: set the schema input, or data.schema in modelship.yml.',
    );
  const schemaBase = core.getInput('schema') || !loaded ? common.workingDirectory : loaded.dir;
  return {
    ...common,
    data: inDirectory(base, dataInput),
    dataLabel: dataInput,
    schema: inDirectory(schemaBase, schemaInput),
    reportPath: inDirectory(
      common.workingDirectory,
      core.getInput('report-path') ||
        `${reportDirectory(common.workingDirectory)}/validate-report.json`,
    ),
    failOnWarning: booleanInput('fail-on-warning', false),
  };
}
