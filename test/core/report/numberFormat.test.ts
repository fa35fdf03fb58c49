// Report numbers: metric values to 4 decimals, and drift scores that keep a tiny p-value visible.
import { describe, expect, it } from 'vitest';
import { formatScore, formatValue } from '../../../src/core/report/numberFormat.js';

describe('formatScore', () => {
  it('writes a small nonzero p-value in exponent form, not as 0.0000', () => {
    expect(formatScore(3.14e-7)).toBe('3.1e-7');
    expect(formatScore(9.9e-5)).toBe('9.9e-5');
    expect(formatScore(-2e-6)).toBe('-2.0e-6');
  });

  it('writes everything else as formatValue does', () => {
    for (const value of [0, 1e-4, 0.05, 0.12345, 1, 12.5, null, undefined, NaN, Infinity])
      expect(formatScore(value)).toBe(formatValue(value));
    expect(formatScore(0.1)).toBe('0.1000');
  });
});
