import type { GpuDecision, GpuDetection } from '../../core/train/gpu.js';
import type { RunManifest } from '../../core/train/runManifest.js';
import type { TrainingFailedError } from '../../core/train/runTraining.js';
import type { VerifiedModel } from '../../core/train/verifyModel.js';
import { codeSpan, escapeMarkdown } from '../../core/report/markdownEscape.js';

interface TrainSummaryInput {
  name: string;
  command: string;
  decision: GpuDecision;
  before: GpuDetection;
  after?: GpuDetection | null;
  cacheHit: string;
  cacheKey: string;
  model?: VerifiedModel;
  manifest?: RunManifest;
  artifactName?: string;
  failure?: TrainingFailedError;
}

/** The job summary of a training run: outcome, GPUs, cache, model and metrics. */
export function trainSummary(input: TrainSummaryInput): string {
  const lines = [`## Modelship train · ${codeSpan(input.name)}`, ''];
  if (input.failure) {
    lines.push(
      `### ❌ ${escapeMarkdown(input.failure.message.split('; last lines:')[0] ?? input.failure.message)}`,
      '',
    );
    lines.push(
      '<details open><summary>Last lines of output</summary>',
      '',
      '```',
      ...input.failure.result.tail.map((l) => l.replaceAll('```', "'''")),
      '```',
      '',
      '</details>',
      '',
    );
  } else if (input.model) {
    lines.push(
      `### ✅ Trained in ${((input.manifest?.run.duration_ms ?? 0) / 1000).toFixed(1)} s`,
      '',
    );
  }
  lines.push(`- Command: ${codeSpan(input.command)}`);
  lines.push(`- Compute: ${escapeMarkdown(input.decision.note)}`);
  for (const gpu of input.before.gpus) {
    const later = input.after?.gpus.find((g) => g.index === gpu.index);
    lines.push(
      `  - GPU ${gpu.index}: ${escapeMarkdown(gpu.name)}, ${gpu.memoryTotalMiB ?? '?'} MiB${later ? `, after training ${later.memoryUsedMiB ?? '?'} MiB used, ${later.utilizationPercent ?? '?'}% busy` : ''}`,
    );
  }
  if (input.cacheKey) lines.push(`- Cache: **${input.cacheHit}** for ${codeSpan(input.cacheKey)}`);
  if (input.model) {
    lines.push(
      `- Model: ${codeSpan(input.model.path)}, ${input.model.features} inputs, SHA-256 ${codeSpan(input.model.sha256.slice(0, 12))}, checked on ${input.model.provider}`,
    );
  }
  if (input.artifactName)
    lines.push(`- Artifact: ${codeSpan(input.artifactName)} (model, manifest, metrics)`);
  const metrics = input.manifest?.metrics;
  if (metrics)
    lines.push(
      '',
      '<details><summary>Metrics the script wrote</summary>',
      '',
      '```json',
      JSON.stringify(metrics, null, 2),
      '```',
      '',
      '</details>',
    );
  return lines.join('\n');
}
