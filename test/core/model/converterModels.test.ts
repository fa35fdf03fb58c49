// Models shaped as skl2onnx, onnxmltools and torch.onnx.export write them
// (test/fixtures/converter-models, from scripts/converter-models/generate.py), run with the real
// onnxruntime-node: their outputs against the Python models' own predictions, Modelship's metrics
// on those outputs against scikit-learn's, and `modelship evaluate` on the single-input ones.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONVERTER_FIXTURES,
  evaluateFixture,
  expectMetricsClose,
  FIXTURE_MODELS,
  modelshipMetrics,
  positiveScores,
  readHoldout,
  referenceCase,
  runFixture,
  targetValueOf,
  type FixtureModel,
  type ModelRun,
} from '../../support/converterFixtures.js';
import { buildCliIfStale, ROOT } from '../../support/cli.js';
import { sklearnMetrics, type ReferenceMetrics } from '../../support/sklearnReference.js';
import { SYSTEM_PYTHON, systemRequirements } from '../../support/systemRequirements.js';
import { useTempDir } from '../../support/tempDir.js';

const NAMES = Object.keys(FIXTURE_MODELS);
/** float32 arithmetic against the Python models' float64 (XGBoost: float32 summed in another
 * order): what the models reach is below 5e-7. */
const PROBABILITY_TOLERANCE = 1e-6;
/** Modelship's metrics against sklearn's on the same outputs: only summation order differs. */
const METRIC_TOLERANCE = 1e-9;

const runs = new Map<string, ModelRun>();
const run = (name: string) => runs.get(name)!;

beforeAll(async () => {
  for (const name of NAMES) runs.set(name, await runFixture(name));
});

/** The single-float-input models without ZipMap: what `modelship evaluate` takes today. */
function singleInput(entry: FixtureModel): boolean {
  return entry.inputs.length === 1 && !entry.outputs.some((o) => o.zipmap);
}

describe('the fixtures', () => {
  it('cover every export shape the generator promises', () => {
    const nodes = new Set(NAMES.flatMap((name) => FIXTURE_MODELS[name]!.nodes));
    for (const op of [
      'ai.onnx.ml.Scaler',
      'ai.onnx.ml.OneHotEncoder',
      'Concat',
      'ai.onnx.ml.LinearClassifier',
      'ai.onnx.ml.Normalizer',
      'ai.onnx.ml.ZipMap',
      'ai.onnx.ml.TreeEnsembleClassifier',
      'ai.onnx.ml.TreeEnsembleRegressor',
      'ai.onnx.ml.LinearRegressor',
      'Cast',
      'Gemm',
    ]) {
      expect(nodes, op).toContain(op);
    }
    const tasks = NAMES.map((name) => FIXTURE_MODELS[name]!.task);
    expect(new Set(tasks)).toEqual(
      new Set(['binary-classification', 'multiclass-classification', 'regression']),
    );
    const inputTypes = new Set(NAMES.flatMap((n) => FIXTURE_MODELS[n]!.inputs.map((i) => i.type)));
    expect(inputTypes).toEqual(new Set(['float', 'double', 'int64', 'string']));
    // Fixed batches: one row at a time, and 8 rows whose holdout ends in a partial batch.
    const batches = NAMES.map((n) => FIXTURE_MODELS[n]!).filter((e) => e.inputs[0]!.shape[0]);
    expect(batches.map((e) => e.inputs[0]!.shape[0]).sort()).toEqual([1, 8]);
    expect(batches.some((e) => e.python.predict.length % e.inputs[0]!.shape[0]! !== 0)).toBe(true);
  });

  it('stay small and within what onnxruntime-node 1.2x loads (opset <= 17, ai.onnx.ml <= 3)', () => {
    for (const name of NAMES) {
      const entry = FIXTURE_MODELS[name]!;
      expect(statSync(join(CONVERTER_FIXTURES, entry.model)).size, name).toBeLessThan(200_000);
      expect(entry.opset['ai.onnx'], name).toBeLessThanOrEqual(17);
      expect(entry.opset['ai.onnx.ml'] ?? 0, name).toBeLessThanOrEqual(3);
      expect(entry.ir_version, name).toBeLessThanOrEqual(8);
      expect(readHoldout(entry.holdout).rows.length, name).toBe(entry.python.predict.length);
    }
  });
});

/** expected.json's element types as onnxruntime-node names them. */
const ORT_TYPES: Record<string, string> = { float: 'float32', double: 'float64' };

describe('onnxruntime-node reads the declared inputs and outputs', () => {
  for (const name of NAMES) {
    it(name, async () => {
      const entry = FIXTURE_MODELS[name]!;
      const session = await InferenceSession.create(join(CONVERTER_FIXTURES, entry.model));
      // An unknown dimension (skl2onnx's None) comes back as ''.
      const dims = (shape: (number | null)[]) => shape.map((d) => d ?? '');
      expect(session.inputMetadata).toEqual(
        entry.inputs.map((i) => ({
          name: i.name,
          isTensor: true,
          type: ORT_TYPES[i.type] ?? i.type,
          shape: dims(i.shape),
        })),
      );
      expect(session.outputMetadata).toEqual(
        entry.outputs.map((o) =>
          o.zipmap
            ? { name: o.name, isTensor: false }
            : {
                name: o.name,
                isTensor: true,
                type: ORT_TYPES[o.type] ?? o.type,
                shape: dims(o.shape!),
              },
        ),
      );
      await session.release();
    });
  }
});

describe('onnxruntime-node agrees with the Python models', () => {
  for (const name of NAMES) {
    const entry = FIXTURE_MODELS[name]!;
    it(`${name}: ${entry.exported_as}`, () => {
      const result = run(name);
      expect(result.inputNames).toEqual(entry.inputs.map((i) => i.name));
      expect(result.outputNames).toEqual(entry.outputs.map((o) => o.name));
      const rows = entry.python.predict.length;
      if (entry.task === 'regression') {
        expect(result.values).toHaveLength(rows);
        result.values!.forEach((value, i) => {
          const want = entry.python.predict[i] as number;
          expect(Math.abs(value - want), `row ${i + 1}`).toBeLessThanOrEqual(
            PROBABILITY_TOLERANCE * Math.max(1, Math.abs(want)),
          );
        });
        return;
      }
      const proba = entry.python.predict_proba!;
      if (result.labels) expect(result.labels).toEqual(entry.python.predict);
      if (result.proba) {
        expect(result.proba).toHaveLength(rows);
        result.proba.forEach((row, i) => {
          expect(row).toHaveLength(entry.classes!.length);
          row.forEach((p, k) =>
            expect(Math.abs(p - proba[i]![k]!), `row ${i + 1} class ${k}`).toBeLessThanOrEqual(
              PROBABILITY_TOLERANCE,
            ),
          );
        });
      }
      if (result.positive) {
        const column = entry.classes!.findIndex((c) => targetValueOf(entry, c) === entry.positive);
        result.positive.forEach((p, i) =>
          expect(Math.abs(p - proba[i]![column]!), `row ${i + 1}`).toBeLessThanOrEqual(
            PROBABILITY_TOLERANCE,
          ),
        );
      }
    });
  }

  for (const name of NAMES.filter((n) => FIXTURE_MODELS[n]!.outputs.some((o) => o.zipmap))) {
    const entry = FIXTURE_MODELS[name]!;
    it(`${name}: the tensor feeding ZipMap is its twin's probabilities, bit for bit`, () => {
      const [zipMap, ...others] = run(name).zipMaps;
      expect(others).toEqual([]);
      expect(zipMap!.output).toBe('output_probability');
      expect(zipMap!.classes).toEqual(entry.classes);
      expect(run(name).proba).toEqual(run(entry.twin!).proba);
      expect(run(name).labels).toEqual(run(entry.twin!).labels);
    });
  }
});

const sklearn = systemRequirements(['python-sklearn']);

describe(
  "Modelship's metrics on onnxruntime's outputs agree with scikit-learn",
  sklearn.options,
  () => {
    const reference = new Map<string, ReferenceMetrics>();

    beforeAll(() => {
      sklearn.check();
      const metrics = sklearnMetrics(
        NAMES.map((name) => referenceCase(FIXTURE_MODELS[name]!, run(name))),
      );
      NAMES.forEach((name, i) => reference.set(name, metrics[i]!));
    });

    for (const name of NAMES) {
      it(name, () => {
        const entry = FIXTURE_MODELS[name]!;
        expectMetricsClose(
          modelshipMetrics(entry, run(name)),
          reference.get(name)!,
          METRIC_TOLERANCE,
          name,
        );
      });
    }

    it('score the holdouts as the data says (the binary models see both classes)', () => {
      for (const name of NAMES.filter((n) => FIXTURE_MODELS[n]!.task === 'binary-classification')) {
        const scores = positiveScores(FIXTURE_MODELS[name]!, run(name));
        expect(reference.get(name)!.roc_auc, name).toBeGreaterThan(0.55); // 0.45 if a column were swapped
        expect(Math.min(...scores), name).toBeLessThan(0.5);
        expect(Math.max(...scores), name).toBeGreaterThan(0.5);
      }
    });
  },
);

describe('modelship evaluate on the single-input models', () => {
  const dir = useTempDir();
  beforeAll(() => buildCliIfStale());

  for (const name of NAMES.filter((n) => singleInput(FIXTURE_MODELS[n]!))) {
    it(`${name}: the report's metrics are Modelship's on onnxruntime's outputs`, () => {
      const entry = FIXTURE_MODELS[name]!;
      const { result, report } = evaluateFixture(name, dir);
      expect(result.code, result.stderr).toBe(0);
      expect(report!.rows).toBe(entry.python.predict.length);
      expectMetricsClose(report!.metrics, modelshipMetrics(entry, run(name)), 1e-12, name);
    });
  }
});

/** Walks two JSON values: numbers within `tolerance` × max(1, |expected|), the rest equal. */
function expectJsonClose(
  actual: unknown,
  expected: unknown,
  tolerance: number,
  path: string,
): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    const diff = Math.abs((actual as number) - expected);
    expect(diff, path).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected)));
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((value, i) =>
      expectJsonClose((actual as unknown[])[i], value, tolerance, `${path}[${i}]`),
    );
  } else if (expected !== null && typeof expected === 'object') {
    const object = actual as Record<string, unknown>;
    expect(Object.keys(object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [key, value] of Object.entries(expected)) {
      expectJsonClose(object[key], value, tolerance, `${path}.${key}`);
    }
  } else {
    expect(actual, path).toBe(expected);
  }
}

const converters = systemRequirements(['python-converters']);

describe('scripts/converter-models/generate.py', converters.options, () => {
  const out = useTempDir();

  it('regenerates the committed models: the same graphs, configs and Python predictions', () => {
    converters.check();
    const script = join(ROOT, 'scripts', 'converter-models', 'generate.py');
    const result = spawnSync(SYSTEM_PYTHON, [script, '--out', out], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
    const regenerated = JSON.parse(read(out, 'expected.json')) as unknown;
    const committed = JSON.parse(read(CONVERTER_FIXTURES, 'expected.json')) as unknown;
    // Byte-identical here; on another CPU, BLAS and PyTorch kernels may round differently, and
    // training carries that into the last float32 digits of a prediction.
    expectJsonClose(regenerated, committed, 1e-5, 'expected.json');
    for (const name of NAMES) {
      const config = FIXTURE_MODELS[name]!.config;
      expect(read(out, config), config).toBe(read(CONVERTER_FIXTURES, config));
    }
  });
});
