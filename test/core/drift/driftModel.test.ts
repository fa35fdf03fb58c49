// Prediction drift and performance now against release, with a logistic regression trained on the
// credit-risk example: the score distribution of the training data against current.csv.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../../src/core/config/modelshipConfig.js';
import { buildProfile } from '../../../src/core/data/profile.js';
import { computeDrift, type DriftReport } from '../../../src/core/drift/index.js';
import { predictionProfile } from '../../../src/core/drift/modelDrift.js';
import { evaluate } from '../../../src/core/evaluation/evaluate.js';
import { EXAMPLE, TRAIN_CSV, trainModel, writeProject } from '../../support/evaluateProject.js';
import { useTempDir } from '../../support/tempDir.js';

const CURRENT = join(EXAMPLE, 'data/current.csv');
const dir = useTempDir();
let loaded: LoadedConfig;
let model: string;
let report: DriftReport;
let recorded: Record<string, number | null>;

/** The two-sample KS statistic by brute force over every value of either sample. */
function ksStatistic(a: number[], b: number[]): number {
  const all = [...new Set([...a, ...b])];
  let d = 0;
  for (const x of all) {
    const fa = a.filter((v) => v <= x).length / a.length;
    const fb = b.filter((v) => v <= x).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

beforeAll(async () => {
  model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  loaded = loadConfig(writeProject(dir, { model }));
  // metrics.json as a release records it: the evaluation report on the holdout.
  const atRelease = await evaluate({ config: loaded });
  recorded = atRelease.metrics;
  writeFileSync(join(dir, 'metrics.json'), JSON.stringify(atRelease));
  report = await computeDrift({
    reference: TRAIN_CSV,
    current: CURRENT,
    config: loaded,
    modelPath: model,
    referenceMetrics: join(dir, 'metrics.json'),
  });
});

describe('prediction drift', () => {
  it('compares P(positive) on reference and current with the method Evidently would pick', async () => {
    const p = report.prediction!;
    expect(p.output).toBe('P(bad)');
    expect(p.type).toBe('numeric');
    expect(p.method).toBe('ks'); // 700 training rows: N <= 1000
    expect(p.score).toBeGreaterThanOrEqual(0);
    expect(p.score).toBeLessThanOrEqual(1);
    expect(p.psi).not.toBeNull();
    expect(p.reference.count).toBe(700);
  });

  it('has the KS statistic of the two score samples', async () => {
    const profile = await predictionProfile(loaded, model, TRAIN_CSV);
    const current = await predictionProfile(loaded, model, CURRENT);
    const expand = (c: typeof profile) =>
      c.kind === 'numeric' ? c.values!.flatMap((v) => Array<number>(v.count).fill(v.value)) : [];
    expect(report.prediction!.statistic!).toBeCloseTo(
      ksStatistic(expand(profile), expand(current)),
      12,
    );
  });

  it('reads the reference scores from a profile made with the model', async () => {
    const profile = await buildProfile(TRAIN_CSV);
    profile.prediction = await predictionProfile(loaded, model, TRAIN_CSV);
    const path = join(dir, 'profile.json');
    writeFileSync(path, JSON.stringify(profile));
    const viaProfile = await computeDrift({
      reference: path,
      current: CURRENT,
      config: loaded,
      modelPath: model,
    });
    expect(viaProfile.prediction!.score).toBeCloseTo(report.prediction!.score!, 12);
  });

  it('says why when the profile holds no reference scores', async () => {
    const path = join(dir, 'plain.json');
    writeFileSync(path, JSON.stringify(await buildProfile(TRAIN_CSV)));
    const r = await computeDrift({
      reference: path,
      current: CURRENT,
      config: loaded,
      modelPath: model,
    });
    expect(r.prediction).toBeUndefined();
    expect(r.notes.join(' ')).toMatch(/Prediction drift needs the reference scores/);
  });
});

describe('performance now against release', () => {
  it('computes the metrics on labelled current data and the change since release', async () => {
    const now = await evaluate({ config: loaded, data: CURRENT });
    const perf = report.performance!;
    expect(perf.rows).toBe(now.rows);
    for (const [name, value] of Object.entries(now.metrics)) {
      expect(perf.metrics[name]!.current).toBeCloseTo(value!, 12);
      expect(perf.metrics[name]!.reference).toBe(recorded[name]);
      expect(perf.metrics[name]!.change!).toBeCloseTo(value! - recorded[name]!, 12);
    }
  });
});
