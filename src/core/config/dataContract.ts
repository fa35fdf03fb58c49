import { dirname } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from './yamlFile.js';

export const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

const bound = z.union([z.number(), z.string()]);

/** One column of the data contract (DESIGN.md §4). Unknown keys are unknown checks: an error. */
export const columnContractSchema = z
  .object({
    type: z.enum(COLUMN_TYPES),
    description: z.string().optional().describe('Free text for people; not checked.'),
    nullable: z.boolean().default(false).describe('Whether empty values are allowed.'),
    min: bound
      .optional()
      .describe('Inclusive lower bound (a number, or an ISO time for timestamps).'),
    max: bound
      .optional()
      .describe('Inclusive upper bound (a number, or an ISO time for timestamps).'),
    in: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional()
      .describe('The allowed values.'),
    pattern: z
      .string()
      .refine(isValidRegex, { message: 'is not a valid regular expression' })
      .optional()
      .describe('A regular expression searched in the value (anchor it with ^…$).'),
    unique: z.boolean().default(false).describe('Every non-null value occurs once.'),
    mostly: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe('Share of non-null values that must pass each value check.'),
  })
  .strict()
  .superRefine((column, ctx) => {
    if (
      column.min !== undefined &&
      column.max !== undefined &&
      compareBounds(column.min, column.max) > 0
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min (${column.min}) is greater than max (${column.max})`,
      });
    }
    for (const key of ['min', 'max'] as const) {
      const value = column[key];
      if (value === undefined) continue;
      const numeric = column.type === 'integer' || column.type === 'number';
      if (numeric && typeof value !== 'number') {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected a number for a ${column.type} column`,
        });
      } else if (column.type === 'timestamp' && Number.isNaN(Date.parse(String(value)))) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'expected an ISO date or time' });
      } else if (column.type === 'string' || column.type === 'boolean') {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} does not apply to a ${column.type} column`,
        });
      }
    }
    if (column.pattern !== undefined && column.type !== 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['pattern'],
        message: 'pattern applies to string columns only',
      });
    }
  });

export const dataContractSchema = z
  .object({
    $schema: z.string().optional(),
    columns: z
      .record(z.string().min(1), columnContractSchema)
      .refine((columns) => Object.keys(columns).length > 0, {
        message: 'must declare at least one column',
      })
      .describe('Expected columns by name.'),
    rows: z
      .object({ min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
      .strict()
      .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
        message: 'min is greater than max',
      })
      .optional()
      .describe('Bounds on the number of data rows.'),
    extra_columns: z
      .enum(['error', 'warn', 'ignore'])
      .default('error')
      .describe('What a column the contract does not declare is.'),
  })
  .strict();

export type ColumnContract = z.output<typeof columnContractSchema>;
export type DataContract = z.output<typeof dataContractSchema>;

/** A loaded contract with the file it came from. */
export interface LoadedContract {
  contract: DataContract;
  file: string;
  dir: string;
}

/** Reads and validates a data contract (`schema.yml`). */
export function loadDataContract(file: string): LoadedContract {
  return {
    contract: loadYamlFile(file, dataContractSchema, 'data contract'),
    file,
    dir: dirname(file),
  };
}

function isValidRegex(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function compareBounds(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return Date.parse(String(a)) - Date.parse(String(b));
}
