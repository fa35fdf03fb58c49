import type { Feature } from '../config/modelshipConfig.js';
import { ModelshipError } from '../errors.js';
import type { OnnxModel } from './onnxModel.js';

/**
 * A string input of a column-named model: its column's text, fed as it is. Only the model's own
 * inputs make these; modelship.yml names the column as a plain feature.
 */
export interface TextFeature {
  column: string;
  text: true;
  /** A blank value: `error`, or the text fed instead (e.g. "" or "missing"). */
  missing?: number | string;
}

/** What the feature matrix is built from: modelship.yml's features, or the model's inputs. */
export type ResolvedFeature = Feature | TextFeature;

export function isTextFeature(feature: ResolvedFeature): feature is TextFeature {
  return typeof feature === 'object' && 'text' in feature;
}

/** The data column a feature reads. */
export function featureColumn(feature: ResolvedFeature): string {
  return typeof feature === 'string' ? feature : feature.column;
}

/**
 * The features the model reads, in the order of its input. A [batch, F] model reads
 * modelship.yml's features. A model with one input per data column (skl2onnx pipelines) reads
 * its inputs' columns: model.features may be left out, or list exactly those columns (plain, or
 * with missing/unknown settings, or a map that makes a numeric input); a string input takes the
 * column's text.
 */
export function resolveFeatures(
  configFile: string,
  features: readonly Feature[] | undefined,
  model: Pick<OnnxModel, 'path' | 'inputs' | 'layout'>,
): ResolvedFeature[] {
  if (model.layout === 'matrix') {
    if (features) return [...features];
    const input = model.inputs[0]!;
    if (input.shape[1] === 1) return [input.name];
    throw new ModelshipError(
      `${configFile}: model.features is not set, and ${model.path} takes one [${input.shape.join(', ')}] input named ${input.name}, not one input per data column; list in model.features how a row becomes that input.`,
    );
  }
  const byColumn = new Map((features ?? []).map((f) => [featureColumn(f), f]));
  const names = model.inputs.map((i) => i.name);
  if (features) {
    const extra = [...byColumn.keys()].filter((c) => !names.includes(c));
    const absent = names.filter((n) => !byColumn.has(n));
    if (extra.length || absent.length || byColumn.size !== features.length) {
      throw new ModelshipError(
        `${configFile}: model.features lists ${[...byColumn.keys()].join(', ')}, but ${model.path} takes one input per column: ${names.join(', ')}; list exactly those columns in model.features, or leave it out.`,
      );
    }
  }
  return model.inputs.map((input): ResolvedFeature => {
    const feature = byColumn.get(input.name) ?? input.name;
    const settings: { one_hot?: unknown; map?: unknown; missing?: number | string } =
      typeof feature === 'string' ? {} : feature;
    if (settings.one_hot) {
      throw new ModelshipError(
        `${configFile}: feature ${input.name} is one_hot encoded, but ${model.path} takes ${input.name} as one input of its own; list it as a plain column (the model encodes it).`,
      );
    }
    if (input.type === 'string') {
      if (settings.map) {
        throw new ModelshipError(
          `${configFile}: feature ${input.name} has a map, but ${model.path} takes ${input.name} as text; list it as a plain column.`,
        );
      }
      return {
        column: input.name,
        text: true,
        ...(settings.missing !== undefined ? { missing: settings.missing } : {}),
      };
    }
    return feature;
  });
}
