import * as core from '@actions/core';
import { ModelshipError } from '../core/errors.js';
import { run as deploy } from './deploy/main.js';
import { run as driftCheck } from './drift-check/main.js';
import { run as evaluate } from './evaluate/main.js';
import { run as gate } from './gate/main.js';
import { run as publishModel } from './publish-model/main.js';
import { run as train } from './train/main.js';
import { run as validateData } from './validate-data/main.js';

/** The steps the root action.yml can run, by its `command` input. */
const COMMANDS: Record<string, () => Promise<void>> = {
  'validate-data': validateData,
  train,
  evaluate,
  gate,
  'publish-model': publishModel,
  deploy,
  'drift-check': driftCheck,
};

/** Runs the step named by the `command` input. */
export async function run(): Promise<void> {
  // Not `required: true`: its plain Error would surface as an unexpected failure, not a sentence.
  const command = core.getInput('command');
  const step = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!step) {
    const expected = `expected one of ${Object.keys(COMMANDS).join(', ')}`;
    throw new ModelshipError(
      command
        ? `command "${command}" is not a Modelship step; ${expected}.`
        : `the command input is not set; ${expected}.`,
    );
  }
  // The root action's `command` names the step; the train step's own command input arrives as
  // `train-command` and takes the `command` name the step reads.
  process.env.INPUT_COMMAND = process.env['INPUT_TRAIN-COMMAND'] ?? '';
  await step();
}
