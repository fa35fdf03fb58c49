// The deploy action's load test with real containers (test/support/containerLab.ts: podman, a
// local registry, a base image built from scratch) against the GitHub fake: an image within
// modelship.yml's serve.slo is promoted with its figures in the summary and the deployment's
// payload; the same model on a base that sets MODELSHIP_ADDED_LATENCY_MS (the runtime's testing
// aid) is pushed and passes its smoke test, but misses the SLO, and nothing moves. Then
// `modelship image load-test` against the slow image and against a running server's URL.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as deploy } from '../../src/actions/deploy/main.js';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { ImageBuilder } from '../../src/core/deploy/imageBuilder.js';
import { writeReleaseBundle } from '../../src/core/release/bundle.js';
import { OWNER, REPO, useActionRun } from '../support/actionRunner.js';
import { releaseForDeploy } from '../support/deployRelease.js';
import { startContainerLab, type ContainerLab } from '../support/containerLab.js';
import { deployActionDefaults, labDeployInputs } from '../support/deployActionDefaults.js';
import { trainModel, writeProject } from '../support/evaluateProject.js';
import { deploymentsOf } from '../support/github/fakeDeployments.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';
import { systemRequirements } from '../support/systemRequirements.js';

const scratch = join(tmpdir(), `modelship-load-test-${process.pid}`);
const containers = systemRequirements(['containers']);
const gated = containers.options;
const { fake } = useGitHubFake();
const action = useActionRun(deployActionDefaults());

/** Short, so the test is quick; the slow image's 1.5 s per answer cannot meet 1000 ms. */
const SERVE = `serve:
  load_test: { duration_s: 2, concurrency: 2, rows_per_request: 16 }
  slo: { p99_ms: 1000, error_rate: 0 }
`;
const ADDED_LATENCY_MS = 1500;

let lab: ContainerLab;
let stopLab: (() => Promise<void>) | undefined;
let slowBase: string;
let bundle: string;
let model: string;

/** modelship.yml of the example project with the serve section above. */
function project(dir: string): string {
  const file = writeProject(dir, { model });
  appendFileSync(file, SERVE);
  return file;
}

beforeAll(async () => {
  containers.check();
  mkdirSync(scratch, { recursive: true });
  lab = await startContainerLab(join(scratch, 'lab'), (stop) => (stopLab = stop));
  // The lab's base image with the runtime's added latency set, as an image's ENV.
  const work = `modelship-slow-base-${process.pid}`;
  lab.tool('buildah', ['from', '--name', work, lab.baseImage]);
  lab.tool('buildah', ['config', '--env', `MODELSHIP_ADDED_LATENCY_MS=${ADDED_LATENCY_MS}`, work]);
  slowBase = 'localhost/modelship-test/slow-base:1';
  lab.tool('buildah', ['commit', '--rm', work, slowBase]);

  model = join(scratch, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  bundle = (
    await writeReleaseBundle({
      loaded: loadConfig(project(join(scratch, 'project'))),
      out: join(scratch, 'bundle'),
      version: '1.0.0',
      executionProviders: ['cpu'],
    })
  ).dir;
}, 240_000);

afterAll(async () => {
  try {
    await stopLab?.();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 60_000);

describe('deploy’s load test, against the GitHub fake and the local registry', gated, () => {
  beforeEach(() => {
    Object.assign(process.env, lab.env, { MODELSHIP_SERVE_RUNTIME: lab.runtime });
  });

  function release(github: GitHubFake): void {
    releaseForDeploy(github, bundle);
    project(action.workspace());
  }

  const deployImage = async (repository: string, baseImage: string) => {
    action.clear();
    action.setInputs({
      VERSION: '1.0.0',
      ...labDeployInputs(`${lab.registry}/${repository}`, baseImage),
    });
    await deploy();
    return action.outputs();
  };

  it('promotes an image within its SLO, with the figures in the summary and the deployment', async () => {
    const github = fake();
    release(github);
    const outputs = await deployImage('fast', lab.baseImage);

    expect(await lab.registryDigest('fast', 'production')).toBe(outputs.digest);
    const [deployment, ...others] = deploymentsOf(github.repoState(OWNER, REPO));
    expect(others).toEqual([]);
    const payload = deployment!.payload as {
      load_test: {
        requests: number;
        answered: number;
        requests_per_second: number;
        rows_per_second: number;
        latency_ms: { p50: number; p95: number; p99: number; max: number };
      };
    };
    expect(payload).toMatchObject({
      image: outputs.image,
      load_test: {
        settings: { duration_s: 2, concurrency: 2, rows_per_request: 16 },
        failed: 0,
        errors: { http: 0, timeouts: 0, connection: 0 },
        error_rate: 0,
        slo: { p99_ms: 1000, error_rate: 0 },
      },
    });
    const figures = payload.load_test;
    expect(figures.requests).toBeGreaterThan(0);
    expect(figures.answered).toBe(figures.requests);
    expect(figures.rows_per_second).toBeCloseTo(16 * figures.requests_per_second, 1);
    const { p50, p95, p99, max } = figures.latency_ms;
    expect(p50 <= p95 && p95 <= p99 && p99 <= max && p99 <= 1000).toBe(true);

    const summary = action.summary();
    expect(summary).toContain('Smoke test passed');
    expect(summary).toContain(
      '✅ **Load test met its SLO** (2 s, 2 in flight, 16 rows per request):',
    );
    expect(summary).toMatch(/\| p99 latency \| \d+\.\d ms \| ≤ 1000 ms ✅ \|/);
    expect(summary).toContain(`Recorded deployment ${deployment!.id} to production.`);
    // The load test's container is gone.
    expect(lab.containers().filter((c) => c.includes('modelship-load-'))).toEqual([]);
  });

  it('refuses a slow image that misses the SLO: pushed, but no tag moves and no deployment', async () => {
    const github = fake();
    release(github);
    await expect(deployImage('slow', slowBase)).rejects.toThrow(
      /^The load test of \S+\/slow:1\.0\.0 missed its SLO, so production was left as it was: p99 latency \d+\.\d ms is above serve\.slo\.p99_ms 1000 ms; make the model serve faster or more reliably, or change serve\.slo\.p99_ms in modelship\.yml\.$/,
    );
    expect(await lab.registryTags('slow')).toEqual(['1.0.0']);
    expect(deploymentsOf(github.repoState(OWNER, REPO))).toEqual([]);
    const summary = action.summary();
    expect(summary).toContain('Smoke test passed');
    expect(summary).toContain('❌ **Load test missed its SLO** (2 s, 2 in flight');
    expect(summary).toContain('Production and its deployment were left as they were.');
    expect(summary).toMatch(/\| p99 latency \| (1[5-9]|[2-9]\d)\d\d\.\d ms \| ≤ 1000 ms ❌ \|/);
    expect(summary).not.toContain('did not complete');
    expect(lab.containers().filter((c) => c.includes('modelship-load-'))).toEqual([]);
  });
});

describe('modelship image load-test', gated, () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    const spies = [
      vi.spyOn(process.stdout, 'write').mockImplementation((c) => (out.push(String(c)), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((c) => (err.push(String(c)), true)),
    ];
    const saved = { ...process.env };
    Object.assign(process.env, lab.env);
    return () => {
      for (const spy of spies) spy.mockRestore();
      for (const key of Object.keys(lab.env)) delete process.env[key];
      Object.assign(process.env, saved);
    };
  });
  const flags = ['--bundle', '', '--builder', 'podman', '--tls-verify', 'false', '--duration', '1'];
  const cli = (target: string, ...more: string[]) =>
    main(['image', 'load-test', target, ...flags.map((f) => f || bundle), ...more]);

  it('exits 1 when an image misses the bundle’s SLO, 0 when a flag loosens it', async () => {
    const image = `${lab.registry}/slow:1.0.0`;
    expect(await cli(image)).toBe(1);
    expect(out.join('')).toMatch(
      /^load test of \S+ \(1 s, 2 in flight, 16 rows per request\) missed its SLO: p99 latency \d+\.\d ms is above serve\.slo\.p99_ms 1000 ms;/,
    );
    out.length = 0;
    expect(await cli(image, '--p99-ms', '60000', '--concurrency', '1')).toBe(0);
    expect(out.join('')).toContain('(1 s, 1 in flight, 16 rows per request) met its SLO');
    expect(out.join('')).toMatch(/p99 latency +1[5-9]\d\d\.\d ms {2}\(SLO ≤ 60000 ms: met\)/);
  });

  it('drives a server already running at a URL', async () => {
    const builder = await ImageBuilder.detect('podman', { env: { ...process.env, ...lab.env } });
    const name = `modelship-load-url-${process.pid}`;
    try {
      const url = await builder.run({
        image: `${lab.registry}/fast:1.0.0`,
        name,
        containerPort: 8080,
      });
      expect(await cli(url, '--rows-per-request', '4')).toBe(0);
      const text = out.join('');
      expect(text).toContain('(1 s, 2 in flight, 4 rows per request) met its SLO');
      expect(text).toMatch(/error rate +0 \(0 non-2xx, 0 timeouts, 0 connection errors\)/);
    } finally {
      await builder.remove(name);
    }
  });

  it('names a bad option in one sentence, before anything runs', async () => {
    expect(await cli('http://127.0.0.1:9', '--concurrency', '0')).toBe(2);
    expect(err.join('')).toBe(
      'modelship: --concurrency is "0"; expected a whole number from 1 to 256.\n',
    );
  });
});
