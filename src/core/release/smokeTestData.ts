/**
 * smoke-test.json of a release bundle: the first rows of the evaluation data, as the CSV holds
 * them, with what the model predicted for each when the bundle was made. The deploy step sends the
 * rows to the running image and compares its answers with these, so a serving image that computes
 * anything else (another model, a broken runtime, a feature built differently) never goes live.
 */
import type { LoadedConfig } from '../config/modelshipConfig.js';
import { openDataSource, rawReader, readSafely } from '../data/dataSource.js';
import { ident, withDatabase } from '../data/duckdb.js';
import { ModelshipError } from '../errors.js';
import { loadEvaluationData } from '../model/evaluationData.js';
import { loadConfiguredModel } from '../model/configuredModel.js';
import { buildFeatureMatrix, featureColumns, featureWidth } from '../model/featureMatrix.js';
import { isTextFeature } from '../model/modelFeatures.js';
import type { InputType, ModelInput } from '../model/modelInputs.js';
import type { ExecutionProvider } from '../model/onnxModel.js';
import { outputOptions, predict } from '../model/predict.js';
import { TextCodes } from '../model/textCodes.js';
import {
  SMOKE_TEST_ROWS,
  SMOKE_TEST_TOLERANCE,
  SMOKE_TEST_VERSION,
  type SmokeExpected,
  type SmokeTensor,
  type SmokeTestData,
  type SmokeValue,
} from './smokeTestFormat.js';

export interface SmokeTestDataOptions {
  loaded: LoadedConfig;
  model: string;
  rows?: number;
  executionProviders?: ExecutionProvider[];
}

/**
 * Reads the first rows of data.eval through evaluate's own loader and predicts them with the
 * model; undefined when the config has no data.eval. Rows whose JSON form would not rebuild the
 * exact input evaluate saw (e.g. a decimal printed differently) are left out.
 */
export async function buildSmokeTestData(
  options: SmokeTestDataOptions,
): Promise<SmokeTestData | undefined> {
  const { config } = options.loaded;
  const dataPath = config.data.eval;
  if (!dataPath) return undefined;
  const path = options.loaded.resolve(dataPath);
  const limit = options.rows ?? SMOKE_TEST_ROWS;
  const { model, features } = await loadConfiguredModel(options.loaded, options.model, {
    ...(options.executionProviders ? { executionProviders: options.executionProviders } : {}),
  });
  try {
    const evaluation = await loadEvaluationData(path, { features, target: config.model.target });
    const columns = featureColumns(features);
    const raw = await withDatabase(async (db) => {
      const source = await openDataSource(db, path);
      const select = columns.map(ident).join(', ');
      return readSafely(db, source, `SELECT ${select} FROM ${rawReader(source)} LIMIT ${limit}`);
    });
    const width = featureWidth(features);
    // Text inputs hold codes into a table of strings: compared by their text.
    const text = features.map((f) => isTextFeature(f));
    const rows: Record<string, SmokeValue>[] = [];
    const data: number[][] = [];
    raw.forEach((record, i) => {
      const row = Object.fromEntries(columns.map((c) => [c, jsonValue(record[c])]));
      const codes = new TextCodes();
      const rebuilt = buildFeatureMatrix(
        Object.fromEntries(columns.map((c) => [c, [row[c]]])),
        1,
        features,
        { text: codes },
      );
      const seen = evaluation.matrix.subarray(i * width, (i + 1) * width);
      const same = (v: number, j: number) =>
        text[j] && model.layout === 'columns'
          ? codes.values[v] === evaluation.strings[seen[j]!]
          : Object.is(v, seen[j]);
      if (!rebuilt.every(same)) return;
      rows.push(row);
      data.push(Array.from(seen));
    });
    if (rows.length === 0) {
      throw new ModelshipError(
        `${dataPath}: none of its first ${limit} rows rebuilds the model input from its JSON form, so the bundle cannot carry smoke-test rows; check the feature columns' types.`,
      );
    }
    const matrix = Float32Array.from(data.flat());
    const read = outputOptions(model, config.model);
    const out = await predict(model, matrix, rows.length, config.model.task, {
      ...read,
      strings: evaluation.strings,
    });
    const expected: SmokeExpected =
      out.kind === 'binary'
        ? {
            kind: 'binary',
            positive: String(config.model.positive),
            threshold: config.model.threshold,
            probabilities: Array.from(out.scores),
          }
        : out.kind === 'multiclass'
          ? {
              kind: 'multiclass',
              probabilities: rows.map((_, r) =>
                Array.from(out.proba.subarray(r * out.classCount, (r + 1) * out.classCount)),
              ),
            }
          : { kind: 'regression', predictions: Array.from(out.values) };
    const inputs: SmokeTestData['inputs'] =
      model.layout === 'columns'
        ? {
            output: model.outputName,
            tensors: columnTensors(model.inputs, data, evaluation.strings),
          }
        : { name: model.inputName, output: model.outputName, width, data };
    return {
      smoke_test_version: SMOKE_TEST_VERSION,
      model: config.model.name,
      data: dataPath,
      tolerance: SMOKE_TEST_TOLERANCE,
      rows,
      inputs: read.positiveColumn === 0 ? { ...inputs, positive_column: 0 } : inputs,
      expected,
    };
  } finally {
    await model.release();
  }
}

const OIP_DATATYPES: Record<InputType, string> = {
  float32: 'FP32',
  float64: 'FP64',
  int64: 'INT64',
  int32: 'INT32',
  bool: 'BOOL',
  string: 'BYTES',
};

/** One OIP tensor per column-named input: the rows' values as the model takes them. */
function columnTensors(
  inputs: readonly ModelInput[],
  data: readonly number[][],
  strings: readonly string[],
): SmokeTensor[] {
  return inputs.map((input, j) => {
    const values = data.map((row) => row[j]!);
    return {
      name: input.name,
      datatype: OIP_DATATYPES[input.type],
      shape: input.shape.length === 1 ? [values.length] : [values.length, 1],
      data:
        input.type === 'string'
          ? values.map((code) => strings[code] ?? '')
          : input.type === 'bool'
            ? values.map((v) => v !== 0)
            : values,
    };
  });
}

/** A DuckDB value as JSON: bigints as numbers, anything else unusual as its text. */
function jsonValue(value: unknown): SmokeValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return value;
  return String(value);
}
