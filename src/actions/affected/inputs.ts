import { z } from 'zod';
import { readCommonInputs, type CommonInputs } from '../commonInputs.js';
import { modelsInput } from '../inputs/modelsInput.js';
import { flagInput, optionalInput, readInputs, textInput } from '../inputs/readInputs.js';

/** The affected action's inputs, read once. */
export interface AffectedInputs extends CommonInputs {
  /** The commit the change starts from; undefined: the event's base. */
  base: string | undefined;
  head: string;
  all: boolean;
  status: boolean;
  conclude: boolean;
  /** The affected models as given (a JSON list or names); undefined: work them out. */
  models: string[] | undefined;
}

/** The affected action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  base: optionalInput(),
  head: textInput('HEAD'),
  all: flagInput(false),
  models: modelsInput(),
  status: flagInput(true),
  conclude: flagInput(false),
});

export function readAffectedInputs(): AffectedInputs {
  // affected finds every model's config itself; the root modelship.yml is not read here.
  const common = readCommonInputs({ step: 'affected', readConfig: false });
  const { base, head, all, models, status, conclude } = readInputs(inputSchema);
  return { ...common, base, head, all, status, conclude, models };
}
