import { z } from 'zod';
import { ModelshipError } from '../../core/errors.js';
import {
  inDirectory,
  readCommonInputs,
  reportDirectory,
  type CommonInputs,
} from '../commonInputs.js';
import { flagInput, readInputs } from '../inputs/readInputs.js';

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

/** The validate-data action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  data: z.string(),
  schema: z.string(),
  'report-path': z.string(),
  'fail-on-warning': flagInput(false),
});

/** Reads and checks the inputs; `data` and `schema` default to the config's data.train and data.schema. */
export function readValidateDataInputs(): ValidateDataInputs {
  const common = readCommonInputs({ step: 'validate-data' });
  const { loaded } = common;
  const raw = readInputs(inputSchema);
  const dataInput = raw.data || loaded?.config.data.train;
  const schemaInput = raw.schema || loaded?.config.data.schema;
  if (!dataInput)
    throw new ModelshipError(
      'validate-data needs a data file: set the data input, or data.train in modelship.yml.',
    );
  if (!schemaInput)
    throw new ModelshipError(
      'validate-data needs a data contract: set the schema input, or data.schema in modelship.yml.',
    );
  // An input resolves against working-directory, the config's value against the config's folder.
  const base = (input: string) => (input || !loaded ? common.workingDirectory : loaded.dir);
  return {
    ...common,
    data: inDirectory(base(raw.data), dataInput),
    dataLabel: dataInput,
    schema: inDirectory(base(raw.schema), schemaInput),
    reportPath: inDirectory(
      common.workingDirectory,
      raw['report-path'] || `${reportDirectory(common.workingDirectory)}/validate-report.json`,
    ),
    failOnWarning: raw['fail-on-warning'],
  };
}
