import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { rollbackSchema } from './rollbackConfig.js';
import { serveSchema } from './serveConfig.js';
import { loadYamlFile } from './yamlFile.js';

export const TASKS = ['binary-classification', 'multiclass-classification', 'regression'] as const;
export type Task = (typeof TASKS)[number];

/** Metric names per task (docs/reports.md). */
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
/** Fairlearn's between-group metrics per task: difference = max − min, ratio = min / max. */
export const TASK_FAIRNESS_METRICS = {
  'binary-classification': [
    'demographic_parity_difference',
    'demographic_parity_ratio',
    'equalized_odds_difference',
    'equalized_odds_ratio',
    'equal_opportunity_difference',
  ],
  'multiclass-classification': ['accuracy_difference', 'accuracy_ratio'],
  regression: ['mae_difference', 'mae_ratio', 'rmse_difference', 'rmse_ratio'],
} as const satisfies Record<Task, readonly string[]>;
export const FAIRNESS_METRICS = [
  ...TASK_FAIRNESS_METRICS['binary-classification'],
  ...TASK_FAIRNESS_METRICS['multiclass-classification'],
  ...TASK_FAIRNESS_METRICS.regression,
] as const;
/**
 * Groups smaller than this are reported but left out of the disparities: a rate on n rows has a
 * standard error up to 0.5/√n (0.09 at 30 rows), so a small group's rate alone can swing a
 * difference past any threshold (Fairlearn warns of the same).
 */
/** Intervals by default: 1,000 paired bootstrap resamples, 95% (fast enough to stay on). */
export const DEFAULT_INTERVALS = { confidence: 0.95, replicates: 1000, seed: 20240611 } as const;
export const DEFAULT_MIN_GROUP_SIZE = 30;
/** Slices smaller than this are reported but not gated, for the same reason. */
export const DEFAULT_MIN_SLICE_COUNT = 30;
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

/** What a feature does with a blank value or an unlisted category: a number, `error` or `zeros`. */
const settingSchema = z.union([z.number(), z.literal('error'), z.literal('zeros')], {
  error: 'expected a number, error or zeros',
});

const featureSchema = z.union([
  z
    .string()
    .min(1)
    .describe('A numeric column, used as is: one input (missing and unknown: error).'),
  z
    .object({
      column: z.string().min(1).describe('The data column the feature reads.'),
      one_hot: z
        .array(label)
        .min(1)
        .optional()
        .describe('Categories, one 0/1 input each, in this order, matched by their text form.'),
      map: z
        .record(z.string(), z.number())
        .optional()
        .describe('Value (as text) → number: one input.'),
      missing: z
        .union([settingSchema, z.string()], {
          error: 'expected a number, error, zeros, or a text for a string input',
        })
        .optional()
        .describe(
          "A null, blank or NaN value. A number fills a numeric or map input with it; zeros (one_hot only) sets all its inputs to 0; a text fills a model's string input (a column-named model); error stops with the row. Default error.",
        ),
      unknown: settingSchema
        .optional()
        .describe(
          'A value outside one_hot or map. zeros (one_hot only) sets all its inputs to 0; a number (map only) is its input; error stops with the row. Default error.',
        ),
    })
    .strict()
    .superRefine((f, ctx) => {
      for (const issue of featureSettingIssues(f)) ctx.addIssue({ code: 'custom', ...issue });
    })
    .describe(
      'A column with settings: a numeric column (no encoding), or a categorical one encoded with one_hot or map.',
    ),
]);

/** The combinations of encoding, missing and unknown a feature cannot have, as messages by key. */
function featureSettingIssues(f: {
  column: string;
  one_hot?: unknown[];
  map?: unknown;
  missing?: number | string;
  unknown?: number | 'error' | 'zeros';
}): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  const oneHot = f.one_hot !== undefined;
  const map = f.map !== undefined;
  if (oneHot && map) {
    issues.push({ path: [], message: 'a feature takes one of one_hot or map, not both' });
    return issues;
  }
  if (oneHot && typeof f.missing === 'number')
    issues.push({
      path: ['missing'],
      message: 'a one_hot feature takes missing: zeros (all its inputs 0) or error, not a number',
    });
  if ((oneHot || map) && typeof f.missing === 'string' && !['error', 'zeros'].includes(f.missing))
    issues.push({
      path: ['missing'],
      message: `a text is for a model's string input; an encoded feature takes missing: ${oneHot ? 'zeros' : '<number>'} or error`,
    });
  else if (!oneHot && f.missing === 'zeros')
    issues.push({
      path: ['missing'],
      message: `zeros is for one_hot features; ${f.column} takes missing: <number> or error`,
    });
  if (!oneHot && !map && f.unknown !== undefined)
    issues.push({
      path: ['unknown'],
      message: `a numeric feature has no categories to be unknown; remove unknown, or encode ${f.column} with one_hot or map`,
    });
  else if (oneHot && typeof f.unknown === 'number')
    issues.push({
      path: ['unknown'],
      message: 'a one_hot feature takes unknown: zeros (all its inputs 0) or error, not a number',
    });
  else if (map && f.unknown === 'zeros')
    issues.push({
      path: ['unknown'],
      message:
        'zeros is for one_hot features; a map feature takes unknown: <number> (its input) or error',
    });
  return issues;
}

/** A significance level α: rules are judged on (1 − α) intervals. */
const significanceSchema = z.number().gt(0).lt(1);

/** A gate rule set for one metric (docs/evaluate-and-gate.md). */
export const ruleSchema = z
  .object({
    min: z
      .number()
      .optional()
      .describe("Lowest passing value of the candidate's metric (inclusive)."),
    max: z
      .number()
      .optional()
      .describe("Highest passing value of the candidate's metric (inclusive)."),
    max_regression: z
      .number()
      .min(0)
      .optional()
      .describe(
        "Most the candidate may be worse than the production model, in the metric's units and its direction (higher or lower is better). Not checked before the first release.",
      ),
    max_relative_regression: z
      .number()
      .min(0)
      .optional()
      .describe(
        'Most the candidate may be worse than the production model, as a share of |baseline| (0.05 = 5%). Not checked before the first release; from a baseline of 0 only no change passes.',
      ),
    min_improvement: z
      .number()
      .min(0)
      .optional()
      .describe(
        "Least the candidate must be better than the production model, in the metric's units and direction, shown by the whole (1 − significance) interval of the change (default: intervals.confidence). Not checked before the first release.",
      ),
    significance: significanceSchema
      .optional()
      .describe(
        "Judge these rules on (1 − significance) intervals instead of point values: min/max fail only when the whole interval of the candidate's value is on the wrong side, a regression rule only when the whole interval of the change is beyond it (default: intervals.significance, else point values).",
      ),
  })
  .strict()
  .refine((r) => Object.entries(r).some(([k, v]) => k !== 'significance' && v !== undefined), {
    message: 'needs at least one rule',
  })
  // As in the data contract: no value could pass both, so every run would fail the gate here.
  .superRefine((r, ctx) => {
    if (r.min !== undefined && r.max !== undefined && r.min > r.max)
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min (${r.min}) is greater than max (${r.max}); no value can pass both`,
      });
  });

export const modelshipConfigSchema = z
  .object({
    $schema: z
      .string()
      .optional()
      .describe('Path or URL of this JSON Schema, for editors; Modelship ignores it.'),
    model: z
      .object({
        name: z
          .string()
          .regex(
            /^[a-z0-9][a-z0-9-]*$/,
            'expected lower-case letters, digits and dashes, e.g. credit-risk',
          )
          .describe(
            'Model name (lower-case letters, digits, dashes): names release tags (`<name>-v<version>`), images, artifacts and reports.',
          ),
        task: z
          .enum(TASKS)
          .describe('What the model predicts: decides the metrics and how its output is read.'),
        path: z
          .string()
          .min(1)
          .describe('Where training leaves the ONNX model, relative to this file.'),
        target: z.string().min(1).describe('Label column of the evaluation data.'),
        positive: label
          .optional()
          .describe(
            "Positive class, compared with the target's text form; required for binary classification.",
          ),
        negative: label
          .optional()
          .describe(
            "Binary classification: the label /predict answers below the threshold (default: the other value of model.classes or of the target's `in` list in data.schema, else `not <positive>`).",
          ),
        threshold: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe(
            'Binary classification: a row is predicted positive when P(positive) ≥ threshold (default 0.5).',
          ),
        classes: z
          .array(label)
          .min(2)
          .optional()
          .describe(
            "Multiclass: the labels in the order of the model's output columns (default: the target's distinct values, sorted as text).",
          ),
        features: z
          .array(featureSchema)
          .min(1)
          .optional()
          .describe(
            "How one row becomes the model's input, in this order: column names, and objects with column and optionally one_hot or map, missing and unknown. Required for a model with one [batch, F] input; a model with one input per data column (scikit-learn pipelines exported with skl2onnx) reads its inputs' columns, and features may then be left out or list exactly those columns (with their missing settings). A blank value or an unlisted category is an error unless the feature's missing or unknown says otherwise.",
          ),
      })
      .strict()
      .describe('The model: its name, task, file, label and input features.'),
    data: z
      .object({
        schema: z
          .string()
          .optional()
          .describe(
            "The data contract (schema.yml): validate-data's default contract; gives profiles and drift checks the column types.",
          ),
        train: z
          .string()
          .optional()
          .describe(
            "Training data: validate-data's default data, MODELSHIP_DATA_TRAIN of the train command; profiled as the drift reference when a release is packaged (required then).",
          ),
        eval: z
          .string()
          .optional()
          .describe(
            'The holdout every model is evaluated on (required by evaluate unless data is passed); its first rows are the smoke test of a release.',
          ),
        current: z
          .string()
          .optional()
          .describe(
            "Recent data that drift-check compares with the release's reference when its current input is not set.",
          ),
      })
      .strict()
      .default({})
      .describe('Data files: paths relative to this file, or globs.'),
    train: z
      .object({
        command: z
          .string()
          .min(1)
          .optional()
          .describe(
            "Shell command that trains the model and writes model.path; runs in this file's directory with MODELSHIP_CONFIG, MODELSHIP_MODEL_PATH, MODELSHIP_OUTPUT_DIR and MODELSHIP_DATA_* set.",
          ),
        gpu: z
          .enum(['required', 'optional', 'none'])
          .default('optional')
          .describe(
            'required: fail without a usable GPU; optional: use one when present, else CPU; none: no GPU needed (the trained model is checked on CPU). Default optional.',
          ),
      })
      .strict()
      .default({ gpu: 'optional' })
      .describe('How the train step runs training.'),
    paths: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        "What the model depends on besides this file, its data and its contract: paths or globs relative to this file (`**` crosses folders). A change to one affects the model (modelship affected). Default: this file's folder and the folders of the files train.command names.",
      ),
    metrics: z
      .partialRecord(
        z.enum(METRIC_NAMES),
        ruleSchema.describe(
          'Rules for one metric of model.task (at least one); every rule must pass. A metric missing or null for the candidate fails its rules.',
        ),
      )
      .default({})
      .describe('The merge gate: rules per metric. Default: none.'),
    fairness: z
      .object({
        sensitive: z
          .array(z.string().min(1))
          .min(1)
          .describe(
            'Columns of the evaluation data whose groups are compared; each is reported and gated on its own.',
          ),
        thresholds: z
          .partialRecord(
            z.enum(FAIRNESS_METRICS),
            ruleSchema.describe(
              'Rules for one fairness metric, checked for every sensitive attribute; ratios are better higher, differences lower.',
            ),
          )
          .default({})
          .describe('Gate rules per fairness metric. Default: none.'),
        min_group_size: z
          .number()
          .int()
          .min(1)
          .default(DEFAULT_MIN_GROUP_SIZE)
          .describe(
            `Groups with fewer holdout rows are shown with their count but left out of the disparities the gate reads: a rate on n rows has a standard error up to 0.5/√n, so a small group alone can swing a difference. Default ${DEFAULT_MIN_GROUP_SIZE}.`,
          ),
      })
      .strict()
      .optional()
      .describe(
        "Fairness across groups (Fairlearn's MetricFrame definitions): selection rate, TPR and FPR for binary classification, accuracy for multiclass, MAE and RMSE for regression, each with its between-group difference (max − min) and ratio (min / max).",
      ),
    slices: z
      .object({
        by: z
          .array(
            z.union([
              z.string().min(1).describe('A column: one slice per value.'),
              z
                .array(z.string().min(1).describe('A column of the cross.'))
                .min(1)
                .describe('Columns crossed: one slice per combination of their values.'),
            ]),
          )
          .min(1)
          .describe(
            'Slices of the holdout: a column (`sex`) or a list of columns crossed (`[region, age_group]`); each distinct value, or combination of values, is one slice.',
          ),
        min_count: z
          .number()
          .int()
          .min(1)
          .default(DEFAULT_MIN_SLICE_COUNT)
          .describe(
            `Slices with fewer holdout rows are reported but not gated. Default ${DEFAULT_MIN_SLICE_COUNT}.`,
          ),
        metrics: z
          .partialRecord(
            z.enum(METRIC_NAMES),
            ruleSchema.describe(
              "Rules for one metric of model.task, checked on every slice of at least min_count rows; regression rules compare with the production model's same slice.",
            ),
          )
          .default({})
          .describe('Gate rules per metric for every slice. Default: none.'),
      })
      .strict()
      .optional()
      .describe("The task's metrics per slice of the holdout, reported worst first and gated."),
    intervals: z
      .object({
        confidence: z
          .number()
          .gt(0)
          .lt(1)
          .default(DEFAULT_INTERVALS.confidence)
          .describe(
            `Confidence of the intervals the reports show (default ${DEFAULT_INTERVALS.confidence}).`,
          ),
        replicates: z
          .number()
          .int()
          .min(0)
          .max(100_000)
          .default(DEFAULT_INTERVALS.replicates)
          .describe(
            `Paired bootstrap resamples of the holdout rows (default ${DEFAULT_INTERVALS.replicates}); 0 turns intervals off, and then rules with significance fail. roc_auc uses DeLong's exact method instead.`,
          ),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 32 - 1)
          .default(DEFAULT_INTERVALS.seed)
          .describe(
            `Seed of the resamples: the same seed, rows and models give the same intervals (default ${DEFAULT_INTERVALS.seed}).`,
          ),
        significance: significanceSchema
          .optional()
          .describe(
            "Default significance of every gate rule (metrics, fairness): judge rules on (1 − significance) intervals, so a change that may be noise does not block. A rule's own significance wins. Default: none (point values).",
          ),
      })
      .strict()
      .default(DEFAULT_INTERVALS)
      .describe(
        "Confidence intervals on the holdout's metrics and fairness disparities, and the gate's significance.",
      ),
    drift: z
      .object({
        method: z
          .enum(DRIFT_METHODS)
          .default('auto')
          .describe(
            "Test per column. auto: Evidently's choice by column type and size (ks, wasserstein, chisquare, z or jensenshannon); a name: that method wherever it fits (ks and wasserstein on numeric columns only, else auto). Default auto.",
          ),
        threshold: z
          .number()
          .min(0)
          .optional()
          .describe(
            "Replaces the named method's threshold (an error with auto): a p-value for ks, chisquare and z (drift below it; ks at or below), a distance for wasserstein, jensenshannon and psi (drift at or above it). Default: 0.05 for p-values, 0.1 for distances.",
          ),
        share: z
          .number()
          .gt(0)
          .max(1)
          .default(0.5)
          .describe(
            'The dataset drifts when drifted columns / tested columns ≥ share. Default 0.5.',
          ),
        columns: z
          .array(z.string().min(1))
          .min(1)
          .optional()
          .describe(
            'Columns to test, each on both sides. Default: every column both sides have, the target included; time columns are always left out.',
          ),
      })
      .strict()
      .default({ method: 'auto', share: 0.5 })
      .describe('How drift-check compares current data with the reference.'),
    rollback: rollbackSchema(METRIC_NAMES)
      .default({ mode: 'manual' })
      .describe(
        'When drift-check calls production degraded (labelled current data, extreme scores) and whether it rolls back.',
      ),
    serve: serveSchema,
    card: z
      .object({
        description: z.string().optional().describe("A paragraph under the card's title."),
        intended_use: z
          .string()
          .optional()
          .describe('Intended use: who the model is for, and what.'),
        out_of_scope: z.string().optional().describe('Uses the model is not meant for.'),
        license: z
          .string()
          .optional()
          .describe(
            "The model's license; an identifier such as Apache-2.0 is also the card's front-matter license (lower-cased), other text is other there.",
          ),
        contact: z.string().optional().describe('Who to contact about the model.'),
        ethical_considerations: z
          .string()
          .optional()
          .describe('The Ethical considerations section.'),
        caveats: z.string().optional().describe('The Caveats and recommendations section.'),
      })
      .strict()
      .optional()
      .describe(
        'Text of the model card (MODEL_CARD.md) of every release; a section left out reads "Not stated".',
      ),
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
    // A rule on another task's disparity would fail as "missing" on every run instead of here, once.
    const fairnessAllowed: readonly string[] = TASK_FAIRNESS_METRICS[config.model.task];
    for (const metric of Object.keys(config.fairness?.thresholds ?? {})) {
      if (!fairnessAllowed.includes(metric))
        ctx.addIssue({
          code: 'custom',
          path: ['fairness', 'thresholds', metric],
          message: `not a fairness metric of ${config.model.task}; expected one of ${fairnessAllowed.join(', ')}`,
        });
    }
    for (const metric of Object.keys(config.rollback.max_regression ?? {})) {
      if (!allowed.includes(metric))
        ctx.addIssue({
          code: 'custom',
          path: ['rollback', 'max_regression', metric],
          message: `unknown metric for ${config.model.task}; expected one of ${allowed.join(', ')}`,
        });
    }
    for (const metric of Object.keys(config.slices?.metrics ?? {})) {
      if (!allowed.includes(metric))
        ctx.addIssue({
          code: 'custom',
          path: ['slices', 'metrics', metric],
          message: `unknown metric for ${config.model.task}; expected one of ${allowed.join(', ')}`,
        });
    }
    // Under auto, columns get tests whose scores are p-values or distances: one threshold cannot fit.
    if (config.drift.method === 'auto' && config.drift.threshold !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['drift', 'threshold'],
        message:
          'a threshold needs a named drift.method (ks, wasserstein, jensenshannon, chisquare, z or psi); auto uses each test’s default',
      });
    }
    if (
      config.model.negative !== undefined &&
      String(config.model.negative) === String(config.model.positive)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['model', 'negative'],
        message: 'model.negative must differ from model.positive',
      });
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
export type Feature = NonNullable<ModelshipConfig['model']['features']>[number];

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
