import type { LoadedConfig } from '../config/modelshipConfig.js';
import { featureWidth } from './featureMatrix.js';
import { resolveFeatures, type ResolvedFeature } from './modelFeatures.js';
import { loadOnnxModel, type LoadOnnxModelOptions, type OnnxModel } from './onnxModel.js';

/** A model loaded for a modelship.yml, with the features its input is built from. */
export interface ConfiguredModel {
  model: OnnxModel;
  /** modelship.yml's features for a [batch, F] model; the model's columns for a column-named one. */
  features: ResolvedFeature[];
}

/**
 * Loads the model a config describes and resolves what it reads: every step that builds a
 * model input from data (train's check, evaluate, serve, drift, the smoke test) starts here.
 */
export async function loadConfiguredModel(
  loaded: LoadedConfig,
  modelPath: string,
  options: Omit<LoadOnnxModelOptions, 'features'> = {},
): Promise<ConfiguredModel> {
  const configured = loaded.config.model.features;
  const model = await loadOnnxModel(modelPath, {
    ...options,
    ...(configured ? { features: featureWidth(configured) } : {}),
  });
  try {
    return { model, features: resolveFeatures(loaded.file, configured, model) };
  } catch (error) {
    await model.release();
    throw error;
  }
}
