import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from './yamlFile.js';

export const TASKS = ['binary-classification', 'multiclass-classification', 'regression'] as const;
export type Task = (typeof TASKS)[number];

/** Metric names per task (DESIGN.md §5). */
export const TASK_METRICS: Record<Task, readonly string[]> = {
  'binary-classification': [
    'accuracy',
    'precision',
    'recall',
    'f1',
    'roc_auc',
    'log_loss',
    'brier',
  ],
  'multiclass-classification': ['accuracy', 'macro_f1', 'log_loss'],
  regression: ['mae', 'mse', 'rmse', 'r2'],
};
export const METRIC_NAMES = [...new Set(Object.values(TASK_METRICS).flat())] as [
  string,
  ...string[],
];
export const FAIRNESS_METRICS = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
] as const;
export const DRIFT_METHODS = [
  'auto',
  'ks',
  'wasserstein',
  'jensenshannon',
  'chisquare',
  'z',
  'psi',
] as const;

const label = z.union([z.string(), z.number(), z.boolean()]);

const featureSchema = z.union([
  z.string().min(1).describe('A numeric column, used as is.'),
  z
    .object({
      column: z.string().min(1),
      one_hot: z
        .array(label)
        .min(1)
        .optional()
        .describe('Categories, one input each, in this order.'),
      map: z.record(z.string(), z.number()).optional().describe('Value → number.'),
    })
    .strict()
    .refine((f) => (f.one_hot === undefined) !== (f.map === undefined), {
      message: 'a feature object needs exactly one of one_hot or map',
    }),
]);

/** A gate rule set for one metric (REFERENCE.md, Gate). */
export const ruleSchema = z
  .object({
    min: z.number().optional(),
    max: z.number().optional(),
    max_regression: z.number().min(0).optional(),
    max_relative_regression: z.number().min(0).optional(),
  })
  .strict()
  .refine((r) => Object.values(r).some((v) => v !== undefined), {
    message: 'needs at least one rule',
  });

export const modelshipConfigSchema = z
  .object({
    $schema: z.string().optional(),
    model: z
      .object({
        name: z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9-]*$/,
            'expected lower-case letters, digits and dashes, e.g. credit-risk',
          ),
        task: z.enum(TASKS),
        path: z.string().min(1).describe('Where training leaves the ONNX model.'),
        target: z.string().min(1).describe('Label column in evaluation data.'),
        positive: label.optional().describe('Positive class (binary classification).'),
        threshold: z.number().min(0).max(1).default(0.5),
        classes: z
          .array(label)
          .min(2)
          .optional()
          .describe('Class order of a multiclass model output.'),
        features: z.array(featureSchema).min(1),
      })
      .strict(),
    data: z
      .object({
        schema: z.string().optional(),
        train: z.string().optional(),
        eval: z.string().optional(),
        current: z.string().optional(),
      })
      .strict()
      .default({}),
    train: z
      .object({
        command: z.string().min(1).optional(),
        gpu: z.enum(['required', 'optional', 'none']).default('optional'),
      })
      .strict()
      .default({ gpu: 'optional' }),
    metrics: z
      .partialRecord(z.enum(METRIC_NAMES), ruleSchema)
      .default({})
      .describe('The gate: rules per metric.'),
    fairness: z
      .object({
        sensitive: z.array(z.string().min(1)).min(1),
        thresholds: z.partialRecord(z.enum(FAIRNESS_METRICS), ruleSchema).default({}),
      })
      .strict()
      .optional(),
    drift: z
      .object({
        method: z.enum(DRIFT_METHODS).default('auto'),
        threshold: z.number().min(0).optional(),
        share: z.number().gt(0).max(1).default(0.5),
        columns: z.array(z.string().min(1)).min(1).optional(),
      })
      .strict()
      .default({ method: 'auto', share: 0.5 }),
    card: z
      .object({
        description: z.string().optional(),
        intended_use: z.string().optional(),
        out_of_scope: z.string().optional(),
        license: z.string().optional(),
        contact: z.string().optional(),
        ethical_considerations: z.string().optional(),
        caveats: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const allowed = TASK_METRICS[config.model.task];
    for (const metric of Object.keys(config.metrics)) {
      if (!allowed.includes(metric)) {
        ctx.addIssue({
          code: 'custom',
          path: ['metrics', metric],
          message: `unknown metric for ${config.model.task}; expected one of ${allowed.join(', ')}`,
        });
      }
    }
    if (config.model.task === 'binary-classification' && config.model.positive === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['model'],
        message: 'binary classification needs model.positive',
      });
    }
  });

export type ModelshipConfig = z.output<typeof modelshipConfigSchema>;
export type Feature = ModelshipConfig['model']['features'][number];

/** A loaded config with its location; `resolve` makes config-relative paths absolute. */
export interface LoadedConfig {
  config: ModelshipConfig;
  file: string;
  dir: string;
  resolve(path: string): string;
}

/** Reads and validates `modelship.yml`. */
export function loadConfig(file: string): LoadedConfig {
  const absolute = resolve(file);
  const config = loadYamlFile(file, modelshipConfigSchema, 'config file');
  const dir = dirname(absolute);
  return {
    config,
    file: absolute,
    dir,
    resolve: (path) => (isAbsolute(path) ? path : resolve(dir, path)),
  };
}
