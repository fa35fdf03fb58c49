// Per-feature missing and unknown settings (modelship.yml): validated once, then applied the same
// way by evaluate, serve's /predict, drift's prediction drift and train's model check.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config/modelshipConfig.js';
import { useTempDir } from './helpers/tempDir.js';
import { modelshipErrorOf } from './helpers/modelshipErrorOf.js';

const dir = useTempDir();

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function configWith(features: string): string {
  return `model:
  name: m
  task: regression
  path: model.onnx
  target: y
  features:
${features}
`;
}

const errorOf = modelshipErrorOf;

describe('missing and unknown in modelship.yml', () => {
  it('reads the settings, the object form of a numeric column and the string shorthand', () => {
    const file = write(
      'ok.yml',
      configWith(`    - income
    - { column: age, missing: 0 }
    - { column: contract, one_hot: [a, b], missing: zeros, unknown: zeros }
    - { column: phone, map: { "yes": 1, "no": 0 }, missing: -1, unknown: 0.5 }
    - { column: region, one_hot: [n, s], missing: error, unknown: error }`),
    );
    expect(loadConfig(file).config.model.features).toEqual([
      'income',
      { column: 'age', missing: 0 },
      { column: 'contract', one_hot: ['a', 'b'], missing: 'zeros', unknown: 'zeros' },
      { column: 'phone', map: { yes: 1, no: 0 }, missing: -1, unknown: 0.5 },
      { column: 'region', one_hot: ['n', 's'], missing: 'error', unknown: 'error' },
    ]);
  });

  it.each([
    [
      '{ column: income, unknown: zeros }',
      'model.features.0.unknown: a numeric feature has no categories to be unknown; remove unknown, or encode income with one_hot or map, got "zeros"',
    ],
    [
      '{ column: income, missing: zeros }',
      'model.features.0.missing: zeros is for one_hot features; income takes missing: <number> or error, got "zeros"',
    ],
    [
      '{ column: phone, map: { "yes": 1 }, missing: zeros }',
      'model.features.0.missing: zeros is for one_hot features; phone takes missing: <number> or error, got "zeros"',
    ],
    [
      '{ column: contract, one_hot: [a], missing: 0 }',
      'model.features.0.missing: a one_hot feature takes missing: zeros (all its inputs 0) or error, not a number, got 0',
    ],
    [
      '{ column: contract, one_hot: [a], unknown: 1 }',
      'model.features.0.unknown: a one_hot feature takes unknown: zeros (all its inputs 0) or error, not a number, got 1',
    ],
    [
      '{ column: phone, map: { "yes": 1 }, unknown: zeros }',
      'model.features.0.unknown: zeros is for one_hot features; a map feature takes unknown: <number> (its input) or error, got "zeros"',
    ],
    [
      '{ column: income, missing: blank }',
      'model.features.0.missing: expected a number, error or zeros, got "blank"',
    ],
    [
      '{ column: c, one_hot: [a], map: { "a": 1 } }',
      'model.features.0: a feature takes one of one_hot or map, not both, got a mapping',
    ],
  ])('refuses %s', (feature, message) => {
    const file = write('bad.yml', configWith(`    - ${feature}`));
    // file:line:column of the offending value, then the key path and the reason.
    const text = errorOf(() => loadConfig(file));
    expect(text.startsWith(`${file}:7:`)).toBe(true);
    expect(text.slice(text.indexOf(' ') + 1)).toBe(message);
  });
});
