import * as core from '@actions/core';
import { isModelshipError, messageOf } from '../core/errors.js';

/** The one caller of `core.setFailed`: runs an action's `run()` and turns any failure into one sentence. */
export async function runAction(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (isModelshipError(error)) {
      core.setFailed(error.message);
    } else {
      core.debug(error instanceof Error ? (error.stack ?? error.message) : String(error));
      core.setFailed(`Modelship failed unexpectedly: ${messageOf(error)}`);
    }
  }
}
