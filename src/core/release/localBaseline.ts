import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type LoadedConfig } from '../config/modelshipConfig.js';
import { isModelshipError, ModelshipError } from '../errors.js';
import { BUNDLE_FILES } from './bundleFiles.js';
import type { BaselineModel } from '../evaluation/evaluate.js';

/**
 * A baseline on disk: a release bundle directory (its model.onnx, read through its own
 * modelship.yml) or a bare ONNX file (read through `configFile`, else the candidate's config).
 * `path` is resolved already; `label` is what the user wrote.
 */
export function localBaseline(path: string, label: string, configFile?: string): BaselineModel {
  if (!existsSync(path))
    throw new ModelshipError(
      `baseline ${label}: no such file or directory (relative paths start from the working directory); pass a release bundle directory, an ONNX file, production, a release tag <name>-v<semver>, or none.`,
    );
  if (!statSync(path).isDirectory())
    return { path, label, ...(configFile ? { config: loadConfig(configFile) } : {}) };
  if (configFile)
    throw new ModelshipError(
      `baseline ${label} is a release bundle directory, which brings its own ${BUNDLE_FILES.config}: leave the baseline config out, or pass the bundle's ${BUNDLE_FILES.model} with it.`,
    );
  const model = join(path, BUNDLE_FILES.model);
  const config = join(path, BUNDLE_FILES.config);
  const lacking = [model, config].filter((file) => !existsSync(file));
  if (lacking.length)
    throw new ModelshipError(
      `baseline ${label}: a directory must be a release bundle (modelship package --out, or modelship registry download), but it has no ${lacking.map((f) => f.slice(path.length + 1)).join(' or ')}.`,
    );
  return { path: model, label, config: bundleConfig(config, label) };
}

/** A release bundle's modelship.yml, whose errors name the baseline they belong to. */
export function bundleConfig(file: string, baseline: string): LoadedConfig {
  try {
    return loadConfig(file);
  } catch (error) {
    if (!isModelshipError(error)) throw error;
    throw new ModelshipError(
      `baseline ${baseline}: its ${BUNDLE_FILES.config}, which says how the baseline reads the holdout, does not load (${error.message.replace(/\.$/, '')}); compare with another baseline, or none.`,
      error.exitCode,
    );
  }
}
