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

export { decileShares } from '../data/quantileSketch.js';
