import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ModelshipError, messageOf } from '../errors.js';
import { storedIntervals, type IntervalSource, type IntervalsReport } from '../stats/index.js';
import { ungatedAttributes } from '../fairness/fairnessGate.js';
import type { ConfigGateValues } from './configGate.js';
import { sliceName, type SliceResult } from './sliceGate.js';

const metricsSchema = z.record(z.string(), z.number().nullable());
const fairnessSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
const endsSchema = { low: z.number().nullable(), high: z.number().nullable() };
const intervalSchema = z.object({
  method: z.enum(['delong', 'bootstrap-percentile']),
  ...endsSchema,
  change: z.object({ value: z.number().nullable(), ...endsSchema }).optional(),
});
/** The intervals evaluate wrote (optional: older reports and training metrics have none). */
const intervalsSchema = z.object({
  confidence: z.number(),
  replicates: z.number(),
  seed: z.number(),
  metrics: z.record(z.string(), intervalSchema),
  fairness: z.record(z.string(), z.record(z.string(), intervalSchema)).default({}),
});
/** One slice as evaluate writes it (`slices` in modelship.yml). */
const sliceSchema = z.object({
  columns: z.array(z.string()),
  values: z.array(z.string()),
  count: z.number(),
  metrics: metricsSchema,
  gated: z.boolean(),
  intervals: z.record(z.string(), intervalSchema).optional(),
});
/** A report made elsewhere: an evaluate report, or a training script's metrics. */
const reportSchema = z.object({
  metrics: metricsSchema,
  fairness: fairnessSchema.optional(),
  intervals: intervalsSchema.optional(),
  slices: z.array(sliceSchema).optional(),
  baseline: z
    .object({
      metrics: metricsSchema,
      fairness: fairnessSchema.optional(),
      slices: z.array(sliceSchema).optional(),
    })
    .nullable()
    .optional(),
});

/** The gate's inputs read from a JSON report file; errors name the file and the key. */
export function readGateReport(file: string): {
  /** `ungated`: attributes whose disparities lack two groups of fairness.min_group_size rows. */
  candidate: ConfigGateValues & { ungated: string[] };
  baseline: ConfigGateValues | null;
} {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelshipError(`${file}: report not found; check the path.`);
    throw new ModelshipError(`${file}: not valid JSON (${messageOf(error)}).`);
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(top level)';
    const value = issue.path.reduce<unknown>(
      (at, key) =>
        at !== null && typeof at === 'object'
          ? (at as Record<PropertyKey, unknown>)[key]
          : undefined,
      data,
    );
    // JSON.parse reads 1e400 as Infinity: say so, not "expected number".
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new ModelshipError(
        `${file}: ${where}: is not a finite number (a JSON number too large, read as ${value}); write a finite number, or null for an undefined metric.`,
      );
    throw new ModelshipError(
      `${file}: ${where}: ${issue.message}; expected { metrics: { name: number }, fairness?, baseline? }.`,
    );
  }
  const report = parsed.data;
  return {
    candidate: {
      metrics: report.metrics,
      fairness: numbersOf(report.fairness),
      ungated: ungatedOf(report.fairness),
      ...(report.intervals
        ? { intervals: storedIntervals(report.intervals as IntervalsReport) }
        : {}),
      ...(report.slices
        ? {
            slices: report.slices as SliceResult[],
            sliceIntervals: storedSliceIntervals(report.slices, report.intervals),
          }
        : {}),
    },
    baseline: report.baseline
      ? {
          metrics: report.baseline.metrics,
          fairness: numbersOf(report.baseline.fairness),
          ...(report.baseline.slices ? { slices: report.baseline.slices as SliceResult[] } : {}),
        }
      : null,
  };
}

/** Each slice's stored intervals, at the report's confidence, by slice name. */
function storedSliceIntervals(
  slices: readonly z.output<typeof sliceSchema>[],
  intervals: z.output<typeof intervalsSchema> | undefined,
): Map<string, IntervalSource> {
  const out = new Map<string, IntervalSource>();
  if (!intervals) return out;
  for (const slice of slices)
    if (slice.intervals)
      out.set(
        sliceName(slice),
        storedIntervals({
          ...intervals,
          metrics: slice.intervals,
          fairness: {},
        } as IntervalsReport),
      );
  return out;
}

/** Attributes whose disparities evaluate left undefined for want of groups of min_group_size. */
function ungatedOf(fairness: Record<string, Record<string, unknown>> | undefined): string[] {
  const sizes: Record<string, { groups: Record<string, unknown>; small_groups?: string[] }> = {};
  for (const [attribute, values] of Object.entries(fairness ?? {})) {
    const { groups, small_groups: small } = values;
    if (groups && typeof groups === 'object' && Array.isArray(small))
      sizes[attribute] = {
        groups: groups as Record<string, unknown>,
        small_groups: small.map(String),
      };
  }
  return ungatedAttributes(sizes);
}

/** The disparity numbers of each attribute (group tables are ignored). */
function numbersOf(
  fairness: Record<string, Record<string, unknown>> | undefined,
): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const [attribute, values] of Object.entries(fairness ?? {})) {
    const numbers: Record<string, number | null> = {};
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'number' || value === null) numbers[name] = value;
    }
    out[attribute] = numbers;
  }
  return out;
}
