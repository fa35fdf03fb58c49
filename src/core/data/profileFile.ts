import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ModelshipError, messageOf } from '../errors.js';
import type { DataProfile } from './profile.js';

const base = {
  name: z.string(),
  declared: z.string().nullable().optional().default(null),
  count: z.number().min(0),
  nulls: z.number().min(0),
};
const valueCount = z.object({ value: z.number(), count: z.number().min(0) });
const numeric = z
  .object({
    ...base,
    kind: z.literal('numeric'),
    invalid: z.number().min(0).default(0),
    min: z.number().nullable(),
    max: z.number().nullable(),
    mean: z.number().nullable(),
    std: z.number().nullable(),
    quantiles: z.record(z.string(), z.number()).nullable().default(null),
    deciles: z.array(z.number()).nullable().default(null),
    decile_shares: z.array(z.number()).length(10).nullable().optional(),
    distinct: z.number().min(0).optional(),
    values: z.array(valueCount).nullable().optional().default(null),
    sketch: z
      .object({
        levels: z.array(z.number().min(0).max(1)).min(2),
        quantiles: z.array(z.number()),
        exact: z.boolean().default(true),
        cdf_error: z.number().min(0),
        w_error: z.number().min(0),
      })
      .refine((s) => s.levels.length === s.quantiles.length, {
        message: 'sketch levels and quantiles differ in length',
      })
      .nullable()
      .optional()
      .default(null),
  })
  .passthrough();
const categorical = z
  .object({
    ...base,
    kind: z.literal('categorical'),
    distinct: z.number().min(0),
    categories: z.array(z.object({ value: z.string(), count: z.number().min(0) })),
    other: z.object({ distinct: z.number().min(0), count: z.number().min(0) }),
  })
  .passthrough();
const datetime = z
  .object({
    ...base,
    kind: z.literal('datetime'),
    min: z.string().nullable(),
    max: z.string().nullable(),
  })
  .passthrough();

export const dataProfileSchema = z
  .object({
    profile_version: z.number().int().min(1),
    purpose: z.string().default(''),
    data: z.string().default(''),
    rows: z.number().min(0),
    created: z.string().default(''),
    shards: z.number().int().min(1).optional(),
    columns: z.array(z.discriminatedUnion('kind', [numeric, categorical, datetime])),
  })
  .passthrough();

/** Reads and validates a profile.json; every failure is one sentence naming the file. */
export function readProfile(path: string): DataProfile {
  let text: string;
  try {
    // A FIFO or a device would block or never end: only a regular file (or a link to one).
    const stats = statSync(path);
    if (!stats.isFile())
      throw new ModelshipError(
        `${path}: is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}; name a profile.json written by modelship profile <data> -o ${path}.`,
      );
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof ModelshipError) throw error;
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelshipError(
      missing
        ? `${path}: profile not found; check the path, or make one with modelship profile <data> -o ${path}.`
        : `${path}: cannot read the profile (${messageOf(error)}).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelshipError(
      `${path}: not valid JSON (${messageOf(error)}); make the profile with modelship profile <data> -o ${path}.`,
    );
  }
  const parsed = dataProfileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ModelshipError(
      `${path}: not a Modelship profile (${at}: ${issue.message}); make it with modelship profile <data> -o ${path}.`,
    );
  }
  return parsed.data as unknown as DataProfile;
}
