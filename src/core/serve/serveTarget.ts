import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataContract } from '../config/dataContract.js';
import { loadConfig, type LoadedConfig, type ModelshipConfig } from '../config/modelshipConfig.js';
import { ModelshipError } from '../errors.js';

/** What `modelship serve` serves: the model file, its config when known, and its version. */
export interface ServeTarget {
  modelPath: string;
  config?: ModelshipConfig;
  configFile?: string;
  version?: string;
  /** The label /predict gives below the threshold (binary), when the config or contract names it. */
  negativeLabel?: string;
  /** The class order of a multiclass output, when the contract names the classes. */
  classes?: string[];
}

/** The ServeOptions a target fixes, so every caller serves a bundle with the same labels. */
export function serveTargetOptions(target: ServeTarget): {
  modelPath: string;
  config?: ModelshipConfig;
  configFile?: string;
  modelVersion?: string;
  negativeLabel?: string;
  classes?: string[];
} {
  return {
    modelPath: target.modelPath,
    ...(target.config ? { config: target.config } : {}),
    ...(target.configFile ? { configFile: target.configFile } : {}),
    ...(target.version ? { modelVersion: target.version } : {}),
    ...(target.negativeLabel !== undefined ? { negativeLabel: target.negativeLabel } : {}),
    ...(target.classes ? { classes: target.classes } : {}),
  };
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
    const loaded = loadConfig(configFile);
    return { modelPath: target, config: loaded.config, configFile, ...labelsOf(loaded) };
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
  let loaded: LoadedConfig | undefined;
  try {
    statSync(file);
    loaded = loadConfig(file);
  } catch (error) {
    if (configFile || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return {
    modelPath,
    ...(loaded ? { config: loaded.config, configFile: file, ...labelsOf(loaded) } : {}),
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

/**
 * The labels /predict answers with that modelship.yml may not name: the negative class of a
 * binary model (model.negative, else model.classes when it lists two, else the target column's
 * `in` list in the data contract; with none of them /predict says `not <positive>`) and the classes of a multiclass model without model.classes (the contract's, sorted,
 * as evaluate orders the labels it finds). A contract that cannot be read names nothing.
 */
export function labelsOf(loaded: LoadedConfig): { negativeLabel?: string; classes?: string[] } {
  const { model, data } = loaded.config;
  const positive = String(model.positive);
  const other = (values: readonly unknown[] | undefined) => {
    const distinct = [...new Set((values ?? []).map(String))];
    return distinct.length === 2 && distinct.includes(positive)
      ? distinct.find((v) => v !== positive)
      : undefined;
  };
  let allowed: readonly unknown[] | undefined;
  if (data.schema) {
    try {
      allowed = loadDataContract(loaded.resolve(data.schema)).contract.columns[model.target]?.in;
    } catch {
      allowed = undefined;
    }
  }
  if (model.task === 'binary-classification') {
    const negative =
      model.negative !== undefined
        ? String(model.negative)
        : (other(model.classes) ?? other(allowed));
    return negative !== undefined ? { negativeLabel: negative } : {};
  }
  if (model.task === 'multiclass-classification' && !model.classes && allowed) {
    return { classes: [...new Set(allowed.map(String))].sort() };
  }
  return {};
}
