/**
 * Area under the ROC curve, as sklearn's `roc_auc_score` for binary labels: the trapezoid over
 * the curve's distinct thresholds, which is the Mann–Whitney U statistic with tied scores counted
 * half. Returns null when yTrue holds a single class (sklearn raises: the area is undefined).
 *
 * Positives' and negatives' scores are each sorted once (native typed-array sort) and merged;
 * counts are integers, so the only rounding is the final division.
 */
export function rocAuc(yTrue: Uint8Array, scores: Float64Array): number | null {
  const n = yTrue.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] !== 0) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;

  const pos = new Float64Array(positives);
  const neg = new Float64Array(negatives);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (yTrue[i] !== 0) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  pos.sort();
  neg.sort();

  // twiceU = 2 × Σ over positives of (negatives scored lower + ½ × negatives tied).
  let twiceU = 0;
  let i = 0;
  let j = 0;
  while (i < positives) {
    const value = pos[i]!;
    while (j < negatives && neg[j]! < value) j++;
    const below = j;
    while (j < negatives && neg[j] === value) j++;
    const tied = j - below;
    const start = i;
    while (i < positives && pos[i] === value) i++;
    twiceU += (i - start) * (2 * below + tied);
  }
  return twiceU / (2 * positives * negatives);
}
