import { createHash } from 'node:crypto';
import type { InferenceSession } from 'onnxruntime-node';
import type { Feature } from '../config/modelshipConfig.js';
import { featureWidth } from '../model/featureMatrix.js';
import { resolveFeatures, type ResolvedFeature } from '../model/modelFeatures.js';
import {
  createSession,
  exposeScores,
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
  /** The runner /predict uses, and the features it reads; only with a modelship.yml. */
  rows?: OnnxModel;
  features?: ResolvedFeature[];
  release(): Promise<void>;
}

export interface LoadServedModelOptions {
  /**
   * modelship.yml's model.features (null: left out, the model's column-named inputs decide) and
   * the file's name for messages: the model must then take them, as evaluate checks it.
   */
  config?: { features: readonly Feature[] | null; file: string };
  executionProviders?: readonly ExecutionProvider[];
  /** onnxruntime's intra-op threads for one run (default: onnxruntime's). */
  intraOpNumThreads?: number;
}

/**
 * Loads the model to serve. With a config it must be a model Modelship can feed (one [batch, F]
 * input or column-named inputs, checked as evaluate checks it; ZipMap scores exposed); without
 * one, any ONNX model is served over the Open Inference Protocol, whatever its inputs.
 */
export async function loadServedModel(
  path: string,
  options: LoadServedModelOptions = {},
): Promise<ServedModel> {
  if (options.config) {
    const configured = options.config.features;
    const rows = await loadOnnxModel(path, {
      ...(options.executionProviders ? { executionProviders: options.executionProviders } : {}),
      ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
      ...(configured ? { features: featureWidth(configured) } : {}),
    });
    let features: ResolvedFeature[];
    try {
      features = resolveFeatures(options.config.file, configured ?? undefined, rows);
    } catch (error) {
      await rows.release();
      throw error;
    }
    return {
      ...describe(rows.session),
      session: rows.session,
      provider: rows.provider,
      ...(rows.providerNote ? { providerNote: rows.providerNote } : {}),
      sha256: rows.sha256,
      rows,
      features,
      release: () => rows.release(),
    };
  }
  const bytes = await readModelFile(path);
  const { session, provider, note } = await createSession(
    path,
    exposeScores(path, bytes).bytes,
    options,
  );
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
