import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import * as core from '@actions/core';
import { ModelshipError } from '../core/errors.js';
import { z } from 'zod';

/** The config input's default in every action.yml; optional, unlike a config the user names. */
const DEFAULT_CONFIG = 'modelship.yml';

/** Inputs every Modelship action takes (docs/actions.md). */
export interface CommonInputs {
  /** Absolute working directory; relative paths resolve against it. */
  workingDirectory: string;
  /** Absolute path of modelship.yml, or undefined when it does not exist and was not asked for. */
  config: string | undefined;
  githubToken: string;
  workspace: string;
}

/**
 * Reads the common inputs; the token is masked in logs at once. A step that needs modelship.yml
 * names itself in `requireConfigFor`, and a missing config is then one sentence naming the step.
 */
export function readCommonInputs(options: {
  requireConfigFor: string;
}): CommonInputs & { config: string };
export function readCommonInputs(options?: { requireConfigFor?: undefined }): CommonInputs;
export function readCommonInputs(options: { requireConfigFor?: string } = {}): CommonInputs {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workingDirectory = resolve(workspace, core.getInput('working-directory') || '.');
  if (!existsSync(workingDirectory)) {
    throw new ModelshipError(
      `working-directory ${core.getInput('working-directory')} does not exist in the workspace; check the input.`,
    );
  }
  const configInput = core.getInput('config');
  const configPath = inDirectory(workingDirectory, configInput || DEFAULT_CONFIG);
  // The runner passes action.yml's default (modelship.yml) as if it were set: only another name
  // is a config the user asked for, and must exist.
  if (configInput && configInput !== DEFAULT_CONFIG && !existsSync(configPath)) {
    throw new ModelshipError(
      `config ${configInput}: file not found in ${workingDirectory}; check the config input.`,
    );
  }
  const githubToken = core.getInput('github-token');
  if (githubToken) core.setSecret(githubToken);
  const config = existsSync(configPath) ? configPath : undefined;
  if (!config && options.requireConfigFor) {
    throw new ModelshipError(
      `${options.requireConfigFor} needs modelship.yml: none found in ${workingDirectory}; set the config input.`,
    );
  }
  return {
    workingDirectory,
    config,
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

/** A true/false action input in a zod schema: empty takes `fallback` (YAML 1.2 core spellings). */
export const flagInput = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['', 'true', 'false', 'yes', 'no', '1', '0']))
    .transform((v) => (v === '' ? fallback : ['true', 'yes', '1'].includes(v)));

/** A true/false input with a default when it is not set (core.getBooleanInput throws then). */
export function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === '') return fallback;
  if (['true', 'yes', '1'].includes(value)) return true;
  if (['false', 'no', '0'].includes(value)) return false;
  throw new ModelshipError(`input ${name} is "${value}"; expected true or false.`);
}
