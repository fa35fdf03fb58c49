// The credit-risk example's PyTorch trainer (examples/credit-risk/train.py), run as the train step
// runs it: its ONNX export must meet Modelship's input contract (docs/evaluate-and-gate.md) and evaluate well,
// and its feature vector must be the one buildFeatureMatrix builds. Needs /usr/bin/python3 with
// PyTorch and PyYAML (Debian: python3-torch python3-yaml; .ci/run installs them): skipped without
// them, failed with MODELSHIP_REQUIRE_ALL_TESTS=1 (test/support/systemRequirements.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../../src/core/evaluation/evaluate.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { loadOnnxModel } from '../../../src/core/model/onnxModel.js';
import { loadEvaluationData } from '../../../src/core/model/evaluationData.js';
import { SYSTEM_PYTHON, systemRequirements } from '../../support/systemRequirements.js';
import { useTempDir } from '../../support/tempDir.js';

const PYTHON = SYSTEM_PYTHON;
const torch = systemRequirements(['python-torch']);
const EXAMPLE = resolve('examples/credit-risk');
const CONFIG = join(EXAMPLE, 'modelship.yml');
// Skipped, the file runs none of its hooks: no directory that its afterAll would remove.
const dir = torch.skip ? '' : useTempDir();
const modelPath = join(dir, 'model', 'model.onnx');

interface TrainMetrics {
  split: string;
  rows: number;
  device: string;
  torch: string;
  metrics: { accuracy: number; roc_auc: number | null; log_loss: number };
}

/** Runs train.py with the environment `modelship train` sets. */
function runTrainer(config: string, model: string, outputDir: string) {
  return spawnSync(PYTHON, [join(EXAMPLE, 'train.py')], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 50_000,
    env: {
      ...process.env,
      MODELSHIP_CONFIG: config,
      MODELSHIP_MODEL_PATH: model,
      MODELSHIP_OUTPUT_DIR: outputDir,
      // CI has no GPU; keep a developer's GPU out of it too, so runs compare.
      CUDA_VISIBLE_DEVICES: '',
    },
  });
}

let trained: TrainMetrics;

beforeAll(() => {
  torch.check();
  const run = runTrainer(CONFIG, modelPath, join(dir, 'out'));
  if (run.status !== 0) {
    throw new Error(`train.py failed (${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
  }
  expect(run.stdout).toMatch(/training on cpu/);
  trained = JSON.parse(readFileSync(join(dir, 'out', 'metrics.json'), 'utf8')) as TrainMetrics;
}, 60_000);

describe('examples/credit-risk/train.py', torch.options, () => {
  it('writes metrics.json for the training split', () => {
    expect(trained).toMatchObject({ split: 'train', rows: 700, device: 'cpu' });
    expect(trained.torch).toMatch(/^\d+\.\d+/);
    expect(trained.metrics.roc_auc).toBeGreaterThan(0.75);
    expect(trained.metrics.log_loss).toBeLessThan(0.6);
  });

  it('exports a float32 [N, 26] → [N, 2] probability model', async () => {
    const { config } = loadConfig(CONFIG);
    const width = featureWidth(config.model.features!);
    expect(width).toBe(26);
    const model = await loadOnnxModel(modelPath, { features: width });
    try {
      expect(model.inputName).toBe('input');
      expect(model.inputShape).toEqual(['N', 26]);
      expect(model.outputNames).toEqual(['probabilities']);
      const data = await loadEvaluationData(join(EXAMPLE, 'data', 'eval.csv'), {
        features: config.model.features!,
        target: config.model.target,
      });
      const out = await model.runTensor(data.matrix, data.rows);
      expect(out.dims).toEqual([data.rows, 2]);
      for (let i = 0; i < data.rows; i++) {
        const [q, p] = [out.data[2 * i]!, out.data[2 * i + 1]!];
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(q + p).toBeCloseTo(1, 5);
      }
    } finally {
      await model.release();
    }
  });

  it('evaluates well on the holdout', async () => {
    const report = await evaluate({
      config: loadConfig(CONFIG),
      model: modelPath,
      baseline: null,
      executionProviders: ['cpu'],
    });
    expect(report.rows).toBe(300);
    expect(report.metrics.roc_auc).toBeGreaterThan(0.7);
    expect(report.metrics.log_loss).toBeLessThan(0.65);
    expect(report.metrics.accuracy).toBeGreaterThan(0.7);
  });

  it('builds the features as Modelship does: its train metrics match evaluate on train.csv', async () => {
    const report = await evaluate({
      config: loadConfig(CONFIG),
      model: modelPath,
      data: join(EXAMPLE, 'data', 'train.csv'),
      baseline: null,
      executionProviders: ['cpu'],
    });
    expect(report.rows).toBe(trained.rows);
    expect(report.metrics.accuracy).toBeCloseTo(trained.metrics.accuracy, 6);
    expect(report.metrics.roc_auc).toBeCloseTo(trained.metrics.roc_auc!, 4);
    expect(report.metrics.log_loss).toBeCloseTo(trained.metrics.log_loss, 4);
  });

  it('is deterministic: a second run writes the same model', () => {
    const again = join(dir, 'again', 'model.onnx');
    const run = runTrainer(CONFIG, again, join(dir, 'again'));
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(again).equals(readFileSync(modelPath))).toBe(true);
  });

  it('names the row and column of a category modelship.yml does not list', () => {
    const project = join(dir, 'bad');
    mkdirSync(join(project, 'data'), { recursive: true });
    writeFileSync(join(project, 'modelship.yml'), readFileSync(CONFIG));
    const lines = readFileSync(join(EXAMPLE, 'data', 'train.csv'), 'utf8').split('\n');
    lines[2] = lines[2]!.replace(',for free,', ',castle,');
    writeFileSync(join(project, 'data', 'train.csv'), lines.join('\n'));
    const run = runTrainer(join(project, 'modelship.yml'), join(project, 'm.onnx'), project);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('train.csv row 2: housing "castle" is not one of the 3 one_hot');
  });
});
