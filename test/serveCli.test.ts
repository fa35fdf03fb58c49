import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.js';
import { logisticRegressionModel } from '../src/core/model/onnxWriter.js';
import { useTempDir } from './helpers/tempDir.js';

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
