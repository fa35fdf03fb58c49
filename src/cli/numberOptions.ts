import { ModelshipError } from '../core/errors.js';

/**
 * A CLI option that must be a whole number from 1 to `max`, written in plain digits: `-5`, `1.5`,
 * `1e12` or a number past `max` is one sentence naming the flag, before anything runs.
 */
export function positiveIntegerOption(flag: string, value: string, max: number): number {
  const text = value.trim();
  const number = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(number) || number < 1 || number > max)
    throw new ModelshipError(
      `${flag} ${JSON.stringify(value)}: expected a whole number from 1 to ${max}; pass e.g. ${flag} 5.`,
    );
  return number;
}
