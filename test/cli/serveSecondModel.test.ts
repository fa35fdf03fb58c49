// modelship serve --shadow / --canary as a user runs them: a child process over two bundles.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logisticRegressionModel } from '../../src/core/model/onnxWriter.js';
import { routesToCanary } from '../../src/core/serve/canary.js';
import { CREDIT_RISK_ROW } from '../fixtures/models/creditRiskRow.js';
import { expectOneSentence, runCli } from '../support/cli.js';
import { startServeChild, writeServeBundle } from '../support/serveChild.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const model = (bias: number) =>
  logisticRegressionModel({ weights: new Array(26).fill(0.001), bias });
const primary = writeServeBundle(join(dir, 'primary'), model(-1), '1.0.0');
const candidate = writeServeBundle(join(dir, 'candidate'), model(1), '2.0.0');

describe('modelship serve with a second model', () => {
  it('--canary answers its share of routing keys, naming the version that served', async () => {
    const served = await startServeChild(primary, [
      '--canary',
      candidate,
      '--canary-percent',
      '30',
    ]);
    try {
      expect(served.stdout()).toContain(`; canary ${candidate} answers 30%`);
      const versions = new Set<string>();
      for (const key of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
        const res = await fetch(`${served.url}/predict`, {
          method: 'POST',
          headers: { 'x-modelship-routing-key': key },
          body: JSON.stringify({ rows: [CREDIT_RISK_ROW] }),
        });
        const version = routesToCanary(key, 30) ? '2.0.0' : '1.0.0';
        expect(res.headers.get('x-modelship-model-version')).toBe(version);
        expect(((await res.json()) as { model_version: string }).model_version).toBe(version);
        versions.add(version);
      }
      // These keys reach both models.
      expect(versions.size).toBe(2);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
    }
  });

  it('--shadow logs both answers to --shadow-log, and exits 0 on SIGTERM after writing them', async () => {
    const log = join(dir, 'shadow.jsonl');
    const served = await startServeChild(primary, ['--shadow', candidate, '--shadow-log', log]);
    const res = await fetch(`${served.url}/predict`, {
      method: 'POST',
      body: JSON.stringify({ id: 'one', rows: [CREDIT_RISK_ROW] }),
    });
    expect(res.status).toBe(200);
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    const [line] = readFileSync(log, 'utf8').trim().split('\n');
    expect(JSON.parse(line!)).toMatchObject({
      id: 'one',
      primary: { version: '1.0.0' },
      shadow: { version: '2.0.0' },
    });
  });

  it('refuses flags that do not go together, in one sentence, before loading anything', () => {
    expectOneSentence(
      runCli(['serve', primary, '--shadow', candidate, '--canary', candidate], dir),
      /--shadow and --canary were both given/,
    );
    expectOneSentence(
      runCli(['serve', primary, '--canary', candidate], dir),
      /--canary-percent \(missing\) is not a percentage; pass a number from 0 to 100 with --canary/,
    );
    expectOneSentence(
      runCli(['serve', primary, '--canary-percent', '5'], dir),
      /--canary-percent says how much traffic the canary takes: pass the canary bundle with --canary too/,
    );
    expectOneSentence(
      runCli(['serve', primary, '--added-latency-ms', 'slow'], dir),
      /--added-latency-ms slow \(or MODELSHIP_ADDED_LATENCY_MS\) is not a number of milliseconds/,
    );
  });
});
