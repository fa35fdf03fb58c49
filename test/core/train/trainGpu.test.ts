import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import {
  checkGpuRequirement,
  detectGpus,
  filterVisibleGpus,
  GPU_QUERY_ARGS,
  nvidiaSmi,
  parseCudaVersion,
  parseGpuList,
  parseGpuQuery,
  type GpuDetection,
  type GpuInfo,
  type NvidiaSmiResult,
} from '../../../src/core/train/gpu.js';
import { ROOT } from '../../support/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'nvidia-smi');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** A runner that answers like one machine: its real query, table and list output. */
function machine(answers: { query: NvidiaSmiResult; table?: string; list?: string }) {
  const calls: string[][] = [];
  const run = async (args: string[]): Promise<NvidiaSmiResult> => {
    calls.push(args);
    if (args.join(' ') === GPU_QUERY_ARGS.join(' ')) return answers.query;
    const text = args.length === 0 ? answers.table : args[0] === '-L' ? answers.list : undefined;
    return text === undefined ? { stdout: '', code: 6 } : { stdout: text, code: 0 };
  };
  return { run, calls };
}

/** GpuInfo entries from an `nvidia-smi -L` listing, for the visibility rules. */
function gpusOf(listing: string): GpuInfo[] {
  return parseGpuList(listing).map((g) => ({
    index: g.index,
    uuid: g.uuid,
    name: g.name,
    memoryTotalMiB: null,
    memoryUsedMiB: null,
    utilizationPercent: null,
    ...(g.mig.length ? { mig: g.mig } : {}),
  }));
}

describe('nvidia-smi parsers on real output', () => {
  it('reads the --format=csv query of one GPU by its header, units stripped', () => {
    expect(parseGpuQuery(fixture('rtx2080super-query.csv'))).toEqual([
      {
        index: 0,
        uuid: 'GPU-1937b558-347d-0f30-105b-893b98985668',
        name: 'NVIDIA GeForce RTX 2080 SUPER',
        memoryTotalMiB: 7979,
        memoryUsedMiB: 344,
        utilizationPercent: 0,
        driverVersion: '465.27',
      },
    ]);
  });

  it('reads a MIG-mode GPU, whose utilisation is [N/A], as null', () => {
    expect(parseGpuQuery(fixture('h100-mig-query.csv'))).toEqual([
      {
        index: 0,
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        name: 'NVIDIA H100 80GB HBM3',
        memoryTotalMiB: 81559,
        memoryUsedMiB: 59,
        utilizationPercent: null,
        driverVersion: '590.48.01',
      },
    ]);
  });

  it('reads header-less rows with the field list they were queried with', () => {
    const quadros = parseGpuQuery(fixture('quadro-rtx6000x2-query-noheader.csv'), [
      'name',
      'memory.total',
      'driver_version',
      'pci.device_id',
    ]);
    expect(quadros.map((g) => [g.index, g.name, g.memoryTotalMiB, g.driverVersion])).toEqual([
      [0, 'Quadro RTX 6000', 24576, '570.211.01'],
      [1, 'Quadro RTX 6000', 24576, '570.211.01'],
    ]);
    const fields =
      'power.limit,power.min_limit,power.max_limit,memory.total,vbios_version,driver_version,name,gpu_uuid,power.draw,temperature.gpu,temperature.memory,clocks.current.graphics,clocks.sm,clocks.mem,utilization.gpu,utilization.memory,fan.speed,pcie.link.width.current,pstate';
    expect(parseGpuQuery(fixture('rtx2080-query-noheader-nounits.csv'), fields.split(','))).toEqual(
      [
        {
          index: 0,
          uuid: 'GPU-22b2c6ac-2d49-4863-197c-9c469071178a',
          name: 'GeForce RTX 2080',
          memoryTotalMiB: 7979,
          memoryUsedMiB: null,
          utilizationPercent: 86,
          driverVersion: '440.64',
        },
      ],
    );
  });

  it('rejects a row that does not have the queried number of values', () => {
    expect(() => parseGpuQuery('0, GPU-1, A100, 81920')).toThrow(/4 values where 7/);
    expect(parseGpuQuery('\n')).toEqual([]);
  });

  it('finds the CUDA version in the default table, and none where nvidia-smi failed', () => {
    expect(parseCudaVersion(fixture('h100-mig-smi.txt'))).toBe('13.1');
    expect(parseCudaVersion(fixture('gtx1650-smi.txt'))).toBe('12.6');
    expect(parseCudaVersion('CUDA Version        : 13.1')).toBe('13.1');
    expect(parseCudaVersion(fixture('driver-failed.txt'))).toBeNull();
    expect(parseCudaVersion(fixture('not-found.txt'))).toBeNull();
  });

  it('lists GPUs and their MIG devices from nvidia-smi -L', () => {
    expect(parseGpuList(fixture('rtx2080super-list.txt'))).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 2080 SUPER',
        uuid: 'GPU-1937b558-347d-0f30-105b-893b98985668',
        mig: [],
      },
    ]);
    const [h100] = parseGpuList(fixture('h100-mig-list.txt'));
    expect(h100?.mig.map((m) => `${m.device} ${m.profile}`)).toEqual([
      '0 3g.40gb',
      '1 2g.20gb',
      '2 1g.10gb',
      '3 1g.10gb',
    ]);
    const eight = parseGpuList(fixture('h100x8-mig-list.txt'));
    expect(eight.map((g) => [g.index, g.mig.length])).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, 7]),
    );
    expect(eight[7]?.mig[6]?.uuid).toBe('MIG-bc03b921-4d24-573e-9d4b-1cdc47b1f4b4');
    const mixed = parseGpuList(fixture('a100x4-mixed-mig-list.txt'));
    expect(mixed.map((g) => g.mig.length)).toEqual([4, 0, 0, 0]);
    expect(parseGpuList(fixture('quadro-rtx4000x2-list.txt')).map((g) => g.name)).toEqual([
      'Quadro RTX 4000',
      'Quadro RTX 4000',
    ]);
    expect(parseGpuList(fixture('driver-failed.txt'))).toEqual([]);
  });
});

describe('CUDA_VISIBLE_DEVICES', () => {
  const eight = gpusOf(fixture('h100x8-mig-list.txt'));
  const mixed = gpusOf(fixture('a100x4-mixed-mig-list.txt'));
  const indices = (gpus: GpuInfo[]) => gpus.map((g) => g.index);

  it('keeps every GPU when unset and none when empty or -1', () => {
    expect(indices(filterVisibleGpus(eight))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(filterVisibleGpus(eight, '')).toEqual([]);
    expect(filterVisibleGpus(eight, '-1')).toEqual([]);
  });

  it('keeps the listed indices in their order and stops at the first that names no GPU', () => {
    expect(indices(filterVisibleGpus(mixed, '2,0'))).toEqual([2, 0]);
    expect(indices(filterVisibleGpus(mixed, '3, 1,1'))).toEqual([3, 1]);
    expect(indices(filterVisibleGpus(mixed, '1,7,2'))).toEqual([1]);
    expect(indices(filterVisibleGpus(mixed, '1,-1,2'))).toEqual([1]);
    expect(filterVisibleGpus(mixed, '4')).toEqual([]);
  });

  it('matches GPU and MIG UUIDs, or unique prefixes of them', () => {
    expect(indices(filterVisibleGpus(mixed, 'GPU-5e375e7e'))).toEqual([2]);
    expect(indices(filterVisibleGpus(mixed, 'GPU-d8594bd4-0fc3-8595-e355-7c98138f3b95,0'))).toEqual(
      [1, 0],
    );
    // "GPU-" alone is a prefix of every UUID: ambiguous, so nothing is visible.
    expect(filterVisibleGpus(mixed, 'GPU-')).toEqual([]);
    const [gpu] = filterVisibleGpus(eight, 'MIG-9e577b56-8dad-58fa-9799-b034b7e42ec9');
    expect(gpu?.index).toBe(1);
    expect(gpu?.mig).toEqual([
      { profile: '1g.10gb', device: 0, uuid: 'MIG-9e577b56-8dad-58fa-9799-b034b7e42ec9' },
    ]);
    expect(filterVisibleGpus(eight, 'MIG-00000000')).toEqual([]);
  });
});

describe('detectGpus', () => {
  it('combines the query, the CUDA version and the MIG list of a MIG machine', async () => {
    const { run, calls } = machine({
      query: { stdout: fixture('h100-mig-query.csv'), code: 0 },
      table: fixture('h100-mig-smi.txt'),
      list: fixture('h100-mig-list.txt'),
    });
    const detected = await detectGpus({ run });
    expect(calls).toEqual([GPU_QUERY_ARGS, [], ['-L']]);
    expect(detected).toMatchObject({
      available: true,
      driverVersion: '590.48.01',
      cudaVersion: '13.1',
      gpus: [{ index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 }],
    });
    expect(detected.gpus[0]?.mig?.map((m) => m.profile)).toEqual([
      '3g.40gb',
      '2g.20gb',
      '1g.10gb',
      '1g.10gb',
    ]);
    expect(checkGpuRequirement('required', detected)).toMatchObject({ useGpu: true });
    expect(checkGpuRequirement('required', detected).note).toContain(
      'NVIDIA H100 80GB HBM3 (81559 MiB), MIG 3g.40gb 2g.20gb 1g.10gb 1g.10gb; driver 590.48.01, CUDA 13.1',
    );
  });

  it('reports a GPU without a table or list answer, and hides it with CUDA_VISIBLE_DEVICES', async () => {
    const { run } = machine({
      query: { stdout: fixture('rtx2080super-query.csv'), code: 0 },
      list: fixture('rtx2080super-list.txt'),
    });
    const detected = await detectGpus({ run, cudaVisibleDevices: '0' });
    expect(detected).toMatchObject({ available: true, cudaVersion: null, driverVersion: '465.27' });
    expect(detected.gpus[0]?.mig).toBeUndefined();
    const hidden = await detectGpus({ run, cudaVisibleDevices: '' });
    expect(hidden).toMatchObject({ available: false, gpus: [], driverVersion: '465.27' });
    expect(hidden.reason).toBe('CUDA_VISIBLE_DEVICES="" hides all 1 GPUs');
  });

  it('says why there is no GPU: nvidia-smi missing, or failing to reach the driver', async () => {
    const missing = await detectGpus({ run: async () => 'not-found' });
    expect(missing).toEqual({
      available: false,
      gpus: [],
      driverVersion: null,
      cudaVersion: null,
      reason: 'nvidia-smi is not installed on this machine',
    });
    const failed = await detectGpus(
      machine({ query: { stdout: fixture('driver-failed.txt'), code: 9 } }),
    );
    expect(failed.available).toBe(false);
    expect(failed.reason).toBe(
      "nvidia-smi failed with exit code 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    );
  });
});

describe('checkGpuRequirement', () => {
  const none: GpuDetection = {
    available: false,
    gpus: [],
    driverVersion: null,
    cudaVersion: null,
    reason: 'nvidia-smi is not installed on this machine',
  };

  it('fails gpu: required without a GPU in one sentence naming the runner labels', () => {
    let error: unknown;
    try {
      checkGpuRequirement('required', none);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelshipError);
    expect((error as Error).message).toBe(
      'train.gpu is required, but this machine has no usable GPU (nvidia-smi is not installed on this machine); run the train job on a GPU runner, e.g. runs-on: [self-hosted, linux, x64, gpu], or set train.gpu to optional to train on CPU.',
    );
  });

  it('lets gpu: optional and none train on CPU, saying so', () => {
    expect(checkGpuRequirement('optional', none)).toEqual({
      mode: 'optional',
      useGpu: false,
      note: 'no usable GPU (nvidia-smi is not installed on this machine): training runs on CPU',
    });
    expect(checkGpuRequirement('none', none)).toMatchObject({ useGpu: false });
  });
});

describe('the real nvidia-smi', () => {
  const installed = spawnSync('nvidia-smi', ['-L']).error === undefined;

  it('is reported as not installed when the program does not exist', async () => {
    expect(await nvidiaSmi('/nonexistent/nvidia-smi')([])).toBe('not-found');
  });

  // CI machines have no NVIDIA driver; a GPU runner does. Either way the real program is asked.
  it('gives what this machine has: no GPU without nvidia-smi, its GPUs with it', async () => {
    const detected = await detectGpus({ run: nvidiaSmi() });
    if (!installed) {
      expect(detected).toMatchObject({ available: false, gpus: [] });
      expect(() => checkGpuRequirement('required', detected)).toThrow(
        /no usable GPU \(nvidia-smi is not installed on this machine\); run the train job on a GPU runner, e.g. runs-on: \[self-hosted, linux, x64, gpu\]/,
      );
    } else {
      expect(detected.driverVersion).not.toBeNull();
    }
  });
});
