// rollback: in modelship.yml: its default, its shape, and the sentence for a wrong value.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

const BASE = `model:
  name: credit-risk
  task: binary-classification
  path: model.onnx
  target: class
  positive: bad
data:
  train: train.csv
`;

function load(name: string, text: string) {
  const file = join(dir, name);
  writeFileSync(file, `${BASE}${text}`);
  return () => loadConfig(file);
}

describe('rollback in modelship.yml', () => {
  it('is manual with nothing judged by default', () => {
    expect(load('default.yml', '')().config.rollback).toEqual({ mode: 'manual' });
  });

  it('takes auto, a regression per metric and a share of extreme outputs', () => {
    const { rollback } = load(
      'auto.yml',
      'rollback:\n  mode: auto\n  max_regression: { roc_auc: 0.05, log_loss: 0.1 }\n  max_extreme_share: 0.02\n',
    )().config;
    expect(rollback).toEqual({
      mode: 'auto',
      max_regression: { roc_auc: 0.05, log_loss: 0.1 },
      max_extreme_share: 0.02,
    });
  });

  it("refuses another task's metric, a share above 1 and an unknown mode, naming the key", () => {
    expect(
      modelshipErrorOf(load('metric.yml', 'rollback:\n  max_regression: { rmse: 0.1 }\n')),
    ).toContain(
      'rollback.max_regression.rmse: unknown metric for binary-classification; expected one of accuracy',
    );
    expect(modelshipErrorOf(load('share.yml', 'rollback:\n  max_extreme_share: 5\n'))).toContain(
      'rollback.max_extreme_share',
    );
    expect(modelshipErrorOf(load('mode.yml', 'rollback:\n  mode: always\n'))).toContain(
      'rollback.mode',
    );
  });
});
