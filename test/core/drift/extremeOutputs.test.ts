// Extreme outputs: current scores that are NaN, ±inf or outside the range the release's scores
// spanned. Hand-counted on a small sample, then on the credit-risk example with planted extreme
// inputs, against a count by brute force over the scores themselves.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../../src/core/config/modelshipConfig.js';
import { buildProfile } from '../../../src/core/data/profile.js';
import { extremeOutputs } from '../../../src/core/drift/extremeOutputs.js';
import { computeDrift } from '../../../src/core/drift/index.js';
import { predictionProfile, scoreDistribution } from '../../../src/core/drift/modelDrift.js';
import { EVAL_CSV, TRAIN_CSV, trainModel, writeProject } from '../../support/evaluateProject.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
let loaded: LoadedConfig;
let model: string;

beforeAll(async () => {
  model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  loaded = loadConfig(writeProject(dir, { model }));
});

describe('extremeOutputs', () => {
  it('counts NaN, ±inf and scores outside the range; the bounds themselves are not extreme', () => {
    const scores = Float64Array.from([0.1, 0.2, 0.2, 0.5, 0.9, NaN, Infinity, 0.15, 0.8]);
    const dist = scoreDistribution({ kind: 'binary', scores }, loaded);
    if (dist.kind !== 'numeric') throw new Error('binary scores are numeric');
    const range = { min: 0.15, max: 0.8, source: 'by hand' };
    // 0.1 below, 0.9 above, NaN and Infinity not finite: 4 of 9.
    expect(extremeOutputs(dist, range)).toEqual({
      range,
      rows: 9,
      not_finite: 2,
      below: 1,
      above: 1,
      share: 4 / 9,
    });
  });

  it('is 0 of 0 without scores, and 0 when every score is inside', () => {
    const empty = scoreDistribution({ kind: 'regression', values: new Float64Array() }, loaded);
    const inside = scoreDistribution(
      { kind: 'regression', values: Float64Array.from([1, 2, 3]) },
      loaded,
    );
    if (empty.kind !== 'numeric' || inside.kind !== 'numeric') throw new Error('numeric');
    const range = { min: 1, max: 3, source: 'by hand' };
    expect(extremeOutputs(empty, range)).toMatchObject({ rows: 0, share: 0 });
    expect(extremeOutputs(inside, range)).toMatchObject({ rows: 3, below: 0, above: 0, share: 0 });
  });
});

describe('extreme outputs in the drift report', () => {
  it("counts current P(bad) outside the release profile's range, as a brute-force count does", async () => {
    // The holdout with credit_amount ×200 on its first 40 rows: P(bad) past the training range.
    const [header, ...rows] = readFileSync(EVAL_CSV, 'utf8').trim().split('\n');
    const at = header!.split(',').indexOf('credit_amount');
    const planted = rows.map((line, i) => {
      const fields = line.split(',');
      if (i < 40) fields[at] = String(Number(fields[at]) * 200);
      return fields.join(',');
    });
    const current = join(dir, 'planted.csv');
    writeFileSync(current, [header, ...planted].join('\n') + '\n');

    const profile = await buildProfile(TRAIN_CSV);
    profile.prediction = await predictionProfile(loaded, model, TRAIN_CSV);
    const profilePath = join(dir, 'profile.json');
    writeFileSync(profilePath, JSON.stringify(profile));
    const report = await computeDrift({
      reference: profilePath,
      current,
      config: loaded,
      modelPath: model,
    });

    const ref = profile.prediction;
    const now = await predictionProfile(loaded, model, current);
    if (ref.kind !== 'numeric' || now.kind !== 'numeric') throw new Error('P(bad) is numeric');
    let below = 0;
    let above = 0;
    for (const { value, count } of now.values!) {
      if (value < ref.min!) below += count;
      if (value > ref.max!) above += count;
    }
    expect(below + above).toBeGreaterThan(0);
    expect(report.prediction!.extreme_outputs).toEqual({
      range: { min: ref.min, max: ref.max, source: 'the reference profile' },
      rows: 300,
      not_finite: 0,
      below,
      above,
      share: (below + above) / 300,
    });
  });
});
