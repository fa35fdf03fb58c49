import type { ModelshipConfig, Task } from '../config/modelshipConfig.js';
import { ModelshipError } from '../errors.js';
import { positiveColumn } from './classOrder.js';
import type { OnnxModel } from './onnxModel.js';

/** What a model predicts for each row, by task. */
export type Predictions =
  | { kind: 'binary'; /** P(positive) per row. */ scores: Float64Array }
  | {
      kind: 'multiclass';
      /** Row-major N × C class probabilities. */ proba: Float64Array;
      classCount: number;
    }
  | { kind: 'regression'; values: Float64Array };

export interface PredictOptions {
  /** Rows per model run (default 65536); batches run one after another. */
  batchSize?: number;
  /** The number of classes modelship.yml lists (multiclass); checked against the output. */
  classCount?: number;
  /** Binary, two score columns: the column of P(positive) (default 1). */
  positiveColumn?: 0 | 1;
  /** Text values the matrix's codes stand for (models with string inputs). */
  strings?: readonly string[];
}

/**
 * How modelship.yml says to read the model's output: the class count it lists (multiclass), and
 * the column of P(positive) (binary; by name where the model names its classes).
 */
export function outputOptions(
  model: Pick<OnnxModel, 'path' | 'classes'>,
  config: ModelshipConfig['model'],
): Pick<PredictOptions, 'classCount' | 'positiveColumn'> {
  return {
    ...(config.classes ? { classCount: config.classes.length } : {}),
    ...(config.task === 'binary-classification'
      ? { positiveColumn: positiveColumn(model.path, model.classes, config.positive) }
      : {}),
  };
}

/** Runs the model over a row-major float32 matrix in batches and reads its output for the task. */
export async function predict(
  model: Pick<OnnxModel, 'path' | 'runTensor'> & Partial<Pick<OnnxModel, 'checkValues'>>,
  matrix: Float32Array,
  rows: number,
  task: Task,
  options: PredictOptions = {},
): Promise<Predictions> {
  const batchSize = options.batchSize ?? 65536;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`predict: batchSize must be a positive integer, not ${batchSize}`);
  }
  if (!Number.isInteger(rows) || rows < 0 || (rows > 0 && matrix.length % rows !== 0)) {
    throw new RangeError(`predict: a matrix of ${matrix.length} values does not hold ${rows} rows`);
  }
  const width = rows === 0 ? 0 : matrix.length / rows;
  // An int input takes whole features only: checked over all rows, so the row named is the data's.
  model.checkValues?.(matrix, rows);
  const positive = options.positiveColumn ?? 1;
  let out: Float64Array | undefined;
  let columns = 0;
  for (let start = 0; start < rows; start += batchSize) {
    const end = Math.min(rows, start + batchSize);
    const n = end - start;
    const { data, dims } = await model.runTensor(
      matrix.subarray(start * width, end * width),
      n,
      options.strings,
    );
    const layout = layoutOf(model.path, dims, data.length, n, task, options.classCount);
    if (!out) {
      columns = layout.columns;
      out = new Float64Array(rows * (task === 'multiclass-classification' ? columns : 1));
    } else if (layout.columns !== columns) {
      throw new ModelshipError(
        `${model.path}: the output changed from ${columns} to ${layout.columns} columns between batches; export the model with a fixed output width.`,
      );
    }
    if (task === 'multiclass-classification') out.set(data, start * columns);
    else if (layout.columns === 1) out.set(data, start);
    else for (let i = 0; i < n; i++) out[start + i] = data[i * 2 + positive]!;
  }
  out ??= new Float64Array(0);
  if (task === 'binary-classification') return { kind: 'binary', scores: out };
  if (task === 'regression') return { kind: 'regression', values: out };
  return { kind: 'multiclass', proba: out, classCount: columns || (options.classCount ?? 0) };
}

/** Checks the output's dims against the rows and the task; returns values per row. */
function layoutOf(
  path: string,
  dims: readonly number[],
  length: number,
  rows: number,
  task: Task,
  classCount: number | undefined,
): { columns: number } {
  const shape = `[${dims.join(', ')}]`;
  if (dims[0] !== rows || dims.reduce((a, b) => a * b, 1) !== length) {
    throw new ModelshipError(
      `${path}: the model's output has shape ${shape} for ${rows} input rows; it needs one row of output per input row.`,
    );
  }
  const columns = dims.length === 1 ? 1 : dims.length === 2 ? dims[1]! : -1;
  if (task === 'binary-classification') {
    if (columns === 1 || columns === 2) return { columns };
    throw wrongShape(
      path,
      shape,
      'binary classification',
      '[N, 2] (column 1 is P(positive)), [N, 1] or [N]',
    );
  }
  if (task === 'regression') {
    if (columns === 1) return { columns };
    throw wrongShape(path, shape, 'regression', '[N] or [N, 1]');
  }
  if (dims.length !== 2 || columns < 2) {
    throw wrongShape(path, shape, 'multiclass classification', '[N, C] class probabilities');
  }
  if (classCount !== undefined && columns !== classCount) {
    throw new ModelshipError(
      `${path}: the model outputs ${columns} class probabilities per row, but modelship.yml lists ${classCount} classes; retrain or fix model.classes.`,
    );
  }
  return { columns };
}

function wrongShape(path: string, shape: string, task: string, expected: string): ModelshipError {
  return new ModelshipError(
    `${path}: the model's output has shape ${shape}, which does not fit ${task}; expected ${expected}.`,
  );
}
