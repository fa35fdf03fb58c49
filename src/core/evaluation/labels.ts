import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { ModelshipError } from '../errors.js';

/** True labels encoded for the task's metrics. */
export type Labels =
  | { kind: 'binary'; yTrue: Uint8Array; positive: string; negativeLabel: string }
  | { kind: 'multiclass'; yTrue: Int32Array; classes: string[] }
  | { kind: 'regression'; yTrue: Float64Array };

/** Encodes the target column (string forms) for the configured task. */
export function labelsFor(config: ModelshipConfig, target: string[], source: string): Labels {
  const { task, positive, classes: declared } = config.model;
  if (task === 'binary-classification') {
    const wanted = String(positive);
    const distinct = [...new Set(target)];
    if (distinct.length > 2) {
      throw new ModelshipError(
        `${source}: ${config.model.target} has ${distinct.length} distinct values (${distinct.slice(0, 5).join(', ')}…); binary classification needs two.`,
      );
    }
    if (!distinct.includes(wanted)) {
      throw new ModelshipError(
        `${source}: no row has ${config.model.target} = "${wanted}" (model.positive); the values are ${distinct.join(', ')}.`,
      );
    }
    const yTrue = new Uint8Array(target.length);
    for (let i = 0; i < target.length; i++) yTrue[i] = target[i] === wanted ? 1 : 0;
    return {
      kind: 'binary',
      yTrue,
      positive: wanted,
      negativeLabel: distinct.find((v) => v !== wanted) ?? `not ${wanted}`,
    };
  }
  if (task === 'multiclass-classification') {
    const classes = declared ? declared.map(String) : [...new Set(target)].sort();
    const index = new Map(classes.map((c, i) => [c, i]));
    const yTrue = new Int32Array(target.length);
    for (let i = 0; i < target.length; i++) {
      const k = index.get(target[i]!);
      if (k === undefined)
        throw new ModelshipError(
          `${source} row ${i + 1}: ${config.model.target} "${target[i]}" is not among model.classes (${classes.join(', ')}).`,
        );
      yTrue[i] = k;
    }
    return { kind: 'multiclass', yTrue, classes };
  }
  const yTrue = new Float64Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const value = Number(target[i]);
    if (target[i] === '' || !Number.isFinite(value))
      throw new ModelshipError(
        `${source} row ${i + 1}: ${config.model.target} "${target[i]}" is not a number; a regression target must be numeric.`,
      );
    yTrue[i] = value;
  }
  return { kind: 'regression', yTrue };
}
