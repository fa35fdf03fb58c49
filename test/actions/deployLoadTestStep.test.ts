// deploy's load-test step without containers: its inputs, where its settings and SLO come from,
// the refusal of load-test: false while an SLO is set (before anything is built, nothing
// recorded), the figures as the deployment's payload, and the summary's load-test section with
// a server's text escaped.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { planLoadTest, loadTestPayload } from '../../src/actions/deploy/loadTestStep.js';
import { run } from '../../src/actions/deploy/main.js';
import { deploySummary } from '../../src/actions/deploy/summary.js';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import type { LoadTestResult } from '../../src/core/deploy/loadTest.js';
import { writeReleaseBundle } from '../../src/core/release/bundle.js';
import { OWNER, REPO, useActionRun } from '../support/actionRunner.js';
import { releaseForDeploy } from '../support/deployRelease.js';
import { deployActionDefaults } from '../support/deployActionDefaults.js';
import { trainModel, writeProject } from '../support/evaluateProject.js';
import { deploymentsOf } from '../support/github/fakeDeployments.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const { fake } = useGitHubFake();
const action = useActionRun(deployActionDefaults());
const SLO = 'serve:\n  slo: { p99_ms: 250 }\n  load_test: { concurrency: 3 }\n';
let bundle: string;

beforeAll(async () => {
  const model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  const file = writeProject(join(dir, 'project'), { model });
  appendFileSync(file, SLO);
  bundle = (
    await writeReleaseBundle({
      loaded: loadConfig(file),
      out: join(dir, 'bundle'),
      version: '1.0.0',
      executionProviders: ['cpu'],
    })
  ).dir;
});

const result: LoadTestResult = {
  settings: { durationS: 10, concurrency: 4, rowsPerRequest: 32 },
  elapsedS: 10.0123,
  requests: 400,
  answered: 399,
  failed: 1,
  errors: { http: 1, timeouts: 0, connection: 0 },
  errorRate: 0.0025,
  requestsPerSecond: 39.85123,
  rowsPerSecond: 1275.2394,
  latencyMs: { p50: 90.1234, p95: 180.5, p99: 300.25, max: 410 },
  firstError: 'HTTP 500 <img src=x onerror=alert(1)> @team see https://evil.example',
};

describe('the load-test step of deploy', () => {
  it('refuses a bad load-test input in one sentence', async () => {
    fake();
    action.setInputs({ 'LOAD-TEST-CONCURRENCY': '0' });
    await expect(run()).rejects.toThrow(
      'input load-test-concurrency is "0"; expected a whole number from 1 to 256.',
    );
    action.setInputs({ 'LOAD-TEST-DURATION': 'ten' });
    await expect(run()).rejects.toThrow(
      'input load-test-duration is "ten"; expected a number from 1 to 600.',
    );
  });

  it('refuses load-test: false while serve.slo is set, before building, recording nothing', async () => {
    const github = fake();
    releaseForDeploy(github, bundle);
    const config = writeProject(action.workspace(), { model: join(dir, 'model.onnx') });
    appendFileSync(config, SLO);
    // Right after the download: before a builder is looked for or anything is built.
    action.setInputs({ 'LOAD-TEST': 'false' });
    await expect(run()).rejects.toThrow(
      `load-test is false, but ${config} sets serve.slo, which only a load test can check; set load-test to true, or remove serve.slo.`,
    );
    expect(deploymentsOf(github.repoState(OWNER, REPO))).toEqual([]);
    expect(action.summary()).toContain('The deployment did not complete');
  });

  it('takes serve from the checkout’s modelship.yml for its model, else from the bundle', () => {
    const other = writeProject(join(dir, 'other'), {
      model: join(dir, 'model.onnx'),
      name: 'another-model',
    });
    const own = loadConfig(writeProject(join(dir, 'own'), { model: join(dir, 'model.onnx') }));
    const plan = (loaded = loadConfig(other)) =>
      planLoadTest({
        run: true,
        overrides: { durationS: 2 },
        model: 'credit-risk',
        loaded,
        bundle,
      });
    expect(plan()).toEqual({
      settings: { durationS: 2, concurrency: 3, rowsPerRequest: 32 },
      slo: { p99Ms: 250, errorRate: undefined },
      source: "the release's modelship.yml",
    });
    expect(plan(own)).toEqual({
      settings: { durationS: 2, concurrency: 4, rowsPerRequest: 32 },
      slo: undefined,
      source: own.file,
    });
    expect(
      planLoadTest({ run: false, overrides: {}, model: 'credit-risk', loaded: own, bundle }),
    ).toBeUndefined();
  });

  it('records the figures in the payload, rounded, with the SLO', () => {
    expect(loadTestPayload(result, { p99Ms: 250 })).toEqual({
      settings: { duration_s: 10, concurrency: 4, rows_per_request: 32 },
      elapsed_s: 10.012,
      requests: 400,
      answered: 399,
      failed: 1,
      errors: { http: 1, timeouts: 0, connection: 0 },
      error_rate: 0.0025,
      requests_per_second: 39.851,
      rows_per_second: 1275.239,
      latency_ms: { p50: 90.123, p95: 180.5, p99: 300.25, max: 410 },
      slo: { p99_ms: 250 },
    });
  });

  it('shows the figures against the SLO in the summary, the server’s text escaped', () => {
    const summary = deploySummary({
      steps: [],
      loadTest: {
        result,
        slo: { p99Ms: 250, errorRate: 0.01 },
        misses: [
          { setting: 'p99_ms', text: 'p99 latency 300.3 ms is above serve.slo.p99_ms 250 ms' },
        ],
      },
    });
    expect(summary).toContain(
      '❌ **Load test missed its SLO** (10 s, 4 in flight, 32 rows per request). Production and its deployment were left as they were.',
    );
    expect(summary).toContain('| p99 latency | 300.3 ms | ≤ 250 ms ❌ |');
    expect(summary).toContain(
      '| error rate | 0.0025 (1 non-2xx, 0 timeouts, 0 connection errors) | ≤ 0.01 ✅ |',
    );
    expect(summary).toContain('| requests/s | 39.9 |  |');
    expect(summary).not.toContain('<img');
    expect(summary).not.toContain('@team');
    expect(summary).toContain(
      'First failed request: HTTP 500 &lt;img src=x onerror=alert\\(1\\)&gt; @\u200bteam',
    );
    expect(summary).not.toContain('did not complete');

    const unready = deploySummary({
      steps: [],
      loadTest: {
        misses: [],
        reason: '/v2/health/ready did not answer 200 within 60 s (last: HTTP 503).',
        logs: 'boom',
      },
    });
    expect(unready).toContain(
      '❌ **Load test failed**: /v2/health/ready did not answer 200 within 60 s',
    );
    expect(unready).toContain('<summary>Container log</summary>');
    const noSlo = deploySummary({ steps: [], loadTest: { result, misses: [] } });
    expect(noSlo).toContain(
      '**Load test** (10 s, 4 in flight, 32 rows per request; no SLO set: serve.slo in modelship.yml):',
    );
  });
});
