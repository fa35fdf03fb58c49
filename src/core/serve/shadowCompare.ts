/**
 * How a shadow's answer compares with the primary's, row by row: whether the labels agree, and
 * |score difference| (P(positive) for a binary model, the largest change of a class probability
 * for a multiclass one, the prediction of a regression; an infer answer's float outputs the same
 * way, its integer and string outputs as labels).
 */
export interface Comparison {
  /** Rows with a label from both models. */
  labels: number;
  /** Of those, rows whose labels are equal. */
  agreed: number;
  /** One |difference| per row with scores from both models. */
  differences: number[];
}

/** What one answer says per row. */
interface RowAnswers {
  labels?: unknown[];
  /** One score per row, or one probability vector per row. */
  scores?: (number | number[])[];
}

const isNumberArray = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number');

/** The rows of a /predict answer ({labels, probabilities} or {predictions}). */
function predictRows(body: Record<string, unknown>): RowAnswers {
  const out: RowAnswers = {};
  if (Array.isArray(body.labels)) out.labels = body.labels;
  const scores = body.probabilities ?? body.predictions;
  if (Array.isArray(scores) && scores.every((s) => typeof s === 'number' || isNumberArray(s)))
    out.scores = scores as (number | number[])[];
  return out;
}

interface OutputTensor {
  name: string;
  datatype: string;
  shape: number[];
  data?: unknown[];
}

/** One output tensor's rows: its first dimension, each row a value or a vector. */
function tensorRows(t: OutputTensor): unknown[] | undefined {
  if (!Array.isArray(t.data) || !Array.isArray(t.shape) || t.shape.length === 0) return undefined;
  const rows = t.shape[0]!;
  if (!(rows > 0) || t.data.length % rows !== 0) return undefined;
  const width = t.data.length / rows;
  if (width === 1) return t.data;
  return Array.from({ length: rows }, (_, r) => t.data!.slice(r * width, (r + 1) * width));
}

function outputsOf(body: Record<string, unknown>): Map<string, OutputTensor> {
  const outputs = Array.isArray(body.outputs) ? (body.outputs as OutputTensor[]) : [];
  return new Map(outputs.map((o) => [o.name, o]));
}

/** Compares two answers of the same route to the same request. */
export function compareAnswers(
  route: 'predict' | 'infer',
  primary: Record<string, unknown>,
  shadow: Record<string, unknown>,
): Comparison {
  const comparison: Comparison = { labels: 0, agreed: 0, differences: [] };
  const pairs: [RowAnswers, RowAnswers][] = [];
  if (route === 'predict') {
    pairs.push([predictRows(primary), predictRows(shadow)]);
  } else {
    const theirs = outputsOf(shadow);
    for (const [name, ours] of outputsOf(primary)) {
      const other = theirs.get(name);
      if (!other) continue;
      const a = tensorRows(ours);
      const b = tensorRows(other);
      if (!a || !b) continue;
      const float = ours.datatype.startsWith('FP') && other.datatype.startsWith('FP');
      pairs.push(
        float
          ? [{ scores: a as (number | number[])[] }, { scores: b as (number | number[])[] }]
          : [{ labels: a }, { labels: b }],
      );
    }
  }
  for (const [a, b] of pairs) {
    if (a.labels && b.labels && a.labels.length === b.labels.length) {
      comparison.labels += a.labels.length;
      a.labels.forEach((label, i) => {
        if (String(label) === String(b.labels![i])) comparison.agreed++;
      });
    }
    if (a.scores && b.scores && a.scores.length === b.scores.length) {
      a.scores.forEach((x, i) => {
        const d = difference(x, b.scores![i]!);
        if (d !== undefined) comparison.differences.push(d);
      });
    }
  }
  return comparison;
}

/** |a − b| of two scores, or the largest over two vectors of one length. */
function difference(a: number | number[], b: number | number[]): number | undefined {
  if (typeof a === 'number' && typeof b === 'number')
    return Number.isFinite(a - b) ? Math.abs(a - b) : undefined;
  if (isNumberArray(a) && isNumberArray(b) && a.length === b.length) {
    let most = 0;
    for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i]! - b[i]!));
    return Number.isFinite(most) ? most : undefined;
  }
  return undefined;
}
