// A model whose scores are NaN: the error says which model, the candidate or the baseline.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../../src/core/evaluation/evaluate.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { EXAMPLE_CONFIG, trainModel, writeProject } from '../../support/evaluateProject.js';
import { buildCliIfStale, runCli } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const good = join(dir, 'good.onnx');
const nan = join(dir, 'nan.onnx');
let config: string;

beforeAll(async () => {
  buildCliIfStale();
  const width = featureWidth(loadConfig(EXAMPLE_CONFIG).config.model.features!);
  writeFileSync(good, await trainModel({ l2: 1 }));
  writeFileSync(
    nan,
    logisticRegressionModel({ weights: Array<number>(width).fill(NaN), bias: 0, output: 'proba2' }),
  );
  config = writeProject(dir, { model: good });
});

describe('a NaN score', () => {
  it('from the baseline names the baseline model', async () => {
    const run = evaluate({
      config: loadConfig(config),
      baseline: { path: nan, label: 'production' },
      executionProviders: ['cpu'],
    });
    await expect(run).rejects.toThrow(
      new RegExp(`^${nan.replace(/[.]/g, '\\.')} \\(the baseline \\(production\\) model\\): .*NaN`),
    );
    const cli = runCli(['evaluate', '-c', config, '--baseline', nan], dir);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(new RegExp(`^modelship: ${nan} \\(the baseline model\\): .*NaN`));
  });

  it('from the candidate names the candidate model', async () => {
    const run = evaluate({ config: loadConfig(config), model: nan, executionProviders: ['cpu'] });
    await expect(run).rejects.toThrow(/\(the candidate model\): .*NaN/);
  });
});
