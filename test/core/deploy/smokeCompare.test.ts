// The deploy smoke test's /predict comparison names the negative label as the served /predict
// does: model.negative, else the other value of the contract's `in` list (labelsOf).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { comparePredict, describeComparison } from '../../../src/core/deploy/smokeCompare.js';
import type { SmokeTestData } from '../../../src/core/release/smokeTestFormat.js';
import { labelsOf } from '../../../src/core/serve/serveTarget.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const probabilities = [0.9, 0.2, 0.1];
const smoke: SmokeTestData = {
  smoke_test_version: 1,
  model: 'credit',
  data: 'eval.csv',
  tolerance: 1e-5,
  rows: [{ x: 1 }, { x: 2 }, { x: 3 }],
  inputs: { name: 'input', output: 'probabilities', width: 1, data: [[1], [2], [3]] },
  expected: { kind: 'binary', positive: 'bad', threshold: 0.5, probabilities },
};
const answer = (labels: string[]) => ({ labels, probabilities });

/** The negative label /predict gives for a config (and contract) written here. */
function negativeOf(model: string): string | undefined {
  writeFileSync(join(dir, 'schema.yml'), 'columns:\n  class: { type: string, in: [good, bad] }\n');
  const config = `model:\n  name: credit\n  task: binary-classification\n  path: m.onnx\n  target: class\n  positive: bad\n${model}  features: [x]\ndata:\n  schema: schema.yml\n`;
  writeFileSync(join(dir, 'modelship.yml'), config);
  return labelsOf(loadConfig(join(dir, 'modelship.yml'))).negativeLabel;
}

describe('the smoke comparison of /predict labels', () => {
  it('expects the contract’s other value below the threshold, and names it', () => {
    const negative = negativeOf('');
    expect(negative).toBe('good');
    expect(comparePredict(smoke, answer(['bad', 'good', 'good']), negative).passed).toBe(true);
    const flipped = comparePredict(smoke, answer(['bad', 'bad', 'good']), negative);
    expect(flipped.mismatches).toEqual([
      { row: 2, what: 'label', expected: 'good', actual: 'bad' },
    ]);
    expect(describeComparison(flipped)).toBe(
      '/predict: row 2 label is bad, but the bundle recorded good.',
    );
  });

  it('fails a server that answers another negative label than the config names', () => {
    const result = comparePredict(smoke, answer(['bad', 'not bad', 'good']), negativeOf(''));
    expect(result.mismatches).toEqual([
      { row: 2, what: 'label', expected: 'good', actual: 'not bad' },
    ]);
  });

  it('takes model.negative before the contract', () => {
    const negative = negativeOf('  negative: fine\n');
    expect(negative).toBe('fine');
    const result = comparePredict(smoke, answer(['bad', 'good', 'fine']), negative);
    expect(result.mismatches).toEqual([
      { row: 2, what: 'label', expected: 'fine', actual: 'good' },
    ]);
  });

  it('without a known negative label, checks only that it is not the positive one', () => {
    expect(comparePredict(smoke, answer(['bad', 'ok', 'no'])).passed).toBe(true);
    const result = comparePredict(smoke, answer(['bad', 'bad', 'no']));
    expect(result.mismatches[0]?.expected).toBe('a label other than bad');
    expect(describeComparison(result)).not.toMatch(/not bad/);
  });
});
