// The inputs every action takes: the working directory, modelship.yml (loaded once, here) and
// the token; a step that needs modelship.yml says so in one sentence naming itself.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readCommonInputs } from '../../src/actions/commonInputs.js';
import { EXAMPLE_CONFIG } from '../support/evaluateProject.js';
import { modelshipErrorOf } from '../support/modelshipErrorOf.js';
import { useTempDir } from '../support/tempDir.js';

const workspace = useTempDir();
mkdirSync(join(workspace, 'ml'));
mkdirSync(join(workspace, 'empty'));
copyFileSync(EXAMPLE_CONFIG, join(workspace, 'ml/modelship.yml'));
writeFileSync(join(workspace, 'ml/broken.yml'), 'model: [\n');

beforeEach(() => {
  vi.stubEnv('GITHUB_WORKSPACE', workspace);
  // What the runner passes from action.yml's defaults.
  vi.stubEnv('INPUT_CONFIG', 'modelship.yml');
  vi.stubEnv('INPUT_WORKING-DIRECTORY', '.');
  vi.stubEnv('INPUT_GITHUB-TOKEN', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('readCommonInputs', () => {
  it('loads modelship.yml of the working directory, for a step that requires it', () => {
    vi.stubEnv('INPUT_WORKING-DIRECTORY', 'ml');
    const common = readCommonInputs({ step: 'gate', requireConfig: true });
    expect(common.workingDirectory).toBe(join(workspace, 'ml'));
    expect(common.config).toBe(join(workspace, 'ml/modelship.yml'));
    expect(common.loaded.file).toBe(join(workspace, 'ml/modelship.yml'));
    expect(common.loaded.config.model.name).toBe('credit-risk');
  });

  it('names the step when modelship.yml is missing, and passes without one when it is optional', () => {
    vi.stubEnv('INPUT_WORKING-DIRECTORY', 'empty');
    expect(modelshipErrorOf(() => readCommonInputs({ step: 'train', requireConfig: true }))).toBe(
      `train needs modelship.yml: none found in ${join(workspace, 'empty')}; set the config input.`,
    );
    const common = readCommonInputs({ step: 'validate-data' });
    expect(common.config).toBeUndefined();
    expect(common.loaded).toBeUndefined();
  });

  it('refuses a config the user named that is not there, and a working directory that is not', () => {
    vi.stubEnv('INPUT_CONFIG', 'ml/other.yml');
    expect(modelshipErrorOf(() => readCommonInputs({ step: 'deploy' }))).toBe(
      `config ml/other.yml: file not found in ${workspace}; check the config input.`,
    );
    vi.stubEnv('INPUT_WORKING-DIRECTORY', 'nowhere');
    expect(modelshipErrorOf(() => readCommonInputs({ step: 'deploy' }))).toBe(
      'working-directory nowhere does not exist in the workspace; check the input.',
    );
  });

  it('reads the config only for a step that reads it: a broken one stops evaluate, not affected', () => {
    vi.stubEnv('INPUT_CONFIG', 'ml/broken.yml');
    expect(
      modelshipErrorOf(() => readCommonInputs({ step: 'evaluate', requireConfig: true })),
    ).toMatch(/broken\.yml/);
    const common = readCommonInputs({ step: 'affected', readConfig: false });
    expect(common.config).toBe(join(workspace, 'ml/broken.yml'));
    expect(common.loaded).toBeUndefined();
  });
});
