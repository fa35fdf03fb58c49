import { z } from 'zod';

/** Parsed JSON, or undefined when the text is not JSON. */
function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The `models` input: the models a change affects, as the affected step's `models` output (a
 * JSON list) or names separated by commas, spaces or lines. Empty: undefined (this model alone).
 */
export const modelsInput = () =>
  z.string().transform((value, ctx) => {
    if (value === '') return undefined;
    if (!value.startsWith('[')) return value.split(/[\s,]+/).filter(Boolean);
    const parsed = jsonOf(value);
    if (Array.isArray(parsed) && parsed.every((m) => typeof m === 'string')) return parsed;
    ctx.issues.push({
      code: 'custom',
      input: value,
      message:
        "a JSON list of model names (the affected step's models output) or names separated by commas",
    });
    return z.NEVER;
  });
