/**
 * One training run for both fronts: the train action and `modelship train` call trainRun, which
 * makes the GPU decision once and checks the model on the provider that decision chose. On a
 * machine whose nvidia-smi reports a GPU (replayed from a real one) but which has no CUDA
 * libraries, `gpu: none` checks on the CPU without trying CUDA, and `gpu: optional` tries CUDA
 * and says why it ran on the CPU.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type LoadedConfig } from '../../../src/core/config/modelshipConfig.js';
import { GPU_QUERY_ARGS, type NvidiaSmiResult } from '../../../src/core/train/gpu.js';
import { trainingPaths } from '../../../src/core/train/trainingEnv.js';
import { trainRun, withNodeOnPath } from '../../../src/core/train/trainRun.js';
import { ROOT } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const smi = (name: string) =>
  readFileSync(join(ROOT, 'test', 'fixtures', 'nvidia-smi', name), 'utf8');

/** nvidia-smi as an RTX 2080 SUPER machine answers it. */
async function gpuMachine(args: string[]): Promise<NvidiaSmiResult> {
  if (args.join(' ') === GPU_QUERY_ARGS.join(' '))
    return { stdout: smi('rtx2080super-query.csv'), code: 0 };
  if (args[0] === '-L') return { stdout: smi('rtx2080super-list.txt'), code: 0 };
  return { stdout: '', code: 6 };
}

function project(name: string): LoadedConfig {
  const target = join(dir, name);
  cpSync(join(ROOT, 'examples', 'credit-risk'), target, {
    recursive: true,
    filter: (source) => !source.includes(join('credit-risk', 'artifacts')),
  });
  mkdirSync(join(target, 'node_modules'));
  symlinkSync(ROOT, join(target, 'node_modules', 'modelship'), 'dir');
  return loadConfig(join(target, 'modelship.yml'));
}

async function train(name: string, gpu: 'none' | 'optional') {
  const loaded = project(name);
  const notes: string[] = [];
  const run = await trainRun({
    loaded,
    gpu,
    env: { ...process.env },
    paths: trainingPaths(loaded, {}),
    commitSha: null,
    gpuArgs: { run: gpuMachine },
    onGpu: (decision) => notes.push(decision.note),
  });
  return { run, notes };
}

describe('trainRun', () => {
  it('checks on the CPU alone when train.gpu is none, though a GPU is present', async () => {
    const { run, notes } = await train('none', 'none');
    expect(notes).toEqual([
      expect.stringMatching(/^train\.gpu is none; 1 GPU: 0 NVIDIA GeForce RTX 2080 SUPER/),
    ]);
    expect(run.decision.useGpu).toBe(false);
    expect(run.model.provider).toBe('cpu');
    expect(run.model.providerNote).toBeUndefined();
    expect(run.manifest.model.execution_provider).toBe('cpu');
    expect(run.manifest.model.provider_note).toBeUndefined();
    expect(JSON.parse(readFileSync(run.manifestPath, 'utf8'))).toEqual(run.manifest);
  }, 120_000);

  it('tries CUDA when train.gpu lets training use the GPU, and says why it ran on the CPU', async () => {
    const { run } = await train('optional', 'optional');
    expect(run.decision.useGpu).toBe(true);
    // This machine has no CUDA libraries; on a GPU runner with them the check runs on CUDA.
    if (run.model.provider === 'cpu') expect(run.model.providerNote).toMatch(/^CUDA unavailable/);
    else expect(run.model.provider).toBe('cuda');
  }, 120_000);

  it("puts Modelship's node last on PATH, so a node the user set up comes first", () => {
    const node = join(process.execPath, '..');
    expect(withNodeOnPath({ PATH: '/opt/node/bin:/sbin' }).PATH).toBe(
      `/opt/node/bin:/sbin:${node}`,
    );
    expect(withNodeOnPath({}).PATH).toBe(node);
    const already = { PATH: `${node}:/sbin` };
    expect(withNodeOnPath(already)).toBe(already);
  });

  it('is the one run both fronts use', () => {
    for (const front of ['src/actions/train/main.ts', 'src/cli/trainCommand.ts']) {
      const source = readFileSync(join(ROOT, front), 'utf8');
      expect(source, front).toMatch(/core\/train\/trainRun\.js/);
      // The decisions live in trainRun only: neither front runs or checks on its own.
      expect(source, front).not.toMatch(/\b(runTraining|verifyTrainedModel|checkGpuRequirement)\(/);
    }
  });
});
