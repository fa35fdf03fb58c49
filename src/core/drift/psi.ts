/** A zero share becomes this before the logarithm (the convention Evidently and most tools use). */
export const PSI_FLOOR = 0.0001;

/** PSI = Σ (c_i − r_i)·ln(c_i / r_i) over bins of shares, a zero share replaced by 0.0001. */
export function populationStabilityIndex(
  reference: readonly number[],
  current: readonly number[],
): number {
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]! > 0 ? reference[i]! : PSI_FLOOR;
    const c = current[i]! > 0 ? current[i]! : PSI_FLOOR;
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** Shares of the 10 bins the inner decile edges cut (outer bins open; bin i is [e_i, e_i+1)). */
export function decileShares(
  innerEdges: readonly number[],
  below: (x: number) => number,
): number[] {
  const shares: number[] = [];
  let previous = 0;
  for (const edge of innerEdges) {
    const at = below(edge);
    shares.push(at - previous);
    previous = at;
  }
  shares.push(1 - previous);
  return shares;
}
