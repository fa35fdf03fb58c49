import { dirname } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from './yamlFile.js';

export const COLUMN_TYPES = ['integer', 'number', 'string', 'boolean', 'timestamp'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

const bound = z.union([z.number(), z.string()]);

/** One column of the data contract (docs/data-contracts.md). Unknown keys are unknown checks: an error. */
export const columnContractSchema = z
  .object({
    type: z
      .enum(COLUMN_TYPES)
      .describe(
        'Value type: integer (64-bit), number, string, boolean or timestamp (ISO 8601 date or date-time); a non-null value that is not one fails the type check.',
      ),
    description: z.string().optional().describe('Free text for people; not checked.'),
    nullable: z
      .boolean()
      .default(false)
      .describe(
        'Whether null values (in CSV, an empty field, quoted or not) are allowed; counted over all rows, mostly does not apply. Default false.',
      ),
    min: bound
      .optional()
      .describe(
        'Inclusive lower bound: a number for integer and number columns, an ISO date or time for timestamps.',
      ),
    max: bound
      .optional()
      .describe(
        'Inclusive upper bound: a number for integer and number columns, an ISO date or time for timestamps.',
      ),
    in: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional()
      .describe("The allowed values, compared as values of the column's type."),
    pattern: z
      .string()
      .refine(isValidRegex, { message: 'is not a valid regular expression' })
      .optional()
      .describe(
        'String columns: a regular expression (RE2 syntax) searched in the value, not anchored; write ^…$ to anchor.',
      ),
    unique: z
      .boolean()
      .default(false)
      .describe(
        'Every non-null value occurs once; each row whose value occurs more than once fails. Default false.',
      ),
    mostly: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'Share (0–1) of non-null values that must pass each value check (type, min, max, in, pattern, unique); failures within it are warnings. Default 1.',
      ),
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
    $schema: z
      .string()
      .optional()
      .describe('Path or URL of this JSON Schema, for editors; Modelship ignores it.'),
    columns: z
      .record(
        z.string().min(1),
        columnContractSchema.describe('The checks of one column, by its name.'),
      )
      .refine((columns) => Object.keys(columns).length > 0, {
        message: 'must declare at least one column',
      })
      .describe('Expected columns by name; a declared column that is absent fails missing_column.'),
    rows: z
      .object({
        min: z.number().int().min(0).optional().describe('Fewest data rows allowed (inclusive).'),
        max: z.number().int().min(0).optional().describe('Most data rows allowed (inclusive).'),
      })
      .strict()
      .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
        message: 'min is greater than max',
      })
      .optional()
      .describe('Bounds on the number of data rows (header excluded); outside them fails rows.'),
    extra_columns: z
      .enum(['error', 'warn', 'ignore'])
      .default('error')
      .describe(
        'A column the contract does not declare: error (fails extra_column), warn (a warning) or ignore. Default error.',
      ),
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
