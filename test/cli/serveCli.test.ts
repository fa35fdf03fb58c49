import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { logisticRegressionModel } from '../../src/core/model/onnxWriter.js';
import { CREDIT_RISK_ROW } from '../fixtures/models/creditRiskRow.js';
import { startServeChild, writeServeBundle } from '../support/serveChild.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();

it('modelship serve prints the URL and provider, and exits 0 on SIGTERM', async () => {
  const model = join(dir, 'm.onnx');
  writeFileSync(model, logisticRegressionModel({ weights: new Array(26).fill(0.01), bias: 0 }));
  let printed = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const config = 'examples/credit-risk/modelship.yml';
    const exit = main(['serve', model, '--config', config, '--port', '0']);
    while (!printed.includes('http://')) await new Promise((r) => setTimeout(r, 10));
    expect(printed).toMatch(/serving credit-risk 1 at http:\/\/127\.0\.0\.1:\d+\S* on cpu/);
    const url = /http:\/\/[^/\s]+/.exec(printed)![0];
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    process.emit('SIGTERM');
    expect(await exit).toBe(0);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
});

it('modelship serve rejects a missing model with exit 2', async () => {
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await main(['serve', join(dir, 'nope.onnx')])).toBe(2);
  } finally {
    err.mockRestore();
  }
});

describe('modelship serve as a child process', () => {
  it('logs JSON, and on SIGTERM finishes every request in flight and exits 0', async () => {
    const F = 26;
    const model = logisticRegressionModel({ weights: new Array(F).fill(0.01), bias: -0.2 });
    const served = await startServeChild(writeServeBundle(join(dir, 'bundle'), model, '1.4.0'));
    const { child, exited, url } = served;
    try {
      expect(served.stdout()).toContain('serving credit-risk 1.4.0 at');

      const predict = await fetch(`${url}/predict`, {
        method: 'POST',
        body: JSON.stringify({ rows: [{ ...CREDIT_RISK_ROW }] }),
      });
      expect(await predict.json()).toMatchObject({ positive: 'bad', negative: 'good' });

      // Eight large batches in flight, then SIGTERM: every one must be answered in full.
      const rows = 20_000;
      const big = JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [rows, F],
            datatype: 'FP32',
            data: new Array(rows * F).fill(0.5),
          },
        ],
      });
      const pending = Array.from({ length: 8 }, (_, i) =>
        fetch(`${url}/v2/models/credit-risk/infer`, {
          method: 'POST',
          body: big.replace('{', `{"id":"big-${i}",`),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { id: string; outputs: { shape: number[]; data: number[] }[] },
        })),
      );
      for (;;) {
        const text = await (await fetch(`${url}/metrics`)).text();
        const inFlight = Number(/modelship_requests_in_flight (\d+)/.exec(text)![1]) - 1;
        const done = Number(/route="infer",status="200"\} (\d+)/.exec(text)?.[1] ?? 0);
        if (inFlight + done >= 8) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGTERM');
      const results = await Promise.all(pending);
      results.forEach((r, i) => {
        expect(r.status).toBe(200);
        expect(r.body.id).toBe(`big-${i}`);
        expect(r.body.outputs[0]!.shape).toEqual([rows, 2]);
        expect(r.body.outputs[0]!.data).toHaveLength(rows * 2);
      });
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();

      const lines = served
        .stderr()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({
        event: 'model_loaded',
        model: 'credit-risk',
        version: '1.4.0',
        provider: 'cpu',
        providers_tried: ['cpu'],
        request_timeout_ms: 30000,
      });
      const big200 = lines.filter((l) => l.route === 'infer' && l.status === 200);
      expect(big200).toHaveLength(8);
      for (const line of big200) {
        expect(line).toMatchObject({ method: 'POST', rows, duration_ms: expect.any(Number) });
        expect(typeof line.time).toBe('string');
      }
      expect(lines.map((l) => l.event)).toEqual(expect.arrayContaining(['closing', 'closed']));
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);

  it('rejects a bad --request-timeout-ms or --micro-batch-ms with exit 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const model = join(dir, 'm.onnx');
      expect(await main(['serve', model, '--request-timeout-ms', '0'])).toBe(2);
      expect(await main(['serve', model, '--micro-batch-ms', 'soon'])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
