// Options and environment variables that take a number: only plain decimal digits count, so a
// typo such as 0x10, 1e1 or an empty value is refused instead of read as some other setting.
import { describe, expect, it } from 'vitest';
import { groupedCount, plainNumber } from '../../src/core/numberText.js';

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

describe('groupedCount', () => {
  it("writes what toLocaleString('en-US') writes", () => {
    const values = [0, -0, 1, 12, 123, 999, 1000, -1000, 12345, 999999, 1000000, 1234567890];
    values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, -2.25, NaN);
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 48271) % 2147483647;
      values.push(Math.floor(seed / 10 ** (i % 10)) * (i % 3 === 0 ? -1 : 1));
    }
    for (const value of values) expect(groupedCount(value)).toBe(value.toLocaleString('en-US'));
  });
});
