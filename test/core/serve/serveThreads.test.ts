import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseServeThreads } from '../../../src/core/serve/serveThreads.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';

describe('serve --threads', () => {
  it('defaults to half the CPUs this process may use, at least one', () => {
    const expected = Math.max(1, Math.floor(availableParallelism() / 2));
    expect(parseServeThreads(undefined)).toBe(expected);
    expect(parseServeThreads('')).toBe(expected);
  });

  it('takes a whole number of threads', () => {
    expect(parseServeThreads('1')).toBe(1);
    expect(parseServeThreads('8')).toBe(8);
  });

  it.each(['0', '-1', '1.5', 'two', '2000', '0x10', '1e1', ' '])(
    'refuses %s in one sentence',
    (value) => {
      expect(modelshipErrorOf(() => parseServeThreads(value))).toBe(
        `--threads ${value} (or MODELSHIP_THREADS) is not a whole number of threads from 1 to 1024.`,
      );
    },
  );
});
