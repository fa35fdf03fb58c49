import { ModelshipError } from '../core/errors.js';
import { inputValue } from './inputs/readInputs.js';
import { runStep } from './runStep.js';
import { STEPS, isStepName } from './steps.js';

/** Runs the step named by the `command` input. */
export async function run(): Promise<void> {
  // Not `required: true`: its plain Error would surface as an unexpected failure, not a sentence.
  const command = inputValue('command');
  if (!isStepName(command)) {
    const expected = `expected one of ${Object.keys(STEPS).join(', ')}`;
    throw new ModelshipError(
      command
        ? `command "${command}" is not a Modelship step; ${expected}.`
        : `the command input is not set; ${expected}.`,
    );
  }
  // The root action's `command` names the step; the train step's own command input arrives as
  // `train-command` and takes the `command` name the step reads.
  process.env.INPUT_COMMAND = process.env['INPUT_TRAIN-COMMAND'] ?? '';
  await runStep(command);
}
