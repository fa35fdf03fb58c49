// `modelship evaluate` end to end on the converter-shaped models that take one input per column
// (skl2onnx pipelines: float, int64 and string inputs named after the columns, no
// model.features in their config) or end in a ZipMap (test/fixtures/converter-models). Each
// report's metrics must be Modelship's own metrics on onnxruntime's outputs for the same holdout.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateFixture,
  expectMetricsClose,
  FIXTURE_MODELS,
  modelshipMetrics,
  runFixture,
} from '../../support/converterFixtures.js';
import { buildCliIfStale } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const PIPELINES = Object.keys(FIXTURE_MODELS).filter((name) => {
  const entry = FIXTURE_MODELS[name]!;
  return entry.inputs.length > 1 || entry.outputs.some((o) => o.zipmap);
});

const dir = useTempDir();
beforeAll(() => buildCliIfStale());

describe('modelship evaluate on converter pipelines', () => {
  it('covers the per-column and the ZipMap models', () => {
    expect(PIPELINES.sort()).toEqual([
      'credit_numeric_zipmap',
      'credit_pipeline',
      'credit_pipeline_zipmap',
      'credit_xgboost_zipmap',
      'penguins_pipeline',
      'penguins_pipeline_zipmap',
      'penguins_xgboost_zipmap',
    ]);
  });

  for (const name of PIPELINES) {
    const entry = FIXTURE_MODELS[name]!;
    it(`${name}: the report's metrics are Modelship's on onnxruntime's outputs`, async () => {
      const { result, report } = evaluateFixture(name, dir);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(report!.rows).toBe(entry.python.predict.length);
      expectMetricsClose(
        report!.metrics,
        modelshipMetrics(entry, await runFixture(name)),
        1e-12,
        name,
      );
    });
  }
});
