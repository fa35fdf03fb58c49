import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { ModelshipError } from '../errors.js';

/** A tensor shape from the model's metadata: sizes, or names such as 'N' for free dimensions. */
export type Shape = readonly (number | string)[];

/** The element types Modelship feeds: numbers from the float32 feature matrix, converted. */
export type InputType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'string';
const MATRIX_TYPES: readonly string[] = ['float32', 'float64', 'int64', 'int32'];
const COLUMN_TYPES: readonly string[] = [...MATRIX_TYPES, 'bool', 'string'];

/** One input of the model as its metadata declares it. */
export interface ModelInput {
  name: string;
  type: InputType;
  shape: Shape;
}

/**
 * How a model reads a row. `matrix`: one [batch, F] tensor built from modelship.yml features.
 * `columns`: one input per data column, named after it ([N, 1] or [N]), as scikit-learn
 * pipelines exported with skl2onnx take them; the feature matrix then holds one column per
 * input, in input order, with text as codes into a table of strings.
 */
export type InputLayout = 'matrix' | 'columns';

/** The model's inputs, checked to be one [batch, F] tensor or column-named [N, 1]/[N] inputs. */
export function readInputs(
  path: string,
  session: InferenceSession,
  expectedName?: string,
): { inputs: ModelInput[]; layout: InputLayout } {
  const metadata = session.inputMetadata;
  if (metadata.length === 0) {
    throw new ModelshipError(`${path}: the model has no inputs; export it with its inputs.`);
  }
  if (expectedName !== undefined && !metadata.some((m) => m.name === expectedName)) {
    throw new ModelshipError(
      `${path}: the model's input is named ${metadata.map((m) => m.name).join(', ')}, but ${expectedName} was expected; export the model with that input name.`,
    );
  }
  const inputs = metadata.map((m) => {
    const type = m.isTensor ? m.type : 'non-tensor';
    if (!m.isTensor || !COLUMN_TYPES.includes(type)) {
      throw new ModelshipError(
        `${path}: the model's input ${m.name} is ${type}, but Modelship feeds float32, float64, int64, int32, bool or string tensors; export the model with tensor inputs of those types.`,
      );
    }
    return { name: m.name, type: type as InputType, shape: m.shape };
  });
  const only = inputs.length === 1 ? inputs[0]! : undefined;
  if (only && MATRIX_TYPES.includes(only.type) && (only.shape.length === 2 || !only.shape.length)) {
    return { inputs, layout: 'matrix' };
  }
  for (const input of inputs) {
    const { shape } = input;
    if (shape.length === 1 || (shape.length === 2 && (shape[1] === 1 || shape[1] === -1))) continue;
    throw new ModelshipError(
      `${path}: the model's input ${input.name} has shape [${shape.join(', ')}], but Modelship feeds either one [batch, F] input or one input per data column shaped [N, 1] or [N]; export each column as its own [None, 1] input, or all features as one [None, F] float input.`,
    );
  }
  return { inputs, layout: 'columns' };
}

/** The fixed batch size every input declares (exported without a dynamic batch axis), if any. */
export function fixedBatchOf(inputs: readonly ModelInput[]): number | undefined {
  const first = inputs[0]?.shape[0];
  if (typeof first !== 'number' || first <= 0) return undefined;
  return inputs.every((i) => i.shape[0] === first) ? first : undefined;
}

/**
 * The feeds for `rows` rows of a row-major float32 matrix: the matrix as one tensor, or for a
 * column-named model one tensor per input (column j → input j), text looked up in `strings`.
 */
export function inputFeeds(
  path: string,
  inputs: readonly ModelInput[],
  layout: InputLayout,
  matrix: Float32Array,
  rows: number,
  strings: readonly string[] = [],
): Record<string, Tensor> {
  if (layout === 'matrix') {
    const input = inputs[0]!;
    const declared = typeof input.shape[1] === 'number' ? input.shape[1] : 0;
    const width = rows === 0 ? declared : matrix.length / rows;
    return { [input.name]: matrixTensor(path, input, matrix, [rows, width]) };
  }
  const width = inputs.length;
  const feeds: Record<string, Tensor> = {};
  inputs.forEach((input, j) => {
    const dims = input.shape.length === 1 ? [rows] : [rows, 1];
    if (input.type === 'string') {
      const data = new Array<string>(rows);
      for (let r = 0; r < rows; r++) data[r] = strings[matrix[r * width + j]!] ?? '';
      feeds[input.name] = new Tensor('string', data, dims);
      return;
    }
    const column = new Float32Array(rows);
    for (let r = 0; r < rows; r++) column[r] = matrix[r * width + j]!;
    feeds[input.name] = matrixTensor(path, input, column, dims);
  });
  return feeds;
}

function matrixTensor(path: string, input: ModelInput, values: Float32Array, dims: number[]) {
  switch (input.type) {
    case 'float32':
      return new Tensor('float32', values, dims);
    case 'float64':
      return new Tensor('float64', Float64Array.from(values), dims);
    case 'int32':
      checkWhole(path, input, values, 1, 0);
      return new Tensor('int32', Int32Array.from(values), dims);
    case 'int64': {
      checkWhole(path, input, values, 1, 0);
      const big = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) big[i] = BigInt(values[i]!);
      return new Tensor('int64', big, dims);
    }
    case 'bool':
      checkWhole(path, input, values, 1, 0);
      return new Tensor(
        'bool',
        Uint8Array.from(values, (v) => (v ? 1 : 0)),
        dims,
      );
    default:
      throw new Error(`unreachable: ${input.type} input ${input.name} from numbers`);
  }
}

/**
 * Checks, over all rows first so that the row named is the data's own, that every int or bool
 * input receives values it can hold. `matrix` has one column per input (columns layout) or the
 * [batch, F] matrix of a single input.
 */
export function checkInputValues(
  path: string,
  inputs: readonly ModelInput[],
  layout: InputLayout,
  matrix: Float32Array,
  rows: number,
): void {
  if (rows === 0) return;
  const width = matrix.length / rows;
  if (layout === 'matrix') {
    const input = inputs[0]!;
    if (input.type === 'int64' || input.type === 'int32')
      checkWhole(path, input, matrix, width, -1);
    return;
  }
  inputs.forEach((input, j) => {
    if (input.type !== 'float32' && input.type !== 'float64' && input.type !== 'string') {
      checkWhole(path, input, matrix, width, j);
    }
  });
}

const INT_LIMITS: Partial<Record<InputType, number>> = { int32: 2 ** 31, int64: 2 ** 63 };

/** Throws one sentence naming the first value the input cannot take (row and column 1-based). */
function checkWhole(
  path: string,
  input: ModelInput,
  matrix: Float32Array,
  width: number,
  column: number,
): void {
  const bool = input.type === 'bool';
  const limit = INT_LIMITS[input.type] ?? 1;
  const start = column < 0 ? 0 : column;
  const step = column < 0 ? 1 : width;
  for (let i = start; i < matrix.length; i += step) {
    const v = matrix[i]!;
    if (bool ? v === 0 || v === 1 : Number.isInteger(v) && v >= -limit && v < limit) continue;
    const row = Math.floor(i / (width || 1)) + 1;
    const where =
      column < 0
        ? `row ${row} column ${(i % (width || 1)) + 1} of the features`
        : `row ${row} of ${input.name}`;
    const what = bool ? 'not 0 or 1' : `not a whole number ${input.type} can hold`;
    const fix = bool
      ? 'use true/false or 0/1 in that column'
      : 'round or encode that feature as integers, or export the model with a float input';
    throw new ModelshipError(
      `${path}: the model's input ${input.name} takes ${input.type}, but ${where} is ${v}, ${what}; ${fix}.`,
    );
  }
}
