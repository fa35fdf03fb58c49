import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LoadedConfig } from '../config/modelshipConfig.js';
import { ModelshipError, messageOf } from '../errors.js';
import { loadConfiguredModel } from '../model/configuredModel.js';
import { featureWidth } from '../model/featureMatrix.js';
import type { ExecutionProvider, Shape } from '../model/onnxModel.js';

/** The trained model, checked: it loads in onnxruntime, takes the config's features and runs. */
export interface VerifiedModel {
  path: string;
  sha256: string;
  sizeBytes: number;
  inputName: string;
  inputShape: Shape;
  /** How many values one row makes: the [batch, F] input's F, or the column-named inputs. */
  features: number;
  /** The execution provider the check ran on. */
  provider: ExecutionProvider;
  providerNote?: string;
}

/**
 * Checks what training left at `modelPath`: the file exists, loads in onnxruntime-node, its input
 * width matches model.features and it scores one row. Each failure is one sentence naming the
 * file and the mismatch.
 */
export async function verifyTrainedModel(
  loaded: LoadedConfig,
  modelPath: string,
  options: { executionProviders?: readonly ExecutionProvider[] } = {},
): Promise<VerifiedModel> {
  let sizeBytes: number;
  try {
    const stats = statSync(modelPath);
    if (!stats.isFile()) throw new Error('not a file');
    sizeBytes = stats.size;
  } catch {
    throw new ModelshipError(
      `${modelPath}: training finished but left no model file there; make the train command write the ONNX model to MODELSHIP_MODEL_PATH (model.path in ${basename(loaded.file)}).`,
    );
  }
  const { model, features } = await loadConfiguredModel(loaded, modelPath, {
    ...(options.executionProviders ? { executionProviders: options.executionProviders } : {}),
  });
  const width = featureWidth(features);
  try {
    try {
      // A model with a free input width passes the metadata check; one row proves it runs.
      await model.run(new Float32Array(width), 1);
    } catch (error) {
      throw new ModelshipError(
        `${modelPath}: the trained model does not run on one row of the ${width} inputs its features make (${messageOf(error)}).`,
      );
    }
    return {
      path: modelPath,
      sha256: model.sha256,
      sizeBytes,
      inputName: model.inputName,
      inputShape: model.inputShape,
      features: width,
      provider: model.provider,
      ...(model.providerNote ? { providerNote: model.providerNote } : {}),
    };
  } finally {
    await model.release();
  }
}
