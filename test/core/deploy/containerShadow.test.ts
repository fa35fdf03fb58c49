// The serving image with a shadow, in a real container (podman, runc): the primary bundle is the
// image's own, the shadow bundle is mounted read-only and named by MODELSHIP_SHADOW, and the
// shadow log goes to a mounted directory (MODELSHIP_SHADOW_LOG), as shadow.yaml sets it up in
// Kubernetes. Every answer is the primary's; the log holds both models' answers.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { ImageBuilder } from '../../../src/core/deploy/imageBuilder.js';
import { buildServingImage } from '../../../src/core/deploy/servingImage.js';
import { findServingRuntime } from '../../../src/core/deploy/servingRuntime.js';
import { writeReleaseBundle } from '../../../src/core/release/bundle.js';
import { startContainerLab, type ContainerLab } from '../../support/containerLab.js';
import { trainModel, writeProject } from '../../support/evaluateProject.js';
import { exampleEvalRows } from '../../support/exampleRows.js';
import { systemRequirements } from '../../support/systemRequirements.js';

const scratch = join(tmpdir(), `modelship-container-shadow-${process.pid}`);
const containers = systemRequirements(['containers']);

let lab: ContainerLab;
let stopLab: (() => Promise<void>) | undefined;
const bundles: Record<string, string> = {};

beforeAll(async () => {
  containers.check();
  mkdirSync(scratch, { recursive: true });
  lab = await startContainerLab(join(scratch, 'lab'), (stop) => (stopLab = stop));
  // Two real models of the example: the shadow trained with far more regularisation.
  for (const [version, l2] of [
    ['1.0.0', 1],
    ['1.1.0', 3000],
  ] as const) {
    const model = join(scratch, `model-${version}.onnx`);
    writeFileSync(model, await trainModel({ l2 }));
    const loaded = loadConfig(writeProject(join(scratch, `project-${version}`), { model }));
    const bundle = await writeReleaseBundle({
      loaded,
      out: join(scratch, `bundle-${version}`),
      version,
      commit: 'c'.repeat(40),
      now: new Date('2026-01-02T03:04:05Z'),
      executionProviders: ['cpu'],
    });
    bundles[version] = bundle.dir;
  }
}, 180_000);

afterAll(async () => {
  try {
    await stopLab?.();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 60_000);

/** A container's output, stdout and stderr (lab.tool returns stdout only). */
async function logsOf(name: string): Promise<string> {
  const builder = await ImageBuilder.detect('podman', { env: { ...process.env, ...lab.env } });
  return builder.logs(name);
}

async function waitReady(url: string, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (
    !(await fetch(`${url}/v2/health/ready`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline)
      throw new Error(
        `not ready at ${url}:\n${lab.tool('podman', ['ps', '-a'])}\n${await logsOf(name)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the serving image with MODELSHIP_SHADOW', containers.options, () => {
  it('answers as the primary, and logs both answers to the mounted log directory', async () => {
    const builder = await ImageBuilder.detect('podman', { env: { ...process.env, ...lab.env } });
    const built = await buildServingImage({
      builder,
      bundle: bundles['1.0.0']!,
      runtime: findServingRuntime(lab.runtime),
      repository: 'localhost/shadow-test',
      baseImage: lab.baseImage,
      tlsVerify: false,
    });
    const logs = join(scratch, 'logs');
    mkdirSync(logs);
    chmodSync(logs, 0o777); // the runtime runs as uid 10001
    chmodSync(bundles['1.1.0']!, 0o755); // a bundle directory is written 0700
    const rows = exampleEvalRows(8);
    const answers: Record<string, string> = {};
    // The same image alone, then with the shadow: the answers must be the same bytes.
    for (const withShadow of [false, true]) {
      const name = `modelship-shadow-${withShadow ? 'on' : 'off'}-${process.pid}`;
      lab.tool('podman', [
        'run',
        '-d',
        '--name',
        name,
        '-p',
        '127.0.0.1::8080',
        ...(withShadow
          ? [
              '-v',
              `${bundles['1.1.0']!}:/opt/modelship/shadow:ro`,
              '-v',
              `${logs}:/var/lib/modelship`,
              '-e',
              'MODELSHIP_SHADOW=/opt/modelship/shadow',
              '-e',
              'MODELSHIP_SHADOW_LOG=/var/lib/modelship/shadow.jsonl',
            ]
          : []),
        built.ref,
      ]);
      try {
        const port = lab.tool('podman', ['port', name, '8080/tcp']).trim().split(':').pop();
        const url = `http://127.0.0.1:${port}`;
        await waitReady(url, name);
        for (let i = 0; i < rows.length; i += 2) {
          const res = await fetch(`${url}/predict`, {
            method: 'POST',
            body: JSON.stringify({ id: `req-${i}`, rows: rows.slice(i, i + 2) }),
          });
          expect(res.status).toBe(200);
          const text = await res.text();
          if (withShadow) expect(text).toBe(answers[`req-${i}`]);
          else answers[`req-${i}`] = text;
        }
        if (withShadow) {
          // The shadow scores after each answer is written: wait for the last one.
          let metrics = '';
          for (let i = 0; i < 50 && !metrics.includes('{outcome="compared"} 4'); i++) {
            if (i) await new Promise((r) => setTimeout(r, 100));
            metrics = await (await fetch(`${url}/metrics`)).text();
          }
          expect(metrics).toContain('modelship_shadow_requests_total{outcome="compared"} 4');
          expect(metrics).toContain('modelship_shadow_labels_compared_total 8');
        }
      } finally {
        // SIGTERM: the runtime finishes the shadow's queue and closes its log.
        lab.tool('podman', ['stop', '-t', '10', name]);
        lab.tool('podman', ['rm', '-f', name]);
      }
    }
    const file = join(logs, 'shadow.jsonl');
    expect(existsSync(file)).toBe(true);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            primary: { version: string; body: { probabilities: number[] } };
            shadow: { version: string; body: { probabilities: number[] } };
          },
      );
    expect(lines.map((l) => l.id).sort()).toEqual(['req-0', 'req-2', 'req-4', 'req-6']);
    for (const line of lines) {
      expect(line.primary.version).toBe('1.0.0');
      expect(line.shadow.version).toBe('1.1.0');
      const answered = JSON.parse(answers[line.id]!) as { probabilities: number[] };
      expect(line.primary.body.probabilities).toEqual(answered.probabilities);
      // Two different models: the shadow's probabilities are its own.
      expect(line.shadow.body.probabilities).not.toEqual(answered.probabilities);
    }
  });
});
