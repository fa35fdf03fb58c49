import * as core from '@actions/core';
import { z } from 'zod';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import { ModelshipError } from '../../core/errors.js';
import {
  inDirectory,
  readCommonInputs,
  reportDirectory,
  type CommonInputs,
} from '../commonInputs.js';
import { flagInput, readInputs, textInput } from '../inputs/readInputs.js';

/** The drift-check action's inputs, read once. */
export interface DriftCheckInputs extends CommonInputs {
  loaded: LoadedConfig;
  /** Absolute path or glob, or a URL DuckDB reads (http(s)://, s3://). */
  current: string;
  /** The current data as the user named it, for the report and the retraining file. */
  currentLabel: string;
  /** `production`, a release tag `<name>-v<semver>`, or an absolute path to data or profile.json. */
  reference: string;
  openIssue: boolean;
  openPr: boolean;
  failOnDrift: boolean;
  /** The GitHub Deployment environment production runs in: where a rollback looks. */
  environment: string;
  reportPath: string;
  /** The workflow's own token (`${{ github.token }}`), to tell whether `github-token` is it. */
  workflowToken: string | undefined;
}

const URL_PATTERN = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The drift-check action's own inputs, as in its action.yml (the common ones are read apart). */
export const inputSchema = z.object({
  current: z.string(),
  reference: textInput('production'),
  'open-issue': flagInput(true),
  'open-pr': flagInput(true),
  'fail-on-drift': flagInput(false),
  // Named in the issue text: only the characters GitHub's environment names take.
  environment: textInput('production').pipe(
    z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, {
      error: 'an environment name of letters, digits, dots, dashes and underscores',
    }),
  ),
  'report-path': z.string(),
  'workflow-token': z.string(),
});

/** Reads and checks the inputs; `current` defaults to the config's data.current. */
export function readDriftCheckInputs(): DriftCheckInputs {
  const common = readCommonInputs({ step: 'drift-check', requireConfig: true });
  const { loaded } = common;
  const raw = readInputs(inputSchema);
  const workflowToken = raw['workflow-token'] || undefined;
  if (workflowToken) core.setSecret(workflowToken);

  const currentLabel = raw.current || loaded.config.data.current;
  if (!currentLabel) {
    throw new ModelshipError(
      'drift-check needs current data: set the current input (a path, glob or URL), or data.current in modelship.yml.',
    );
  }
  // The input resolves against working-directory, the config's value against the config's folder.
  const base = raw.current ? common.workingDirectory : loaded.dir;
  const current = URL_PATTERN.test(currentLabel) ? currentLabel : inDirectory(base, currentLabel);
  const name = loaded.config.model.name;
  return {
    ...common,
    loaded,
    current,
    currentLabel,
    reference: raw.reference,
    openIssue: raw['open-issue'],
    openPr: raw['open-pr'],
    failOnDrift: raw['fail-on-drift'],
    environment: raw.environment,
    reportPath: inDirectory(
      common.workingDirectory,
      raw['report-path'] || `${reportDirectory(common.workingDirectory)}/drift-${name}.json`,
    ),
    workflowToken,
  };
}
