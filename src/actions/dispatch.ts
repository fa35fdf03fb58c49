import * as core from '@actions/core';
import { ModelshipError } from '../core/errors.js';
import { run as validateData } from './validate-data/main.js';

/** The steps the root action.yml can run, by its `command` input. */
const COMMANDS: Record<string, () => Promise<void>> = {
  'validate-data': validateData,
};

/** Runs the step named by the `command` input. */
export async function run(): Promise<void> {
  const command = core.getInput('command', { required: true });
  const step = COMMANDS[command];
  if (!step) {
    throw new ModelshipError(
      `command "${command}" is not a Modelship step; expected one of ${Object.keys(COMMANDS).join(', ')}.`,
    );
  }
  await step();
}
