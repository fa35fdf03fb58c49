import { join } from 'node:path';
import type { LoadedConfig } from '../core/config/modelshipConfig.js';
import { computeDrift, driftMarkdown } from '../core/drift/index.js';
import { readSmokeTestData, runSmokeTest } from '../core/deploy/smokeTest.js';
import { ModelshipError } from '../core/errors.js';
import type { EvaluationReport } from '../core/evaluation/evaluationReport.js';
import { BUNDLE_FILES, writeReleaseBundle } from '../core/release/bundle.js';
import { createServer } from '../core/serve/server.js';
import { resolveServeTarget, serveTargetOptions } from '../core/serve/serveTarget.js';
import { packageVersion } from './packageInfo.js';
import { writeJson, writeReport } from '../core/report/reportFiles.js';

type Say = (line?: string) => void;
type Shown = (path: string) => string;

/** Step 4 of the demo: the release bundle publish-model would upload for the candidate. */
export async function packageStep(
  loaded: LoadedConfig,
  model: string,
  report: EvaluationReport,
  out: string,
  say: Say,
  shown: Shown,
): Promise<string> {
  const bundle = await writeReleaseBundle({
    loaded,
    out: join(out, 'bundle'),
    model,
    report,
    version: '1.1.0',
    force: true,
  });
  say(
    `   ${bundle.manifest.tag}: ${bundle.files.length + 1} files (${bundle.files.map((f) => f.name).join(', ')}, SHA256SUMS) → ${shown(bundle.dir)}`,
  );
  return bundle.dir;
}

/**
 * Step 5: serve the bundle on a free loopback port, query it the way a client would, and run the
 * smoke test deploy runs against an image: the bundle's holdout rows against their recorded
 * predictions.
 */
export async function serveStep(bundleDir: string, say: Say): Promise<void> {
  const target = resolveServeTarget(bundleDir);
  const smoke = readSmokeTestData(join(bundleDir, BUNDLE_FILES.smokeTest));
  const server = createServer({
    ...serveTargetOptions(target),
    executionProviders: ['cpu'],
    serverVersion: packageVersion(),
  });
  try {
    await server.ready;
    const { url } = await server.listen(0, '127.0.0.1');
    const ready = await fetch(`${url}/v2/health/ready`);
    say(`   ${url}/v2/health/ready → ${ready.status} ${await ready.text()}`);
    const rows = smoke.rows.slice(0, 3);
    const predict = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows }),
    });
    const answer = (await predict.json()) as {
      labels?: unknown[];
      probabilities?: unknown[];
      predictions?: unknown[];
      error?: string;
    };
    // A classifier answers labels (and probabilities), a regression model predictions.
    const labels = answer.labels ?? answer.predictions;
    if (!predict.ok || !labels)
      throw new ModelshipError(
        `the demo server answered /predict with ${predict.status}: ${answer.error ?? 'no labels or predictions'}.`,
      );
    say(`   POST /predict with ${rows.length} rows of the holdout →`);
    labels.forEach((label, i) => {
      const p = answer.probabilities?.[i];
      say(`     ${JSON.stringify(label)}${typeof p === 'number' ? ` (P = ${p.toFixed(4)})` : ''}`);
    });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const served = metrics
      .split('\n')
      .filter((line) => line.startsWith('modelship_requests_total'));
    say(`   GET /metrics: ${served.length} request counters, e.g. ${served[0] ?? '—'}`);
    const result = await runSmokeTest({ url, data: smoke, negativeLabel: target.negativeLabel });
    if (!result.passed) throw new ModelshipError(`the demo's smoke test failed: ${result.reason}`);
    say(
      `   smoke test passed: ${smoke.rows.length} holdout rows over /predict and OIP infer match the predictions recorded in the bundle`,
    );
  } finally {
    await server.close();
  }
}

/** Step 6: the drift check a schedule runs, against the release's profile. */
export async function driftStep(
  loaded: LoadedConfig,
  bundleDir: string,
  out: string,
  say: Say,
  shown: Shown,
): Promise<void> {
  const current = loaded.config.data.current;
  if (!current) throw new ModelshipError(`${loaded.file}: data.current is not set.`);
  const report = await computeDrift({
    reference: join(bundleDir, BUNDLE_FILES.profile),
    current: loaded.resolve(current),
    config: loaded,
    modelPath: join(bundleDir, BUNDLE_FILES.model),
    referenceMetrics: join(bundleDir, BUNDLE_FILES.metrics),
    display: { reference: 'profile.json of the release', current },
  });
  writeJson(join(out, 'drift.json'), report);
  writeReport(join(out, 'drift.md'), driftMarkdown(report));
  const drifted = Object.entries(report.columns).filter(([, column]) => column.drifted);
  say(
    `   ${report.dataset_drift ? 'DRIFT' : 'no drift'}: ${report.drifted_columns} of ${report.total_columns} columns drifted (share ${report.drift_share.toFixed(2)}, threshold ${report.share_threshold})`,
  );
  for (const [name, column] of drifted.slice(0, 6))
    say(
      `     ${name.padEnd(22)} ${column.method} ${num(column.score, 4)} (threshold ${column.threshold}), PSI ${num(column.psi, 3)}`,
    );
  const prediction = report.prediction;
  if (prediction)
    say(
      `   prediction drift (${prediction.output}): ${prediction.drifted ? 'drifted' : 'stable'}, ${prediction.method} ${num(prediction.score, 4)}, PSI ${num(prediction.psi, 3)}`,
    );
  say(`   the drift issue a schedule would open → ${shown(join(out, 'drift.md'))}`);
}

function num(value: number | null, digits: number): string {
  if (value === null) return '—';
  // Small p-values read better as 3.1e-7 than as 0.0000.
  return value !== 0 && Math.abs(value) < 10 ** -digits
    ? value.toExponential(1)
    : value.toFixed(digits);
}
