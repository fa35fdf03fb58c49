/**
 * The root action (`uses: modelship/modelship@<sha>` with `command:`) runs any step, so it must
 * declare every input and output of every step: GitHub passes only declared inputs, and an
 * undeclared output cannot be read by later steps.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

interface Manifest {
  inputs?: Record<string, { description?: string }>;
  outputs?: Record<string, { description?: string }>;
}

const read = (path: string) => parse(readFileSync(path, 'utf8')) as Manifest;
const root = read(join(ROOT, 'action.yml'));
const steps = readdirSync(join(ROOT, 'actions')).filter((d) =>
  existsSync(join(ROOT, 'actions', d, 'action.yml')),
);

describe('the root action', () => {
  it.each(steps)('declares every input and output of %s', (step) => {
    const manifest = read(join(ROOT, 'actions', step, 'action.yml'));
    const missing = [
      ...Object.keys(manifest.inputs ?? {}).filter((k) => !root.inputs?.[k]),
      ...Object.keys(manifest.outputs ?? {}).filter((k) => !root.outputs?.[k]),
    ];
    expect(missing).toEqual([]);
  });

  it('names every step in its command input', () => {
    const description = root.inputs?.command?.description ?? '';
    for (const step of steps) expect(description).toContain(step);
  });
});
