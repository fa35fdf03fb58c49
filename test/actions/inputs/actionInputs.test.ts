// Each action declares its inputs once, as a zod schema in src/actions/<step>/inputs.ts: the
// schema and the common inputs name exactly the inputs its action.yml declares.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { commonInputSchema } from '../../../src/actions/commonInputs.js';
import type { InputSchema } from '../../../src/actions/inputs/readInputs.js';

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
