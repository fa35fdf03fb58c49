import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { logisticRegressionModel } from '../../src/core/model/onnxWriter.js';
import { startServeChild, writeServeBundle } from '../support/serveChild.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
const model = logisticRegressionModel({ weights: new Array(26).fill(0.01), bias: 0 });

/** The threads of a process (Linux /proc). */
function threadsOf(pid: number): number {
  return Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

it('serve --threads reaches onnxruntime: 4 threads start 3 more than 1', async () => {
  const bundle = writeServeBundle(join(dir, 'bundle'), model, '1');
  const counts: number[] = [];
  for (const threads of ['1', '4']) {
    const served = await startServeChild(bundle, ['--threads', threads]);
    try {
      const body = {
        inputs: [{ name: 'input', shape: [1, 26], datatype: 'FP32', data: new Array(26).fill(1) }],
      };
      const res = await fetch(`${served.url}/v2/models/credit-risk/infer`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(200);
      counts.push(threadsOf(served.child.pid!));
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
    }
  }
  // onnxruntime's intra-op pool: the calling thread and n − 1 of its own.
  expect(counts[1]! - counts[0]!).toBe(3);
});

it('serve --threads 0 is one sentence and exit 2', async () => {
  const path = join(dir, 'm.onnx');
  writeFileSync(path, model);
  let printed = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  try {
    expect(await main(['serve', path, '--threads', '0'])).toBe(2);
  } finally {
    err.mockRestore();
  }
  expect(printed).toContain(
    '--threads 0 (or MODELSHIP_THREADS) is not a whole number of threads from 1 to 1024.',
  );
});
