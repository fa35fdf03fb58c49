import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../core/config/modelshipConfig.js';
import { ModelshipError, messageOf } from '../core/errors.js';
import { evaluateGate } from '../core/gate/gate.js';
import { gateText } from '../core/report/evaluationText.js';
import { writeJson } from './reportFiles.js';

const metricsSchema = z.record(z.string(), z.number().nullable());
const fairnessSchema = z.record(z.string(), z.record(z.string(), z.unknown()));
/** A report made elsewhere: an evaluate report, or a training script's metrics. */
const reportSchema = z.object({
  metrics: metricsSchema,
  fairness: fairnessSchema.optional(),
  baseline: z
    .object({ metrics: metricsSchema, fairness: fairnessSchema.optional() })
    .nullable()
    .optional(),
});

/** `modelship gate --config <yml> --report <report.json> [--json <file>]` */
export function registerGate(program: Command, setExit: (code: number) => void): void {
  program
    .command('gate')
    .description('apply the gate of the config to a report made elsewhere')
    .option('-c, --config <file>', 'the config', 'modelship.yml')
    .requiredOption(
      '-r, --report <file>',
      'JSON with metrics (and optionally fairness and baseline)',
    )
    .option('--json <file>', 'write the gate result here')
    .action((options: { config: string; report: string; json?: string }) => {
      const { config } = loadConfig(options.config);
      const report = readReport(options.report);
      const gate = evaluateGate({
        metricRules: config.metrics,
        fairnessRules: config.fairness?.thresholds ?? {},
        candidate: { metrics: report.metrics, fairness: numbersOf(report.fairness) },
        baseline: report.baseline
          ? { metrics: report.baseline.metrics, fairness: numbersOf(report.baseline.fairness) }
          : null,
      });
      if (options.json) writeJson(options.json, gate);
      process.stdout.write(`${gateText(gate)}\n`);
      setExit(gate.passed ? 0 : 1);
    });
}

function readReport(file: string): z.output<typeof reportSchema> {
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
    throw new ModelshipError(
      `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}; expected { metrics: { name: number }, fairness?, baseline? }.`,
    );
  }
  return parsed.data;
}

/** The disparity numbers of each attribute (group tables are ignored). */
function numbersOf(
  fairness: Record<string, Record<string, unknown>> | undefined,
): Record<string, Record<string, number | null>> {
  const out: Record<string, Record<string, number | null>> = {};
  for (const [attribute, values] of Object.entries(fairness ?? {})) {
    out[attribute] = {};
    for (const [name, value] of Object.entries(values)) {
      if (typeof value === 'number' || value === null) out[attribute][name] = value;
    }
  }
  return out;
}
