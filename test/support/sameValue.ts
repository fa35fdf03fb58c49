/**
 * Deep equality that tells -0 from 0 (Object.is on every number) and holds objects to the same
 * own keys in the same order: what a JSON reader must give to match JSON.parse exactly.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k, i) => k === kb[i] && sameValue(a[k as never], b[k as never]))
    );
  }
  return a === b;
}
