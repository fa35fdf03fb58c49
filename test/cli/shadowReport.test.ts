import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, TASK_METRICS } from '../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../src/core/model/onnxWriter.js';
import { createServer } from '../../src/core/serve/server.js';
import { buildCliIfStale, expectOneSentence, runCli } from '../support/cli.js';
import { EXAMPLE_CONFIG } from '../support/evaluateProject.js';
import { exampleEvalRows } from '../support/exampleRows.js';
import { sklearnMetrics } from '../support/sklearnReference.js';
import { systemRequirements } from '../support/systemRequirements.js';
import { useTempDir } from '../support/tempDir.js';

// A real shadow log: the example's holdout rows sent to modelship's server with a shadow, some
// one row a request and some four; labels for all but the last 20 rows arrive in a CSV later.
const sklearn = systemRequirements(['python-sklearn']);
const dir = useTempDir();
const { config } = loadConfig(EXAMPLE_CONFIG);
const F = featureWidth(config.model.features!);
const weightsOf = (seed: number, scale: number) =>
  Array.from({ length: F }, (_, i) => ((((i + seed) * 37) % 11) / 50 - 0.1) * scale);
const log = join(dir, 'shadow.jsonl');
const labelsFile = join(dir, 'labels.csv');
const rows = exampleEvalRows(300);

interface Half {
  body: { labels: string[]; probabilities: number[] };
}
interface Line {
  id: string;
  primary: Half;
  shadow: Half;
}

beforeAll(async () => {
  buildCliIfStale();
  const primaryPath = join(dir, 'primary.onnx');
  const shadowPath = join(dir, 'shadow.onnx');
  const primaryWeights = weightsOf(0, 1);
  const shadowWeights = weightsOf(5, 2);
  primaryWeights[1] = 1e-4;
  shadowWeights[1] = -2e-4;
  writeFileSync(primaryPath, logisticRegressionModel({ weights: primaryWeights, bias: -0.3 }));
  writeFileSync(shadowPath, logisticRegressionModel({ weights: shadowWeights, bias: 0.2 }));
  const server = createServer({
    modelPath: primaryPath,
    config,
    modelVersion: '1.0.0',
    shadow: { modelPath: shadowPath, config, modelVersion: '1.1.0', logFile: log },
  });
  await server.ready;
  const { url } = await server.listen(0);
  const labels = ['id,class'];
  const send = async (id: string, batch: Record<string, string>[]) => {
    const res = await fetch(`${url}/predict`, {
      method: 'POST',
      body: JSON.stringify({ id, rows: batch }),
    });
    expect(res.status).toBe(200);
  };
  for (let i = 0; i < 100; i++) {
    await send(`r${i}`, [rows[i]!]);
    labels.push(`r${i},${rows[i]!.class}`);
  }
  for (let j = 0; j < 50; j++) {
    const batch = rows.slice(100 + j * 4, 104 + j * 4);
    await send(`m${j}`, batch);
    batch.forEach((row, k) => {
      if (100 + j * 4 + k < 280) labels.push(`m${j}/${k},${row.class}`);
    });
  }
  await server.close();
  writeFileSync(labelsFile, `${labels.join('\n')}\n`);
});

/** The logged rows as the test reads them itself: key → each model's label and P(bad). */
function loggedRows() {
  const out: { key: string; primary: [string, number]; shadow: [string, number] }[] = [];
  for (const text of readFileSync(log, 'utf8').trim().split('\n')) {
    const line = JSON.parse(text) as Line;
    const n = line.primary.body.labels.length;
    for (let i = 0; i < n; i++) {
      out.push({
        key: n === 1 ? line.id : `${line.id}/${i}`,
        primary: [line.primary.body.labels[i]!, line.primary.body.probabilities[i]!],
        shadow: [line.shadow.body.labels[i]!, line.shadow.body.probabilities[i]!],
      });
    }
  }
  return out;
}

describe('modelship shadow-report', sklearn.options, () => {
  it('with labels, writes evaluate’s report: the shadow against the primary, as sklearn scores them', () => {
    sklearn.check();
    const json = join(dir, 'report.json');
    const markdown = join(dir, 'report.md');
    const result = runCli(
      [
        'shadow-report',
        log,
        '--labels',
        labelsFile,
        '--config',
        EXAMPLE_CONFIG,
        '--json',
        json,
        '--markdown',
        markdown,
      ],
      dir,
    );
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      rows: number;
      metrics: Record<string, number>;
      baseline: { metrics: Record<string, number>; label: string };
      gate: { passed: boolean; checks: unknown[]; notes: string[] };
    };
    expect(result.stderr).toBe('');
    expect(result.code).toBe(report.gate.passed ? 0 : 1);
    expect(result.stdout).toContain('20 logged rows have no label');
    const truth = new Map(
      readFileSync(labelsFile, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',') as [string, string]),
    );
    const labelled = loggedRows().filter((r) => truth.has(r.key));
    expect(labelled).toHaveLength(280);
    expect(report.rows).toBe(280);
    const yTrue = labelled.map((r) => (truth.get(r.key) === 'bad' ? 1 : 0));
    const [shadow, primary] = sklearnMetrics([
      { task: 'binary', yTrue, scores: labelled.map((r) => r.shadow[1]), threshold: 0.5 },
      { task: 'binary', yTrue, scores: labelled.map((r) => r.primary[1]), threshold: 0.5 },
    ]);
    expect(Object.keys(report.metrics).sort()).toEqual(
      [...TASK_METRICS['binary-classification']].sort(),
    );
    for (const metric of TASK_METRICS['binary-classification']) {
      expect(report.metrics[metric]).toBeCloseTo(shadow![metric]!, 10);
      expect(report.baseline.metrics[metric]).toBeCloseTo(primary![metric]!, 10);
    }
    // The two models differ, so the comparison is not trivial.
    expect(report.metrics.roc_auc).not.toBeCloseTo(report.baseline.metrics.roc_auc!, 3);
    // modelship.yml's metrics rules were checked; fairness could not be, and the report says so.
    expect(report.gate.checks.length).toBeGreaterThan(0);
    expect(report.gate.notes.join(' ')).toMatch(/fairness and slice rules were not checked/);
    expect(report.baseline.label).toBe('primary credit-risk 1.0.0');
    expect(readFileSync(markdown, 'utf8')).toContain(
      'Candidate against `primary credit-risk 1.0.0`',
    );
  });

  it('without labels, reports agreement only and says so', () => {
    const json = join(dir, 'agreement.json');
    const result = runCli(['shadow-report', log, '--json', json], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No labels were given (--labels)');
    const { agreement } = JSON.parse(readFileSync(json, 'utf8')) as {
      agreement: {
        rows: number;
        requests: number;
        labels: { compared: number; agreed: number };
        score_difference: { max: number; buckets: { le: number | string; rows: number }[] };
      };
    };
    const logged = loggedRows();
    expect(agreement.requests).toBe(150);
    expect(agreement.rows).toBe(300);
    expect(agreement.labels.compared).toBe(300);
    expect(agreement.labels.agreed).toBe(logged.filter((r) => r.primary[0] === r.shadow[0]).length);
    const deltas = logged.map((r) => Math.abs(r.primary[1] - r.shadow[1]));
    expect(agreement.score_difference.max).toBe(Math.max(...deltas));
    expect(agreement.score_difference.buckets.find((b) => b.le === 0.1)!.rows).toBe(
      deltas.filter((d) => d <= 0.1).length,
    );
  });

  it('names a labels column that is not there, and a missing label column, in one sentence', () => {
    expectOneSentence(
      runCli(['shadow-report', log, '--labels', labelsFile, '--label-column', 'target'], dir),
      /labels\.csv: has no column "target"; pass --label-column naming one of its columns \(id, class\)/,
    );
    expectOneSentence(
      runCli(['shadow-report', log, '--labels', labelsFile], dir),
      /--labels needs the column that holds the true label: pass --label-column/,
    );
    expectOneSentence(
      runCli(['shadow-report', join(dir, 'none.jsonl')], dir),
      /none\.jsonl: cannot be read \(ENOENT\)/,
    );
  });
});
