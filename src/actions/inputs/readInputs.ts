import { z } from 'zod';
import { ModelshipError } from '../../core/errors.js';

/**
 * An input as @actions/core's getInput reads it: `INPUT_<NAME>` (upper case, spaces as
 * underscores), trimmed; empty when the runner did not set it.
 */
export function inputValue(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** One input's schema: it parses the trimmed string the runner passes (empty when unset). */
export type InputField = z.ZodType<unknown, string>;

/** An action's inputs: one zod object whose keys are the input names of its action.yml. */
export type InputSchema = z.ZodObject<Record<string, InputField>>;

/**
 * Reads every input `schema` names from the environment and parses it. A bad value is one
 * sentence naming the input, its value and what to put there (each field's error message says
 * what it expects); a missing required input is the sentence its `requiredInput` gives.
 */
export function readInputs<S extends InputSchema>(schema: S): z.output<S> {
  const raw = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, inputValue(name)]));
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = String(issue.path[0]);
  if (issue.code === 'custom' && (issue.params as { sentence?: boolean } | undefined)?.sentence)
    throw new ModelshipError(issue.message);
  // Quoted as JSON: a value with a line break or a quote stays one line, its ends unambiguous.
  throw new ModelshipError(
    `input ${name} is ${JSON.stringify(raw[name])}; expected ${issue.message}.`,
  );
}

/** A text input; empty takes `fallback`. */
export const textInput = (fallback = '') => z.string().transform((v) => v || fallback);

/** A text input that may be left out: empty is undefined. */
export const optionalInput = () => z.string().transform((v) => v || undefined);

/** An input the step cannot run without; `sentence` says what it holds and where to get it. */
export const requiredInput = (sentence: string) =>
  z.string().check((ctx) => {
    if (ctx.value === '')
      ctx.issues.push({
        code: 'custom',
        message: sentence,
        input: ctx.value,
        params: { sentence: true },
      });
  });

/**
 * A true/false input; empty takes `fallback`. It takes the YAML 1.2 core schema's spellings
 * (true, True, TRUE, false, False, FALSE, as core.getBooleanInput does) in any case, and yes,
 * no, 1 and 0, which Modelship's actions have always taken.
 */
export const flagInput = (fallback: boolean) =>
  z
    .string()
    .toLowerCase()
    .pipe(z.enum(['', 'true', 'false', 'yes', 'no', '1', '0'], { error: 'true or false' }))
    .transform((v) => (v === '' ? fallback : ['true', 'yes', '1'].includes(v)));

/** One of `choices`; empty takes `fallback`. */
export const choiceInput = <const T extends readonly [string, ...string[]]>(
  choices: T,
  fallback: T[number],
) =>
  z
    .string()
    .transform((v) => v || fallback)
    .pipe(z.enum(choices, { error: `one of ${choices.join(', ')}` }));

/** Lines of text, as core.getMultilineInput reads them: each trimmed, empty lines dropped. */
export const linesInput = () =>
  z.string().transform((v) =>
    v
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  );
