import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataContract } from '../../../src/core/config/dataContract.js';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { ModelshipError } from '../../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'modelship-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function errorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelshipError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

const VALID = `model:
  name: credit-risk
  task: binary-classification
  path: artifacts/model.onnx
  target: class
  positive: bad
  features:
    - duration
    - column: checking_status
      one_hot: ["<0", "no checking"]
    - column: own_telephone
      map: { "yes": 1, "none": 0 }
data:
  schema: data/schema.yml
  train: data/train.csv
metrics:
  roc_auc: { min: 0.75, max_regression: 0.01 }
  log_loss: { max: 0.6, max_relative_regression: 0.05 }
fairness:
  sensitive: [sex]
  thresholds:
    demographic_parity_ratio: { min: 0.8 }
`;

describe('modelship.yml', () => {
  it('loads a valid config with defaults and resolves paths against its directory', () => {
    const loaded = loadConfig(write('modelship.yml', VALID));
    expect(loaded.config.model.threshold).toBe(0.5);
    expect(loaded.config.train.gpu).toBe('optional');
    expect(loaded.config.drift).toEqual({ method: 'auto', share: 0.5 });
    expect(loaded.config.model.features).toHaveLength(3);
    expect(loaded.resolve('data/train.csv')).toBe(join(dir, 'data/train.csv'));
    expect(loaded.resolve('/abs/x.csv')).toBe('/abs/x.csv');
  });

  it('names file, line, column, key path and the expected value for a wrong type', () => {
    const file = write('wrong-type.yml', VALID.replace('min: 0.75', 'min: high'));
    expect(errorOf(() => loadConfig(file))).toBe(
      `${file}:17:19 metrics.roc_auc.min: expected a number, got "high"`,
    );
  });

  it('reports a missing required key at its parent', () => {
    const file = write('missing.yml', VALID.replace('  target: class\n', ''));
    expect(errorOf(() => loadConfig(file))).toBe(
      `${file}:2:3 model.target: is required (expected a string)`,
    );
  });

  it('points at an unknown key', () => {
    const file = write(
      'unknown.yml',
      VALID.replace('  positive: bad', '  positive: bad\n  treshold: 0.4'),
    );
    expect(errorOf(() => loadConfig(file))).toBe(
      `${file}:7:3 model.treshold: unknown key "treshold"`,
    );
  });

  it('rejects an enum value with the allowed values', () => {
    const file = write('task.yml', VALID.replace('binary-classification', 'classification'));
    expect(errorOf(() => loadConfig(file))).toMatch(
      new RegExp(
        `^${file}:3:9 model.task: expected one of "binary-classification", "multiclass-classification", "regression", got "classification"`,
      ),
    );
  });

  it('rejects a metric that does not belong to the task', () => {
    const file = write(
      'metric.yml',
      VALID.replace('binary-classification', 'regression').replace('  positive: bad\n', ''),
    );
    expect(errorOf(() => loadConfig(file))).toContain(
      'metrics.roc_auc: unknown metric for regression; expected one of mae, mse, rmse, r2',
    );
  });

  it("rejects a fairness rule of another task's disparities, and accepts the task's own", () => {
    const regression = VALID.replace('binary-classification', 'regression')
      .replace('  positive: bad\n', '')
      .replace(/metrics:\n.*\n.*\n/, 'metrics:\n  mae: { max: 3 }\n');
    expect(errorOf(() => loadConfig(write('fair.yml', regression)))).toContain(
      'fairness.thresholds.demographic_parity_ratio: not a fairness metric of regression; expected one of mae_difference, mae_ratio, rmse_difference, rmse_ratio',
    );
    const own = regression.replace(
      'demographic_parity_ratio: { min: 0.8 }',
      'mae_ratio: { min: 0.8 }',
    );
    const fairness = loadConfig(write('fair-own.yml', own)).config.fairness!;
    expect(fairness.thresholds).toEqual({ mae_ratio: { min: 0.8 } });
    expect(fairness.min_group_size).toBe(30);
  });

  it('reads slices: single columns and crosses, min_count and rules of the task', () => {
    const file = write(
      'slices.yml',
      `${VALID}slices:\n  by: [sex, [region, age_group]]\n  metrics:\n    roc_auc: { min: 0.65 }\n`,
    );
    expect(loadConfig(file).config.slices).toEqual({
      by: ['sex', ['region', 'age_group']],
      min_count: 30,
      metrics: { roc_auc: { min: 0.65 } },
    });
    const wrong = write(
      'slices-wrong.yml',
      `${VALID}slices:\n  by: [sex]\n  min_count: 50\n  metrics:\n    mae: { max: 1 }\n`,
    );
    expect(errorOf(() => loadConfig(wrong))).toContain(
      'slices.metrics.mae: unknown metric for binary-classification; expected one of accuracy, precision',
    );
  });

  it('rejects one drift threshold for the mixed tests of method auto', () => {
    const file = write('drift.yml', `${VALID}drift:\n  threshold: 0.2\n`);
    expect(errorOf(() => loadConfig(file))).toContain(
      'drift.threshold: a threshold needs a named drift.method',
    );
    const named = write('drift2.yml', `${VALID}drift:\n  method: psi\n  threshold: 0.2\n`);
    expect(loadConfig(named).config.drift).toMatchObject({ method: 'psi', threshold: 0.2 });
  });

  it('rejects an unknown metric name', () => {
    const file = write('metric2.yml', VALID.replace('roc_auc:', 'auc:'));
    expect(errorOf(() => loadConfig(file))).toBe(`${file}:17:3 metrics.auc: unknown key "auc"`);
  });

  it('rejects a model name that cannot be a tag', () => {
    const file = write('name.yml', VALID.replace('credit-risk', 'Credit Risk'));
    expect(errorOf(() => loadConfig(file))).toBe(
      `${file}:2:9 model.name: expected lower-case letters, digits and dashes, e.g. credit-risk, got "Credit Risk"`,
    );
  });

  it('needs exactly one of one_hot or map in a feature object', () => {
    const file = write(
      'feature.yml',
      VALID.replace('      map: { "yes": 1, "none": 0 }', '      scale: 2'),
    );
    expect(errorOf(() => loadConfig(file))).toContain(
      'model.features.2.scale: unknown key "scale"',
    );
  });

  it('reports invalid YAML with its position', () => {
    const file = write('invalid.yml', 'model:\n  name: [unclosed\n');
    expect(errorOf(() => loadConfig(file))).toMatch(
      new RegExp(`^${file}:\\d+:\\d+ invalid YAML: `),
    );
  });

  it('reports an empty file', () => {
    const file = write('empty.yml', '');
    expect(errorOf(() => loadConfig(file))).toBe(
      `${file}:1:1 (top level): is required (expected a mapping)`,
    );
  });

  it('reports a missing file', () => {
    expect(errorOf(() => loadConfig(join(dir, 'nope.yml')))).toBe(
      `${join(dir, 'nope.yml')}: config file not found; check the path.`,
    );
  });

  it('shows at most three problems and counts the rest', () => {
    const file = write(
      'many.yml',
      'model: { name: X, task: y, path: 1, target: 2, features: 3 }\nfoo: 1\nbar: 2\n',
    );
    expect(errorOf(() => loadConfig(file))).toMatch(/; and \d+ more$/);
  });
});

describe('schema.yml', () => {
  it('loads a contract with defaults', () => {
    const file = write(
      'schema.yml',
      'columns:\n  age: { type: integer, min: 18, max: 100 }\n  email: { type: string, pattern: "@", nullable: true, mostly: 0.99 }\nrows: { min: 10 }\n',
    );
    const { contract } = loadDataContract(file);
    expect(contract.extra_columns).toBe('error');
    expect(contract.columns.age).toEqual({
      type: 'integer',
      min: 18,
      max: 100,
      nullable: false,
      unique: false,
      mostly: 1,
    });
    expect(contract.columns.email?.mostly).toBe(0.99);
  });

  it.each([
    [
      'unknown type',
      'columns:\n  age: { type: int }\n',
      ':2:16 columns.age.type: expected one of "integer", "number", "string", "boolean", "timestamp", got "int"',
    ],
    [
      'unknown check',
      'columns:\n  age: { type: integer, maximum: 3 }\n',
      ':2:25 columns.age.maximum: unknown key "maximum"',
    ],
    [
      'min greater than max',
      'columns:\n  age: { type: integer, min: 9, max: 3 }\n',
      ':2:30 columns.age.min: min (9) is greater than max (3), got 9',
    ],
    [
      'invalid regex',
      'columns:\n  email: { type: string, pattern: "([" }\n',
      ':2:35 columns.email.pattern: is not a valid regular expression, got "(["',
    ],
    ['mostly above 1', 'columns:\n  a: { type: string, mostly: 2 }\n', ':2:30 columns.a.mostly: '],
    [
      'a string bound on a number',
      'columns:\n  a: { type: number, min: low }\n',
      ':2:27 columns.a.min: expected a number for a number column, got "low"',
    ],
    ['no columns', 'columns: {}\n', ':1:10 columns: must declare at least one column'],
    [
      'bad extra_columns',
      'columns:\n  a: { type: string }\nextra_columns: allow\n',
      ':3:16 extra_columns: expected one of "error", "warn", "ignore", got "allow"',
    ],
  ])('rejects %s', (_name, text, expected) => {
    const file = write('bad-schema.yml', text);
    expect(errorOf(() => loadDataContract(file))).toContain(`${file}${expected}`);
  });
});
