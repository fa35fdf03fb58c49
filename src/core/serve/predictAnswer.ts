import type { ModelshipConfig } from '../config/modelshipConfig.js';
import type { Predictions } from '../model/predict.js';

/** What names a model's answers: modelship.yml, the class names the model or serve was given. */
export interface Labelling {
  config: ModelshipConfig;
  /** The class names the model itself carries (a ZipMap's keys). */
  modelClasses?: string[] | undefined;
  /** Below the threshold (binary); default `not <positive>`. */
  negativeLabel?: string | undefined;
  /** Multiclass class order when neither modelship.yml nor the model names the classes. */
  classes?: string[] | undefined;
}

/**
 * The body of a /predict answer: labels and probabilities (binary, multiclass) or predictions
 * (regression). One function, so the shadow log's reading of an infer answer labels rows as
 * /predict does.
 */
export function predictAnswer(
  out: Predictions,
  rows: number,
  labelling: Labelling,
): Record<string, unknown> {
  const { config } = labelling;
  if (out.kind === 'binary') {
    const positive = String(config.model.positive);
    const negative = labelling.negativeLabel ?? `not ${positive}`;
    const threshold = config.model.threshold;
    const probabilities = Array.from(out.scores);
    return {
      threshold,
      positive,
      negative,
      labels: probabilities.map((p) => (p >= threshold ? positive : negative)),
      probabilities,
    };
  }
  if (out.kind === 'multiclass') {
    const c = out.classCount;
    const named = config.model.classes?.map(String) ?? labelling.modelClasses ?? labelling.classes;
    const classes =
      named && named.length === c ? named : Array.from({ length: c }, (_, i) => String(i));
    const probabilities = Array.from({ length: rows }, (_, r) =>
      Array.from(out.proba.subarray(r * c, (r + 1) * c)),
    );
    const labels = probabilities.map((p) => classes[p.indexOf(Math.max(...p))] ?? '');
    return { classes, labels, probabilities };
  }
  return { predictions: Array.from(out.values) };
}
