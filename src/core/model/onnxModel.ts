import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { ModelshipError, messageOf } from '../errors.js';
import {
  checkInputValues,
  fixedBatchOf,
  inputFeeds,
  readInputs,
  type InputLayout,
  type InputType,
  type ModelInput,
  type Shape,
} from './modelInputs.js';
import { ProtobufError } from './protobufReader.js';
import { exposeZipMapInputs, type ExposedModel } from './zipMap.js';

export type ExecutionProvider = 'cuda' | 'cpu';
export type { InputType, ModelInput, Shape, InputLayout } from './modelInputs.js';

export interface LoadOnnxModelOptions {
  /** The input width modelship.yml's features make; checked against a [batch, F] input. */
  features?: number;
  /** Providers to try in order (default ['cpu']); CUDA falls back to CPU when it cannot start. */
  executionProviders?: readonly ExecutionProvider[];
  /** The input name to expect, when a caller (a server, a manifest) depends on it. */
  inputName?: string;
  /** onnxruntime's intra-op threads for one run (default: onnxruntime's, one a physical core). */
  intraOpNumThreads?: number;
}

/** The raw scores of one run: the data of the output that holds scores, and its dims. */
export interface ModelOutput {
  data: Float32Array | Float64Array;
  dims: readonly number[];
}

/**
 * A loaded ONNX model: one float32, float64, int64 or int32 [batch, F] input, or one input per
 * data column (see InputLayout). Its scores are the first float tensor output, or the tensor
 * feeding a ZipMap, which is exposed in memory (the file and its digest stay as they are).
 */
export interface OnnxModel {
  path: string;
  sha256: string;
  /** The first input's name, shape and type (the only input of a [batch, F] model). */
  inputName: string;
  inputShape: Shape;
  inputType: InputType;
  inputs: ModelInput[];
  layout: InputLayout;
  /** The feeds for `rows` rows of a float32 matrix (text columns: codes into `strings`). */
  feeds(matrix: Float32Array, rows: number, strings?: readonly string[]): Record<string, Tensor>;
  /** Throws one sentence naming the first value an int or bool input cannot take. */
  checkValues(matrix: Float32Array, rows: number): void;
  outputNames: string[];
  /** Each output's shape from the session metadata; null where the model does not declare it. */
  outputShapes: (Shape | null)[];
  /** The output `run` returns: the first float tensor output (sklearn-onnx's labels come first). */
  outputName: string;
  /** The class labels in the order of the score columns, where the model names them (ZipMap). */
  classes?: string[];
  provider: ExecutionProvider;
  /** Why CUDA was asked for but not used. */
  providerNote?: string;
  /** Runs `rows` rows of a row-major float32 matrix; returns the score output's data. */
  run(matrix: Float32Array, rows: number, strings?: readonly string[]): Promise<Float32Array>;
  /** Like `run`, keeping the output's element type and dims. */
  runTensor(matrix: Float32Array, rows: number, strings?: readonly string[]): Promise<ModelOutput>;
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
  const exposed = exposeScores(path, bytes);
  const added = new Set(exposed.added);
  const { session, provider, note } = await createSession(path, exposed.bytes, options);
  try {
    const { inputs, layout } = readInputs(path, session, options.inputName);
    const first = inputs[0]!;
    if (layout === 'matrix') checkWidth(path, first, options.features);
    const output = scoreOutput(path, session, exposed);
    const width =
      layout === 'columns'
        ? inputs.length
        : typeof first.shape[1] === 'number'
          ? first.shape[1]
          : options.features;
    const model: Omit<OnnxModel, 'run' | 'runTensor'> = {
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      inputName: first.name,
      inputShape: first.shape,
      inputType: first.type,
      inputs,
      layout,
      feeds: (matrix, rows, strings) => inputFeeds(path, inputs, layout, matrix, rows, strings),
      checkValues: (matrix, rows) => checkInputValues(path, inputs, layout, matrix, rows),
      outputNames: session.outputMetadata.filter((m) => !added.has(m.name)).map((m) => m.name),
      outputShapes: session.outputMetadata
        .filter((m) => !added.has(m.name))
        .map((m) => (m.isTensor ? m.shape : null)),
      outputName: output.name,
      ...(output.classes ? { classes: output.classes } : {}),
      provider,
      ...(note ? { providerNote: note } : {}),
      release: () => session.release(),
      session,
    };
    const runTensor = (matrix: Float32Array, rows: number, strings?: readonly string[]) =>
      runRows(model, matrix, rows, width, fixedBatchOf(inputs), strings);
    return {
      ...model,
      runTensor,
      run: async (matrix, rows, strings) => {
        const { data } = await runTensor(matrix, rows, strings);
        return data instanceof Float32Array ? data : Float32Array.from(data);
      },
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/**
 * The bytes to run: the tensors that feed the model's ZipMaps added as graph outputs, in memory
 * (onnxruntime-node returns tensors only; the file and its digest stay as they are). Bytes that
 * are not ONNX protobuf come back as they are, for onnxruntime to say why (loadError).
 */
export function exposeScores(path: string, bytes: Uint8Array): ExposedModel {
  try {
    return exposeZipMapInputs(bytes);
  } catch (error) {
    if (error instanceof ProtobufError) return { bytes, zipMaps: [], classifiers: [], added: [] };
    throw new ModelshipError(
      `${path}: ${messageOf(error)}; re-export the model with its converter.`,
    );
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
  const threads = options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {};
  if (options.executionProviders?.includes('cuda')) {
    try {
      // Severity 4 (fatal): a missing CUDA library is expected on most machines, not news.
      const session = await InferenceSession.create(bytes, {
        ...threads,
        executionProviders: ['cuda', 'cpu'],
        logSeverityLevel: 4,
      });
      return { session, provider: 'cuda' };
    } catch (error) {
      note = `CUDA unavailable (${firstLine(messageOf(error))}); ran on CPU`;
    }
  }
  try {
    const session = await InferenceSession.create(bytes, {
      ...threads,
      executionProviders: ['cpu'],
    });
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
  if (/external data/i.test(message)) {
    return new ModelshipError(
      `${path}: the model keeps its weights in a separate file beside it (${firstLine(message)}); export one self-contained file, e.g. torch.onnx.export(..., external_data=False) or onnx.save_model(model, path, save_as_external_data=False).`,
    );
  }
  if (/protobuf parsing failed|Model data pointer is null/i.test(message)) {
    return new ModelshipError(
      `${path}: not an ONNX model (protobuf parsing failed); check that it is the .onnx file training wrote, complete and not text.`,
    );
  }
  return new ModelshipError(`${path}: onnxruntime cannot load the model (${firstLine(message)}).`);
}

function checkWidth(path: string, input: ModelInput, features: number | undefined): void {
  const width = input.shape[1];
  if (features !== undefined && typeof width === 'number' && width !== features) {
    throw new ModelshipError(
      `${path} expects ${width} inputs per row, but modelship.yml features make ${features}; retrain or fix the features list.`,
    );
  }
}

/**
 * The scores: the first float tensor output (sklearn-onnx puts its label output first), else
 * the tensor feeding a ZipMap, whose keys name the classes.
 */
function scoreOutput(
  path: string,
  session: InferenceSession,
  { zipMaps, classifiers }: Pick<ExposedModel, 'zipMaps' | 'classifiers'>,
): { name: string; classes?: string[] } {
  const outputs = session.outputMetadata;
  const isFloat = (o: InferenceSession.ValueMetadata) =>
    o.isTensor && (o.type === 'float32' || o.type === 'float64');
  const zipped = new Map(zipMaps.map((z) => [z.tensor, z]));
  const scores =
    outputs.find((o) => isFloat(o) && !zipped.has(o.name)) ?? outputs.find((o) => isFloat(o));
  if (scores) {
    // The columns' classes: the ZipMap's keys, else the labels of the one classifier node
    // whose label output goes beside them (a converter's output with zipmap disabled).
    const zipMap = zipped.get(scores.name);
    const labels = new Set(classifiers.map((c) => JSON.stringify(c.map(String))));
    const classes =
      zipMap?.classes.map(String) ??
      (labels.size === 1 ? (JSON.parse([...labels][0]!) as string[]) : undefined);
    return classes ? { name: scores.name, classes } : { name: scores.name };
  }
  const described = outputs.map((o) => `${o.name} (${o.isTensor ? o.type : 'not a tensor'})`);
  throw new ModelshipError(
    `${path}: no output is a float tensor of scores, and none is a ZipMap of one (outputs: ${described.join(', ')}); export probabilities or predictions as a float tensor.`,
  );
}

type Runnable = Pick<OnnxModel, 'path' | 'session' | 'outputName' | 'feeds' | 'checkValues'>;

async function runRows(
  model: Runnable,
  matrix: Float32Array,
  rows: number,
  declaredWidth: number | undefined,
  fixedBatch: number | undefined,
  strings: readonly string[] | undefined,
): Promise<ModelOutput> {
  if (!Number.isInteger(rows) || rows < 0 || (rows === 0 ? matrix.length : matrix.length % rows)) {
    throw new RangeError(`run: a matrix of ${matrix.length} values does not hold ${rows} rows`);
  }
  const width = rows === 0 ? (declaredWidth ?? 0) : matrix.length / rows;
  if (declaredWidth !== undefined && width !== declaredWidth) {
    throw new ModelshipError(
      `${model.path} expects ${declaredWidth} inputs per row, but was given ${width}; retrain or fix the features list.`,
    );
  }
  // Whole features are checked over all rows first, so the row named is the matrix's own.
  model.checkValues(matrix, rows);
  if (fixedBatch === undefined || fixedBatch === rows) {
    return runOnce(model, matrix, rows, strings);
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
    const out = await runOnce(model, batch, fixedBatch, strings);
    const perRow = out.data.length / fixedBatch;
    if (start === 0) {
      const Data = out.data instanceof Float64Array ? Float64Array : Float32Array;
      joined = { data: new Data(rows * perRow), dims: [rows, ...out.dims.slice(1)] };
    }
    joined.data.set(out.data.subarray(0, (end - start) * perRow), start * perRow);
  }
  return joined;
}

async function runOnce(
  model: Runnable,
  matrix: Float32Array,
  rows: number,
  strings: readonly string[] | undefined,
): Promise<ModelOutput> {
  const { path, session, outputName } = model;
  const feeds = model.feeds(matrix, rows, strings);
  let result: InferenceSession.ReturnType;
  try {
    result = await session.run(feeds, [outputName]);
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

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
