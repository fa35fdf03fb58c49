// Each action declares its inputs once, as a zod schema in src/actions/<step>/inputs.ts: the
// schema and the common inputs name exactly the inputs its action.yml declares.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { commonInputSchema } from '../../../src/actions/commonInputs.js';
import { readInputs, type InputSchema } from '../../../src/actions/inputs/readInputs.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const STEPS = readdirSync(join(ROOT, 'actions')).filter((step) =>
  existsSync(join(ROOT, 'actions', step, 'action.yml')),
);

function declaredInputs(step: string): string[] {
  const manifest = parseYaml(readFileSync(join(ROOT, 'actions', step, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, unknown>;
  };
  return Object.keys(manifest.inputs ?? {}).sort();
}

describe("each action's input schema", () => {
  it('covers every action', () => {
    expect(STEPS.length).toBeGreaterThanOrEqual(8);
    for (const step of STEPS)
      expect(existsSync(join(ROOT, 'src/actions', step, 'inputs.ts'))).toBe(true);
  });

  for (const step of STEPS) {
    it(`${step}: names exactly the inputs of actions/${step}/action.yml`, async () => {
      const { inputSchema } = (await import(`../../../src/actions/${step}/inputs.ts`)) as {
        inputSchema: InputSchema;
      };
      const own = Object.keys(inputSchema.shape);
      const common = Object.keys(commonInputSchema.shape);
      expect(own.filter((name) => common.includes(name))).toEqual([]);
      expect([...own, ...common].sort()).toEqual(declaredInputs(step));
    });
  }
});

describe('what a bad value of an action input says', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  /** The sentence `step`'s schema gives for `inputs` (the others left empty). */
  async function badValue(step: string, inputs: Record<string, string>): Promise<string> {
    const { inputSchema } = (await import(`../../../src/actions/${step}/inputs.ts`)) as {
      inputSchema: InputSchema;
    };
    for (const name of Object.keys(inputSchema.shape))
      vi.stubEnv(`INPUT_${name.toUpperCase()}`, '');
    for (const [name, value] of Object.entries(inputs))
      vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
    return modelshipErrorOf(() => readInputs(inputSchema));
  }

  it.each([
    [
      'deploy',
      { url: 'not a url' },
      'input url is "not a url"; expected an http(s) URL or nothing.',
    ],
    [
      'deploy',
      { environment: 'prod env' },
      'input environment is "prod env"; expected an environment name of letters, digits, dots, dashes and underscores.',
    ],
    ['train', { gpu: 'cuda' }, 'input gpu is "cuda"; expected required, optional or none.'],
    [
      'train',
      { 'timeout-minutes': '-5' },
      'input timeout-minutes is "-5"; expected a positive number of minutes.',
    ],
    [
      'train',
      { 'timeout-minutes': 'an hour' },
      'input timeout-minutes is "an hour"; expected a positive number of minutes.',
    ],
    [
      'publish-model',
      { bump: 'huge' },
      'input bump is "huge"; expected one of auto, major, minor, patch.',
    ],
    ['affected', { status: 'on' }, 'input status is "on"; expected true or false.'],
  ])('%s %j', async (step, inputs, sentence) => {
    expect(await badValue(step, inputs)).toBe(sentence);
  });
});
