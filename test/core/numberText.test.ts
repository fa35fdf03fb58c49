// Options and environment variables that take a number: only plain decimal digits count, so a
// typo such as 0x10, 1e1 or an empty value is refused instead of read as some other setting.
import { describe, expect, it } from 'vitest';
import { plainNumber } from '../../src/core/numberText.js';

describe('plainNumber', () => {
  it('reads plain decimals, trimmed', () => {
    expect(['0', '7', ' 12 ', '12.5', '007', '65535'].map(plainNumber)).toEqual([
      0, 7, 12, 12.5, 7, 65535,
    ]);
  });

  it('is NaN for anything else Number() would have read', () => {
    for (const text of [
      '',
      ' ',
      '0x10',
      '1e1',
      '-0',
      '+5',
      '.5',
      '5.',
      'NaN',
      'Infinity',
      '5%',
      undefined,
    ])
      expect(plainNumber(text), String(text)).toBeNaN();
  });
});
