import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelshipError, messageOf } from '../errors.js';

export type ExecutionProvider = 'cuda' | 'cpu';
/** A tensor shape from the model's metadata: sizes, or names such as 'N' for free dimensions. */
export type Shape = readonly (number | string)[];

export interface LoadOnnxModelOptions {
  /** The input width modelship.yml's features make; checked against the model's input. */
  features?: number;
  /** Providers to try in order (default ['cpu']); CUDA falls back to CPU when it cannot start. */
  executionProviders?: readonly ExecutionProvider[];
  /** The input name to expect, when a caller (a server, a manifest) depends on it. */
  inputName?: string;
}

/** The raw scores of one run: the data of the output that holds scores, and its dims. */
export interface ModelOutput {
  data: Float32Array | Float64Array;
  dims: readonly number[];
}

/** The input element types Modelship feeds: the float32 feature matrix, converted. */
export type InputType = 'float32' | 'float64' | 'int64' | 'int32';
const INPUT_TYPES: readonly string[] = ['float32', 'float64', 'int64', 'int32'];

/** A loaded ONNX model, checked to take one float32, float64, int64 or int32 [batch, F] input. */
export interface OnnxModel {
  path: string;
  sha256: string;
  inputName: string;
  inputShape: Shape;
  /** The input's element type; the float32 feature matrix is converted to it. */
  inputType: InputType;
  /** Makes the input tensor for `rows` rows of a float32 matrix, in the model's element type. */
  inputTensor(matrix: Float32Array, rows: number): Tensor;
  outputNames: string[];
  /** Each output's shape from the session metadata; null where the model does not declare it. */
  outputShapes: (Shape | null)[];
  /** The output `run` returns: the first float tensor output (sklearn-onnx's labels come first). */
  outputName: string;
  provider: ExecutionProvider;
  /** Why CUDA was asked for but not used. */
  providerNote?: string;
  /** Runs `rows` rows of a row-major float32 matrix; returns the score output's data. */
  run(matrix: Float32Array, rows: number): Promise<Float32Array>;
  /** Like `run`, keeping the output's element type and dims. */
  runTensor(matrix: Float32Array, rows: number): Promise<ModelOutput>;
  /** Frees the native session. */
  release(): Promise<void>;
  session: InferenceSession;
}

/** Loads and checks an ONNX model; every failure is one sentence naming the file. */
export async function loadOnnxModel(
  path: string,
  options: LoadOnnxModelOptions = {},
): Promise<OnnxModel> {
  const bytes = await readModelFile(path);
  const { session, provider, note } = await createSession(path, bytes, options);
  try {
    const input = checkInput(path, session, options);
    const output = scoreOutput(path, session);
    const inputShape = input.isTensor ? input.shape : [];
    const width = typeof inputShape[1] === 'number' ? inputShape[1] : options.features;
    const fixedBatch = typeof inputShape[0] === 'number' ? inputShape[0] : undefined;
    const inputType = (input.isTensor ? input.type : 'float32') as InputType;
    const runTensor = (matrix: Float32Array, rows: number) =>
      runRows(path, session, input.name, inputType, output, matrix, rows, width, fixedBatch);
    return {
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      inputName: input.name,
      inputShape,
      inputType,
      inputTensor: (matrix, rows) =>
        featureTensor(path, input.name, inputType, matrix, rows, matrix.length / (rows || 1)),
      outputNames: [...session.outputNames],
      outputShapes: session.outputMetadata.map((m) => (m.isTensor ? m.shape : null)),
      outputName: output,
      provider,
      ...(note ? { providerNote: note } : {}),
      runTensor,
      run: async (matrix, rows) => {
        const { data } = await runTensor(matrix, rows);
        return data instanceof Float32Array ? data : Float32Array.from(data);
      },
      release: () => session.release(),
      session,
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** Reads a model file; every failure is one sentence naming the file. */
export async function readModelFile(path: string): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ModelshipError(
        `${path}: model file not found; check model.path in modelship.yml (relative to its directory) or the --model path.`,
      );
    }
    if (code === 'EISDIR')
      throw new ModelshipError(`${path}: is a directory; name the .onnx file in it.`);
    throw new ModelshipError(`${path}: cannot be read (${messageOf(error)}).`);
  }
  if (bytes.length === 0) {
    throw new ModelshipError(
      `${path}: the model file is empty; check that training wrote the model completely.`,
    );
  }
  return bytes;
}

/** A session on the first provider that starts (CUDA falls back to CPU, with a note why). */
export async function createSession(
  path: string,
  bytes: Uint8Array,
  options: LoadOnnxModelOptions,
): Promise<{ session: InferenceSession; provider: ExecutionProvider; note?: string }> {
  let note: string | undefined;
  if (options.executionProviders?.includes('cuda')) {
    try {
      // Severity 4 (fatal): a missing CUDA library is expected on most machines, not news.
      const session = await InferenceSession.create(bytes, {
        executionProviders: ['cuda', 'cpu'],
        logSeverityLevel: 4,
      });
      return { session, provider: 'cuda' };
    } catch (error) {
      note = `CUDA unavailable (${firstLine(messageOf(error))}); ran on CPU`;
    }
  }
  try {
    const session = await InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    return { session, provider: 'cpu', ...(note ? { note } : {}) };
  } catch (error) {
    throw loadError(path, bytes, messageOf(error));
  }
}

function loadError(path: string, bytes: Uint8Array, message: string): ModelshipError {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (head.startsWith('version https://git-lfs')) {
    return new ModelshipError(
      `${path}: is a Git LFS pointer, not the model; fetch it with git lfs pull (actions/checkout: lfs: true).`,
    );
  }
  if (/protobuf parsing failed|Model data pointer is null/i.test(message)) {
    return new ModelshipError(
      `${path}: not an ONNX model (protobuf parsing failed); check that it is the .onnx file training wrote, complete and not text.`,
    );
  }
  return new ModelshipError(`${path}: onnxruntime cannot load the model (${firstLine(message)}).`);
}

function checkInput(
  path: string,
  session: InferenceSession,
  options: LoadOnnxModelOptions,
): InferenceSession.ValueMetadata {
  const inputs = session.inputMetadata;
  if (inputs.length !== 1) {
    throw new ModelshipError(
      `${path}: the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}), but Modelship feeds one float32 [batch, F] input built from modelship.yml features; column-named inputs as sklearn-onnx writes them are not supported yet, so export with a single FloatTensorType input.`,
    );
  }
  const input = inputs[0]!;
  if (options.inputName !== undefined && input.name !== options.inputName) {
    throw new ModelshipError(
      `${path}: the model's input is named ${input.name}, but ${options.inputName} was expected; export the model with that input name.`,
    );
  }
  if (!input.isTensor || !INPUT_TYPES.includes(input.type)) {
    const type = input.isTensor ? input.type : 'non-tensor';
    throw new ModelshipError(
      `${path}: the model's input ${input.name} is ${type}, but Modelship feeds float32 (or float64, int64, int32); export the model with a float input.`,
    );
  }
  const shape = input.shape;
  if (shape.length !== 0 && shape.length !== 2) {
    throw new ModelshipError(
      `${path}: the model's input ${input.name} has rank ${shape.length} [${shape.join(', ')}], but Modelship feeds a rank-2 [batch, F] matrix; export the model with a 2-D input.`,
    );
  }
  const width = shape[1];
  if (options.features !== undefined && typeof width === 'number' && width !== options.features) {
    throw new ModelshipError(
      `${path} expects ${width} inputs per row, but modelship.yml features make ${options.features}; retrain or fix the features list.`,
    );
  }
  return input;
}

/** The first float tensor output: the scores (sklearn-onnx puts an int64 label output first). */
function scoreOutput(path: string, session: InferenceSession): string {
  const outputs = session.outputMetadata;
  const scores = outputs.find((o) => o.isTensor && (o.type === 'float32' || o.type === 'float64'));
  if (scores) return scores.name;
  const described = outputs.map((o) => `${o.name} (${o.isTensor ? o.type : 'not a tensor'})`);
  throw new ModelshipError(
    `${path}: no output is a float tensor of scores (outputs: ${described.join(', ')}); export probabilities as a float tensor, e.g. sklearn-onnx with zipmap disabled.`,
  );
}

async function runRows(
  path: string,
  session: InferenceSession,
  inputName: string,
  inputType: InputType,
  outputName: string,
  matrix: Float32Array,
  rows: number,
  declaredWidth: number | undefined,
  fixedBatch: number | undefined,
): Promise<ModelOutput> {
  if (!Number.isInteger(rows) || rows < 0 || (rows === 0 ? matrix.length : matrix.length % rows)) {
    throw new RangeError(`run: a matrix of ${matrix.length} values does not hold ${rows} rows`);
  }
  const width = rows === 0 ? (declaredWidth ?? 0) : matrix.length / rows;
  if (declaredWidth !== undefined && width !== declaredWidth) {
    throw new ModelshipError(
      `${path} expects ${declaredWidth} inputs per row, but was given ${width}; retrain or fix the features list.`,
    );
  }
  // Whole features are checked over all rows first, so the row named is the matrix's own.
  if (inputType === 'int64' || inputType === 'int32') {
    checkIntegral(path, inputName, inputType, matrix, width);
  }
  const feed: Feed = { path, session, inputName, inputType, outputName };
  if (fixedBatch === undefined || fixedBatch === rows) {
    return runOnce(feed, matrix, rows, width);
  }
  // A model exported with a fixed batch (torch.onnx.export without dynamic axes) runs in
  // batches of exactly that size; the last one is padded with zero rows and trimmed.
  const padded = new Float32Array(fixedBatch * width);
  let joined: ModelOutput = { data: new Float32Array(0), dims: [0] };
  for (let start = 0; start < rows; start += fixedBatch) {
    const end = Math.min(rows, start + fixedBatch);
    let batch = matrix.subarray(start * width, end * width);
    if (end - start < fixedBatch) {
      padded.fill(0).set(batch);
      batch = padded;
    }
    const out = await runOnce(feed, batch, fixedBatch, width);
    const perRow = out.data.length / fixedBatch;
    if (start === 0) {
      const Data = out.data instanceof Float64Array ? Float64Array : Float32Array;
      joined = { data: new Data(rows * perRow), dims: [rows, ...out.dims.slice(1)] };
    }
    joined.data.set(out.data.subarray(0, (end - start) * perRow), start * perRow);
  }
  return joined;
}

interface Feed {
  path: string;
  session: InferenceSession;
  inputName: string;
  inputType: InputType;
  outputName: string;
}

async function runOnce(
  { path, session, inputName, inputType, outputName }: Feed,
  matrix: Float32Array,
  rows: number,
  width: number,
): Promise<ModelOutput> {
  const input = featureTensor(path, inputName, inputType, matrix, rows, width);
  let result: InferenceSession.ReturnType;
  try {
    result = await session.run({ [inputName]: input }, [outputName]);
  } catch (error) {
    throw new ModelshipError(`${path}: the model failed to run (${firstLine(messageOf(error))}).`);
  }
  const output = result[outputName] as Tensor;
  const data = output.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new ModelshipError(`${path}: output ${outputName} is ${output.type}, not float scores.`);
  }
  return { data, dims: output.dims };
}

/** The input tensor of a float32 matrix in the model's element type (int types: whole values only). */
export function featureTensor(
  path: string,
  inputName: string,
  inputType: InputType,
  matrix: Float32Array,
  rows: number,
  width: number,
): Tensor {
  const dims = [rows, width];
  if (inputType === 'float32') return new Tensor('float32', matrix, dims);
  if (inputType === 'float64') return new Tensor('float64', Float64Array.from(matrix), dims);
  checkIntegral(path, inputName, inputType, matrix, width);
  if (inputType === 'int32') return new Tensor('int32', Int32Array.from(matrix), dims);
  const big = new BigInt64Array(matrix.length);
  for (let i = 0; i < matrix.length; i++) big[i] = BigInt(matrix[i]!);
  return new Tensor('int64', big, dims);
}

const INT_LIMITS = { int32: 2 ** 31, int64: 2 ** 63 } as const;

/** Throws one sentence naming the first value an int input cannot take (row and column 1-based). */
export function checkIntegral(
  path: string,
  inputName: string,
  inputType: 'int64' | 'int32',
  matrix: Float32Array,
  width: number,
): void {
  const limit = INT_LIMITS[inputType];
  for (let i = 0; i < matrix.length; i++) {
    const v = matrix[i]!;
    if (Number.isInteger(v) && v >= -limit && v < limit) continue;
    const row = Math.floor(i / (width || 1)) + 1;
    const column = (i % (width || 1)) + 1;
    throw new ModelshipError(
      `${path}: the model's input ${inputName} takes ${inputType}, but row ${row} column ${column} of the features is ${v}, not a whole number ${inputType} can hold; round or encode that feature as integers, or export the model with a float input.`,
    );
  }
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
