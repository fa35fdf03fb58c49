import { ModelshipError } from '../errors.js';

/**
 * Binary classification with two score columns: the column of P(positive). A model that names
 * its classes (a ZipMap's keys, as converters write them) is read by name, so a positive class
 * that sorts first is column 0; otherwise column 1 holds P(positive), as scikit-learn orders it.
 */
export function positiveColumn(
  path: string,
  modelClasses: readonly string[] | undefined,
  positive: unknown,
): 0 | 1 {
  if (!modelClasses || modelClasses.length !== 2) return 1;
  const index = modelClasses.indexOf(String(positive));
  if (index === 0 || index === 1) return index;
  // Classes 0 and 1 are a model trained on encoded labels: column 1 scores the label encoded 1.
  if (isIndexLabels(modelClasses)) return 1;
  throw new ModelshipError(
    `${path}: the model's classes are ${modelClasses.join(', ')}, but model.positive is ${String(positive)}; set model.positive in modelship.yml to the class the model scores as positive.`,
  );
}

/**
 * Reorders row-major class probabilities from the model's class order to `labelClasses` (the
 * order modelship.yml or the holdout gives). Returns the input when the model names no classes
 * or already has that order.
 */
export function alignClasses(
  path: string,
  proba: Float64Array,
  modelClasses: readonly string[] | undefined,
  labelClasses: readonly string[],
): Float64Array {
  if (!modelClasses || modelClasses.every((c, i) => c === labelClasses[i])) return proba;
  // Classes 0…C-1 are a model trained on encoded labels (XGBoost's, a LabelEncoder's): its
  // columns are in the order of model.classes or of the sorted labels, as without names.
  if (isIndexLabels(modelClasses) && !labelClasses.every((c) => modelClasses.includes(c)))
    return proba;
  const from = labelClasses.map((c) => modelClasses.indexOf(c));
  const absent = labelClasses.filter((_, i) => from[i] === -1);
  if (absent.length || modelClasses.length !== labelClasses.length) {
    throw new ModelshipError(
      `${path}: the model's classes are ${modelClasses.join(', ')}, but the labels are ${labelClasses.join(', ')}; list the model's classes in model.classes in modelship.yml, or retrain on these labels.`,
    );
  }
  const c = labelClasses.length;
  const out = new Float64Array(proba.length);
  for (let r = 0; r < proba.length / c; r++) {
    for (let k = 0; k < c; k++) out[r * c + k] = proba[r * c + from[k]!]!;
  }
  return out;
}

/** Whether classes are the column indices 0, 1, …, C-1: labels a model was trained on encoded. */
function isIndexLabels(classes: readonly string[]): boolean {
  return classes.every((c, i) => c === String(i));
}
