import { expect } from 'vitest';
import { ModelshipError } from '../../src/core/errors.js';

/** The message of the error `work` throws, checked to be a ModelshipError (exit code 2). */
export function modelshipErrorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelshipError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}
