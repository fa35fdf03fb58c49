import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as core from '@actions/core';
import { z } from 'zod';
import { loadConfig, type LoadedConfig } from '../core/config/modelshipConfig.js';
import { ModelshipError } from '../core/errors.js';
import { readInputs, textInput } from './inputs/readInputs.js';

/** The config input's default in every action.yml; optional, unlike a config the user names. */
const DEFAULT_CONFIG = 'modelship.yml';

/** The inputs every Modelship action takes (docs/actions.md), as in each action.yml. */
export const commonInputSchema = z.object({
  'working-directory': z.string(),
  config: textInput(DEFAULT_CONFIG),
  'github-token': z.string(),
});

/** Inputs every Modelship action takes, with modelship.yml loaded once. */
export interface CommonInputs {
  /** Absolute working directory; relative paths resolve against it. */
  workingDirectory: string;
  /** Absolute path of modelship.yml, or undefined when it does not exist and was not asked for. */
  config: string | undefined;
  /** modelship.yml, read and checked, when there is one. */
  loaded: LoadedConfig | undefined;
  githubToken: string;
  workspace: string;
}

/** The common inputs of a step that cannot run without modelship.yml. */
export type CommonInputsWithConfig = CommonInputs & { config: string; loaded: LoadedConfig };

/**
 * Reads the common inputs and loads modelship.yml when there is one; the token is masked in logs
 * at once. A step that needs modelship.yml sets `requireConfig`, and a missing config is then
 * one sentence naming the step; one that never reads it (affected) sets `readConfig: false`.
 */
export function readCommonInputs(options: {
  step: string;
  requireConfig: true;
}): CommonInputsWithConfig;
export function readCommonInputs(options: {
  step: string;
  requireConfig?: false;
  readConfig?: false;
}): CommonInputs;
export function readCommonInputs(options: {
  step: string;
  requireConfig?: boolean;
  readConfig?: boolean;
}): CommonInputs {
  const inputs = readInputs(commonInputSchema);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workingDirectory = resolve(workspace, inputs['working-directory'] || '.');
  if (!existsSync(workingDirectory)) {
    throw new ModelshipError(
      `working-directory ${inputs['working-directory']} does not exist in the workspace; check the input.`,
    );
  }
  const configPath = inDirectory(workingDirectory, inputs.config);
  // The runner passes action.yml's default (modelship.yml) as if it were set: only another name
  // is a config the user asked for, and must exist.
  if (inputs.config !== DEFAULT_CONFIG && !existsSync(configPath)) {
    throw new ModelshipError(
      `config ${inputs.config}: file not found in ${workingDirectory}; check the config input.`,
    );
  }
  const githubToken = inputs['github-token'];
  if (githubToken) core.setSecret(githubToken);
  const config = existsSync(configPath) ? configPath : undefined;
  if (!config && options.requireConfig) {
    throw new ModelshipError(
      `${options.step} needs modelship.yml: none found in ${workingDirectory}; set the config input.`,
    );
  }
  return {
    workingDirectory,
    config,
    loaded: config && options.readConfig !== false ? loadConfig(config) : undefined,
    githubToken,
    workspace,
  };
}

/** A path from an input, resolved against the working directory. */
export function inDirectory(directory: string, path: string): string {
  return isAbsolute(path) ? path : join(directory, path);
}

/** Where an action writes its reports: RUNNER_TEMP on a runner, the working directory elsewhere. */
export function reportDirectory(workingDirectory: string): string {
  return join(process.env.RUNNER_TEMP ?? join(workingDirectory, '.modelship-out'), 'modelship');
}
