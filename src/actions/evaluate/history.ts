import * as core from '@actions/core';
import type { ReleaseMetrics } from '../../core/evaluation/evaluationReport.js';
import { messageOf } from '../../core/errors.js';
import type { ReleaseRepository } from '../../github/releases/apiRelease.js';
import { releaseHistory } from '../../github/releases/history.js';
import { ModelRegistry } from '../../github/releases/registry.js';

/**
 * The last production releases' metrics for the report's history charts. The charts only
 * illustrate: a registry that cannot be read leaves them out with a warning, never fails the step.
 */
export async function fetchHistory(
  github: ReleaseRepository,
  model: string,
): Promise<ReleaseMetrics[]> {
  try {
    return await releaseHistory(new ModelRegistry(github), model);
  } catch (error) {
    core.warning(
      `The report's history of ${model} was left out: its releases' metrics.json could not be read (${messageOf(error)}).`,
    );
    return [];
  }
}
