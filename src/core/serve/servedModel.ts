import { createHash } from 'node:crypto';
import type { InferenceSession } from 'onnxruntime-node';
import {
  createSession,
  loadOnnxModel,
  readModelFile,
  type ExecutionProvider,
  type OnnxModel,
  type Shape,
} from '../model/onnxModel.js';

/** One input or output of the served model, as its session metadata declares it. */
export interface TensorInfo {
  name: string;
  /** onnxruntime's element type ('float32', 'int64', 'string', …); null when not a tensor. */
  type: string | null;
  /** Sizes, or names for free dimensions; null when the model does not declare it. */
  shape: Shape | null;
}

/** A model loaded for serving: any ONNX inputs over OIP, and /predict when a config is given. */
export interface ServedModel {
  session: InferenceSession;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  provider: ExecutionProvider;
  providerNote?: string;
  sha256: string;
  /** The float32 [batch, F] runner /predict uses; only with modelship.yml features. */
  rows?: OnnxModel;
  release(): Promise<void>;
}

export interface LoadServedModelOptions {
  /** The input width modelship.yml's features make: the model must take float32 [batch, F]. */
  features?: number;
  executionProviders?: readonly ExecutionProvider[];
}

/**
 * Loads the model to serve. With a config's features it must be a Modelship model (one float32
 * [batch, F] input, checked as evaluate checks it); without one, any ONNX model is served over
 * the Open Inference Protocol, whatever its inputs (several, strings, integers).
 */
export async function loadServedModel(
  path: string,
  options: LoadServedModelOptions = {},
): Promise<ServedModel> {
  if (options.features !== undefined) {
    const rows = await loadOnnxModel(path, options);
    return {
      ...describe(rows.session),
      session: rows.session,
      provider: rows.provider,
      ...(rows.providerNote ? { providerNote: rows.providerNote } : {}),
      sha256: rows.sha256,
      rows,
      release: () => rows.release(),
    };
  }
  const bytes = await readModelFile(path);
  const { session, provider, note } = await createSession(path, bytes, options);
  return {
    ...describe(session),
    session,
    provider,
    ...(note ? { providerNote: note } : {}),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    release: () => session.release(),
  };
}

function describe(session: InferenceSession): { inputs: TensorInfo[]; outputs: TensorInfo[] } {
  const info = (m: InferenceSession.ValueMetadata): TensorInfo =>
    m.isTensor
      ? { name: m.name, type: m.type, shape: m.shape }
      : { name: m.name, type: null, shape: null };
  return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
}
