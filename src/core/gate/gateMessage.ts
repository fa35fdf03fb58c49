/** Differences below this are float noise: values this close are equal at an inclusive bound. */
export const TOLERANCE = 1e-12;

function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** A value in a gate message: 4 decimals (the JSON report keeps full precision). */
export function formatValue(value: number): string {
  return fixed(value, 4);
}

/** A relative change as a percentage with 2 decimals (0.05 → "5.00%"): 4 decimals of the share. */
export function formatShare(value: number): string {
  return `${fixed(value * 100, 2)}%`;
}

/**
 * Two compared values, with more decimals where the usual ones would show different values as the
 * same: 0.74996 against a minimum of 0.75 reads "0.74996 < 0.75000", not "0.7500 < 0.7500".
 * Values within TOLERANCE count as equal and keep the usual decimals.
 */
function pair(a: number, b: number, digits: number, scale: number): [string, string] {
  if (Math.abs(a - b) >= TOLERANCE && Number.isFinite(a) && Number.isFinite(b)) {
    while (digits < 12 && fixed(a * scale, digits) === fixed(b * scale, digits)) digits++;
  }
  return [fixed(a * scale, digits), fixed(b * scale, digits)];
}

/** Two compared values with 4 decimals, or more where 4 would not tell them apart. */
export function formatPair(a: number, b: number): [string, string] {
  return pair(a, b, 4, 1);
}

/** Two compared shares as percentages with 2 decimals, or more where 2 would not tell them apart. */
export function formatSharePair(a: number, b: number): [string, string] {
  const [x, y] = pair(a, b, 2, 100);
  return [`${x}%`, `${y}%`];
}
