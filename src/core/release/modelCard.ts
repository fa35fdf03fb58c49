import { stringify } from 'yaml';
import { groupColumns } from '../fairness/fairness.js';
import { FAIRNESS_METRICS, type ModelshipConfig, type Task } from '../config/modelshipConfig.js';
import type { EvaluationReport } from '../evaluation/evaluationReport.js';
import { featureColumns, featureWidth } from '../model/featureMatrix.js';
import type { InputLayout, ModelInput } from '../model/modelInputs.js';
import { codeSpan, escapeMarkdown } from '../report/markdownEscape.js';
import { formatValue } from '../report/numberFormat.js';
import type { RunManifest } from '../train/runManifest.js';
import type { DataProfile } from '../data/profile.js';
import { groupedCount } from '../numberText.js';

/** A data entry of modelship.yml with the digests of the files behind it. */
export interface DataDigest {
  /** The path or glob as modelship.yml gives it. */
  path: string;
  files: { path: string; sha256: string; bytes: number }[];
  /** Rows, when known (the evaluation report, the profile). */
  rows?: number | null;
}

export interface ModelCardInput {
  config: ModelshipConfig;
  version: string;
  /** When the bundle was made. */
  created: Date;
  report: EvaluationReport;
  model: { sha256: string; size_bytes: number };
  data: { train?: DataDigest; eval?: DataDigest; schema?: DataDigest };
  profile?: DataProfile | null;
  trainManifest?: RunManifest | null;
  commit?: string | null;
  /** How the model reads a row, from the model itself (a model with column-named inputs). */
  modelInputs?: { layout: InputLayout; inputs: readonly ModelInput[] };
}

const TASK_WORDS: Record<Task, string> = {
  'binary-classification': 'binary classification',
  'multiclass-classification': 'multiclass classification',
  regression: 'regression',
};

const METRIC_WORDS: Record<string, string> = {
  accuracy: 'Accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  roc_auc: 'ROC AUC',
  log_loss: 'Log loss',
  brier: 'Brier score',
  macro_f1: 'Macro F1',
  mae: 'Mean absolute error',
  mse: 'Mean squared error',
  rmse: 'Root mean squared error',
  r2: 'R²',
  demographic_parity_difference: 'Demographic parity difference',
  demographic_parity_ratio: 'Demographic parity ratio',
  equalized_odds_difference: 'Equalized odds difference',
  equalized_odds_ratio: 'Equalized odds ratio',
  equal_opportunity_difference: 'Equal opportunity difference',
};

const DISPARITIES = FAIRNESS_METRICS;
const GROUP_WORDS: Record<string, string> = {
  selection_rate: 'Selection rate',
  tpr: 'True positive rate',
  fpr: 'False positive rate',
  accuracy: 'Accuracy',
  mae: 'Mean absolute error',
  rmse: 'Root mean squared error',
};

/**
 * MODEL_CARD.md: Hugging Face front matter, then the sections of Mitchell et al. (2019). Every
 * string that comes from data or configuration is escaped; numbers are shown as in the
 * evaluation report's tables (4 decimals), from the same metrics.json values.
 */
export function buildModelCard(input: ModelCardInput): string {
  const sections = [
    frontMatter(input),
    title(input),
    modelDetails(input),
    intendedUse(input),
    factors(input),
    metricsSection(input),
    evaluationData(input),
    trainingData(input),
    quantitative(input),
    textSection(
      'Ethical considerations',
      input.config.card?.ethical_considerations,
      'ethical_considerations',
    ),
    textSection('Caveats and recommendations', input.config.card?.caveats, 'caveats'),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** The card's YAML front matter, between `---` lines. */
function frontMatter(input: ModelCardInput): string {
  const { config, report } = input;
  const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();
  const task = config.model.task === 'regression' ? 'tabular-regression' : 'tabular-classification';
  const license = hubLicense(config.card?.license);
  const datasets = [config.data.train, config.data.eval].filter((d): d is string => !!d);
  const values = Object.entries(report.metrics).filter(
    (entry): entry is [string, number] => entry[1] !== null && Number.isFinite(entry[1]),
  );
  const front: Record<string, unknown> = {
    ...(license ? { license } : {}),
    library_name: 'onnx',
    tags: ['modelship', 'onnx', 'tabular', task, config.model.task],
    ...(datasets.length ? { datasets: datasets.map(oneLine) } : {}),
    metrics: Object.keys(report.metrics),
    'model-index': [
      {
        name: config.model.name,
        results: [
          {
            task: { type: task, name: TASK_WORDS[config.model.task] },
            dataset: {
              type: 'tabular',
              name: oneLine(report.data),
              split: 'eval',
            },
            metrics: values.map(([metric, value]) => ({
              type: metric,
              name: METRIC_WORDS[metric] ?? metric,
              value: Number(formatValue(value)),
            })),
          },
        ],
      },
    ],
  };
  // YAML 1.1 quoting, so that yes/no/on stay strings for the Hub's (PyYAML's) reader too.
  return `---\n${stringify(front, { version: '1.1', lineWidth: 0 })}---`;
}

/** A Hub license id for an SPDX-like identifier (lower-cased), else `other`. */
function hubLicense(license: string | undefined): string | undefined {
  if (!license) return undefined;
  return /^[A-Za-z0-9][A-Za-z0-9.+-]*$/.test(license.trim())
    ? license.trim().toLowerCase()
    : 'other';
}

function title(input: ModelCardInput): string {
  const { config } = input;
  const description = config.card?.description;
  return [
    `# Model card: ${codeSpan(config.model.name)} ${codeSpan(input.version)}`,
    description ? `\n\n${escapeMarkdown(description)}` : '',
  ].join('');
}

/** How a row becomes the model's input, in words. */
function inputWords({ config, modelInputs }: ModelCardInput): string {
  if (modelInputs?.layout === 'columns') {
    const { inputs } = modelInputs;
    const listed = inputs.map((i) => `${codeSpan(i.name)} (${i.type})`).join(', ');
    return `an ONNX model with one input per data column (${inputs.length}): ${listed}`;
  }
  const features = config.model.features ?? [];
  const type = modelInputs?.inputs[0]?.type ?? 'float32';
  return `an ONNX model fed one ${type} input [batch, ${featureWidth(features)}] built from ${features.length} column${features.length === 1 ? '' : 's'} as modelship.yml describes`;
}

function modelDetails(input: ModelCardInput): string {
  const { config, trainManifest } = input;
  const card = config.card ?? {};
  const lines = [
    '## Model details',
    '',
    `- **Name:** ${codeSpan(config.model.name)}`,
    `- **Version:** ${codeSpan(input.version)}`,
    `- **Date:** ${input.created.toISOString().slice(0, 10)}`,
    `- **Type:** ${TASK_WORDS[config.model.task]}; ${inputWords(input)}`,
    `- **Training algorithm:** ${trainingAlgorithm(trainManifest)}`,
    `- **License:** ${card.license ? escapeMarkdown(card.license) : 'not stated (card.license in modelship.yml)'}`,
    `- **Contact:** ${card.contact ? escapeMarkdown(card.contact) : 'not stated (card.contact in modelship.yml)'}`,
    `- **Model file:** ${codeSpan('model.onnx')} (${groupedCount(input.model.size_bytes)} bytes, sha256 ${codeSpan(input.model.sha256)})`,
  ];
  if (input.commit) lines.push(`- **Commit:** ${codeSpan(input.commit)}`);
  return lines.join('\n');
}

function trainingAlgorithm(manifest: RunManifest | null | undefined): string {
  if (!manifest) return 'not recorded (no training run manifest was packaged)';
  const metrics = manifest.metrics;
  const said =
    metrics && typeof metrics === 'object'
      ? ['algorithm', 'model_type', 'estimator']
          .map((key) => (metrics as Record<string, unknown>)[key])
          .find((v): v is string => typeof v === 'string' && v.trim() !== '')
      : undefined;
  const command = `trained by ${codeSpan(manifest.run.command)} on ${escapeMarkdown(manifest.model.execution_provider)}`;
  return said
    ? `${escapeMarkdown(said)}; ${command}`
    : `not stated by the training script; ${command}`;
}

function intendedUse(input: ModelCardInput): string {
  const card = input.config.card ?? {};
  return [
    '## Intended use',
    '',
    card.intended_use
      ? escapeMarkdown(card.intended_use)
      : '_Not stated (card.intended_use in modelship.yml)._',
    '',
    '### Out-of-scope uses',
    '',
    card.out_of_scope
      ? escapeMarkdown(card.out_of_scope)
      : '_Not stated (card.out_of_scope in modelship.yml)._',
  ].join('\n');
}

function factors(input: ModelCardInput): string {
  const { report } = input;
  const attributes = Object.entries(report.fairness);
  if (attributes.length === 0) {
    return [
      '## Factors',
      '',
      input.config.fairness?.sensitive.length
        ? 'Sensitive attributes are configured, but this task reports no per-group results.'
        : 'No sensitive attributes are configured (fairness.sensitive in modelship.yml): the model was not evaluated across groups.',
    ].join('\n');
  }
  const rows = attributes.map(([attribute, f]) => {
    const groups = Object.entries(f.groups)
      .map(([group, g]) => `${codeSpan(group)} (${g.count})`)
      .join(', ');
    return `| ${codeSpan(attribute)} | ${groups} |`;
  });
  return [
    '## Factors',
    '',
    'The evaluation data was split by these sensitive attributes (rows per group in brackets):',
    '',
    '| Attribute | Groups |',
    '| --- | --- |',
    ...rows,
  ].join('\n');
}

function metricsSection(input: ModelCardInput): string {
  const { config, report } = input;
  const lines = ['## Metrics', ''];
  if (report.threshold !== undefined && report.positive !== undefined) {
    lines.push(
      `- **Decision threshold:** ${report.threshold} — a row is predicted ${codeSpan(report.positive)} when the model's probability of ${codeSpan(report.positive)} is at least ${report.threshold}.`,
    );
  }
  lines.push(
    `- **Performance metrics:** ${Object.keys(report.metrics)
      .map((m) => METRIC_WORDS[m] ?? escapeMarkdown(m))
      .join(', ')}.`,
  );
  const fairness = Object.keys(config.fairness?.thresholds ?? {});
  const first = Object.values(report.fairness)[0];
  if (first && report.task === 'binary-classification') {
    lines.push(
      `- **Fairness metrics:** per group selection rate, true and false positive rates and accuracy; across groups ${DISPARITIES.filter(
        (m) => METRIC_WORDS[m],
      )
        .map((m) => METRIC_WORDS[m]!.toLowerCase())
        .join(', ')} (Fairlearn's definitions).`,
    );
  } else if (first) {
    const words = groupColumns(first).map(([key]) => GROUP_WORDS[key]!.toLowerCase());
    lines.push(
      `- **Fairness metrics:** per group ${words.join(' and ')}; across groups the difference (largest − smallest) and ratio (smallest / largest) of each (Fairlearn's definitions).`,
    );
  }
  const checks = report.gate.checks;
  if (checks.length > 0) {
    lines.push(
      `- **Release gate:** ${report.gate.passed ? 'passed' : 'failed'} (${checks.filter((c) => c.passed).length} of ${checks.length} checks passed${fairness.length ? `, fairness rules on ${fairness.join(', ')}` : ''}).`,
      '',
      '| Check | Result |',
      '| --- | --- |',
      ...checks.map((c) => `| ${escapeMarkdown(c.message)} | ${c.passed ? 'passed' : 'failed'} |`),
    );
  } else {
    lines.push('- **Release gate:** no rules are configured (metrics in modelship.yml).');
  }
  return lines.join('\n');
}

function digestLines(digest: DataDigest | undefined, what: string): string[] {
  if (!digest) return [`_No ${what} is configured in modelship.yml._`];
  const lines = [`- **Path:** ${codeSpan(digest.path)}`];
  if (digest.rows !== undefined && digest.rows !== null)
    lines.push(`- **Rows:** ${groupedCount(digest.rows)}`);
  for (const file of digest.files)
    lines.push(
      `- **File:** ${codeSpan(file.path)} (${groupedCount(file.bytes)} bytes, sha256 ${codeSpan(file.sha256)})`,
    );
  return lines;
}

function evaluationData(input: ModelCardInput): string {
  return [
    '## Evaluation data',
    '',
    'The holdout every candidate is evaluated on, with the baseline, before it can be merged.',
    '',
    ...digestLines(input.data.eval, 'holdout (data.eval)'),
  ].join('\n');
}

function trainingData(input: ModelCardInput): string {
  const { profile, config } = input;
  const digest = input.data.train
    ? { ...input.data.train, rows: profile?.rows ?? input.data.train.rows }
    : undefined;
  const lines = ['## Training data', '', ...digestLines(digest, 'training data (data.train)')];
  if (profile) {
    lines.push(
      `- **Columns:** ${profile.columns.length} (${profile.columns.filter((c) => c.kind === 'numeric').length} numeric, ${profile.columns.filter((c) => c.kind === 'categorical').length} categorical); their reference profile is ${codeSpan('profile.json')}, the input of drift checks.`,
    );
  }
  if (input.data.schema)
    lines.push(
      `- **Data contract:** ${codeSpan('schema.yml')} (from ${codeSpan(input.data.schema.path)})`,
    );
  const columns = config.model.features
    ? featureColumns(config.model.features)
    : (input.modelInputs?.inputs.map((i) => i.name) ?? []);
  const features = columns.map((c) => codeSpan(c));
  lines.push(`- **Model inputs from:** ${features.join(', ')}`);
  return lines.join('\n');
}

function quantitative(input: ModelCardInput): string {
  const { report } = input;
  const lines = [
    '## Quantitative analyses',
    '',
    `On ${codeSpan(report.data)} (${groupedCount(report.rows)} rows); values as in ${codeSpan('metrics.json')}, to 4 decimals.`,
    '',
    '### Overall',
    '',
    '| Metric | Value |',
    '| --- | ---: |',
    ...Object.entries(report.metrics).map(
      ([metric, value]) => `| ${escapeMarkdown(metric)} | ${formatValue(value)} |`,
    ),
  ];
  if (report.baseline) {
    lines.push(
      '',
      `Baseline ${codeSpan(report.baseline.label)} on the same data: ${Object.entries(
        report.baseline.metrics,
      )
        .map(([metric, value]) => `${escapeMarkdown(metric)} ${formatValue(value)}`)
        .join(', ')}.`,
    );
  }
  for (const [attribute, f] of Object.entries(report.fairness)) {
    lines.push(
      '',
      `### By ${codeSpan(attribute)}`,
      '',
      `| Group | Rows | ${groupColumns(f)
        .map(([key]) => GROUP_WORDS[key])
        .join(' | ')} |`,
      `| --- | ---: |${groupColumns(f)
        .map(() => ' ---: |')
        .join('')}`,
      ...Object.entries(f.groups).map(
        ([group, g]) =>
          `| ${codeSpan(group)} | ${g.count} | ${groupColumns(f)
            .map(([key]) => formatValue(g[key]))
            .join(' | ')} |`,
      ),
      '',
      '| Disparity | Value |',
      '| --- | ---: |',
      ...DISPARITIES.filter((m) => f[m] !== undefined).map(
        (m) => `| ${m} | ${formatValue(f[m])} |`,
      ),
    );
  }
  return lines.join('\n');
}

function textSection(heading: string, text: string | undefined, key: string): string {
  return [
    `## ${heading}`,
    '',
    text ? escapeMarkdown(text) : `_Not stated (card.${key} in modelship.yml)._`,
  ].join('\n');
}
