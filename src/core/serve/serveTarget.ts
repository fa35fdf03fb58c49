import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type ModelshipConfig } from '../config/modelshipConfig.js';
import { ModelshipError } from '../errors.js';

/** What `modelship serve` serves: the model file, its config when known, and its version. */
export interface ServeTarget {
  modelPath: string;
  config?: ModelshipConfig;
  configFile?: string;
  version?: string;
}

/**
 * Resolves a release bundle directory (model.onnx, modelship.yml, manifest.json) or a bare .onnx
 * file; `configFile` overrides the bundle's config.
 */
export function resolveServeTarget(target: string, configFile?: string): ServeTarget {
  let stats;
  try {
    stats = statSync(target);
  } catch {
    throw new ModelshipError(
      `${target}: not found; pass a release bundle directory (modelship package --out) or an .onnx file.`,
    );
  }
  if (!stats.isDirectory()) {
    if (!configFile) return { modelPath: target };
    return { modelPath: target, config: loadConfig(configFile).config, configFile };
  }
  const modelPath = join(target, 'model.onnx');
  try {
    statSync(modelPath);
  } catch {
    throw new ModelshipError(
      `${target}: has no model.onnx, so it is not a release bundle; pass the directory modelship package wrote, or the .onnx file.`,
    );
  }
  const file = configFile ?? join(target, 'modelship.yml');
  let config: ModelshipConfig | undefined;
  try {
    statSync(file);
    config = loadConfig(file).config;
  } catch (error) {
    if (configFile || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return {
    modelPath,
    ...(config ? { config, configFile: file } : {}),
    ...versionOf(join(target, 'manifest.json')),
  };
}

function versionOf(path: string): { version?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' && version ? { version } : {};
  } catch {
    throw new ModelshipError(`${path}: is not valid JSON; repackage the bundle.`);
  }
}
