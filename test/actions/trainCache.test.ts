import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreCache, saveCache } from '../../src/actions/train/cache.js';
import { ModelshipError } from '../../src/core/errors.js';
import { cacheKeyPrefix, computeCacheKey } from '../../src/core/train/cacheKey.js';
import { useTempDir } from '../support/tempDir.js';
import { captureActionsLog, setActionsEnv } from '../support/cache/actionsEnv.js';
import { ResultsService } from '../support/cache/resultsService.js';

const root = useTempDir();
let service: ResultsService;
let restoreEnv: () => void = () => {};
let log: ReturnType<typeof captureActionsLog>;
let workspace: string;

/** The cached state: a few files of random bytes, one in a subdirectory. */
const CACHED = {
  'weights.bin': randomBytes(300_000),
  'tokenizer.json': Buffer.from('{"vocab":["a","b"]}\n'),
  'shards/shard-0.bin': randomBytes(70_000),
};

function cacheDir(): string {
  return join(workspace, '.modelship-cache');
}

function writeCached(): void {
  for (const [name, bytes] of Object.entries(CACHED)) {
    mkdirSync(join(cacheDir(), name, '..'), { recursive: true });
    writeFileSync(join(cacheDir(), name), bytes);
  }
}

function expectCachedRestored(): void {
  for (const [name, bytes] of Object.entries(CACHED)) {
    expect(readFileSync(join(cacheDir(), name)).equals(bytes), name).toBe(true);
  }
}

/** Lock file, training script and data: what the default cache key is computed from. */
function writeInputs(dataText: string): string[] {
  const files = {
    'package-lock.json': '{"lockfileVersion":3}\n',
    'train.py': 'print("training")\n',
    'data/train.csv': dataText,
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(workspace, name, '..'), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  return Object.keys(files);
}

async function keyFor(dataText: string) {
  const files = writeInputs(dataText);
  return computeCacheKey({ prefix: cacheKeyPrefix('churn', 'Linux'), files, root: workspace });
}

beforeAll(async () => {
  service = await ResultsService.start();
  restoreEnv = setActionsEnv(service.env(), root);
  workspace = process.env.GITHUB_WORKSPACE!;
  log = captureActionsLog();
});

afterAll(async () => {
  log?.restore();
  restoreEnv();
  await service?.stop();
});

describe('the cache client against the results-service stand-in and Azurite', () => {
  // Absolute paths: @actions/cache globs them against the working directory, and archives
  // them relative to GITHUB_WORKSPACE.
  const paths = () => [cacheDir()];

  it('misses, saves, then restores the same bytes on an exact hit', async () => {
    const { key, restoreKeys } = await keyFor('x,y\n1,2\n');
    expect(await restoreCache(paths(), key, restoreKeys)).toEqual({ hit: 'miss' });

    writeCached();
    const saved = await saveCache(paths(), key);
    expect(saved).toMatchObject({ saved: true, key });
    expect(service.cacheEntries).toHaveLength(1);
    expect(service.cacheEntries[0]).toMatchObject({ key, finalized: true });

    rmSync(cacheDir(), { recursive: true });
    expect(await restoreCache(paths(), key, restoreKeys)).toEqual({
      hit: 'exact',
      matchedKey: key,
    });
    expectCachedRestored();
  });

  it('restores from a restore-key prefix when the data changed', async () => {
    const first = await keyFor('x,y\n1,2\n');
    const second = await keyFor('x,y\n1,2\n3,4\n');
    expect(second.key).not.toBe(first.key);
    expect(second.restoreKeys).toEqual(first.restoreKeys);

    rmSync(cacheDir(), { recursive: true, force: true });
    expect(await restoreCache(paths(), second.key, second.restoreKeys)).toEqual({
      hit: 'prefix',
      matchedKey: first.key,
    });
    expectCachedRestored();
    // Without restore keys the new key is a miss: the old entry is not an exact match.
    expect(await restoreCache(paths(), second.key)).toEqual({ hit: 'miss' });
  });

  it('reports a save under an existing key as not saved, without throwing', async () => {
    const { key } = await keyFor('x,y\n1,2\n');
    writeCached();
    const conflictsBefore = service.callsTo('CreateCacheEntry').filter((c) => c.status === 409);

    const saved = await saveCache(paths(), key);
    expect(saved.saved).toBe(false);
    expect(saved).toMatchObject({ key, reason: expect.stringContaining('already exists') });
    const conflicts = service.callsTo('CreateCacheEntry').filter((c) => c.status === 409);
    expect(conflicts).toHaveLength(conflictsBefore.length + 1);
    expect(service.cacheEntries.filter((entry) => entry.key === key)).toHaveLength(1);
  });

  it('saves and restores several entries independently by key', async () => {
    const { key, restoreKeys } = await keyFor('x,y\n5,6\n');
    writeCached();
    writeFileSync(join(cacheDir(), 'weights.bin'), 'retrained');
    expect(await saveCache(paths(), key)).toMatchObject({ saved: true });

    rmSync(cacheDir(), { recursive: true });
    expect(await restoreCache(paths(), key, restoreKeys)).toEqual({
      hit: 'exact',
      matchedKey: key,
    });
    expect(readFileSync(join(cacheDir(), 'weights.bin'), 'utf8')).toBe('retrained');
  });

  it('turns a key the cache refuses into a ModelshipError naming cache-key', async () => {
    await expect(restoreCache(paths(), 'a,b')).rejects.toThrow(ModelshipError);
    await expect(restoreCache(paths(), 'a,b')).rejects.toThrow(/cache-key "a,b".*commas/);
  });

  it('saves nothing, with a reason, when no cache path exists', async () => {
    const saved = await saveCache([join(workspace, 'no-such-dir')], 'modelship-nothing');
    expect(saved).toMatchObject({ saved: false, reason: expect.stringContaining('none of') });
  });

  it('keeps the job going when the cache service is down: a warning, a miss, no save', async () => {
    const url = process.env.ACTIONS_RESULTS_URL;
    // A port nothing listens on: connection refused, which the client does not retry.
    process.env.ACTIONS_RESULTS_URL = 'http://127.0.0.1:9/';
    try {
      const warningsBefore = log.warnings().length;
      const { key, restoreKeys } = await keyFor('x,y\n1,2\n');
      expect(await restoreCache(paths(), key, restoreKeys)).toEqual({ hit: 'miss' });
      expect(log.warnings().length).toBeGreaterThan(warningsBefore);
      expect(log.warnings().at(-1)).toMatch(/Failed to restore/);

      const saved = await saveCache(paths(), `${key}-other`);
      expect(saved.saved).toBe(false);
    } finally {
      process.env.ACTIONS_RESULTS_URL = url;
    }
  });

  it('saw only well-formed requests', () => {
    expect(service.violations).toEqual([]);
  });
});

describe('without a cache service', () => {
  it('restores nothing and saves nothing, with a warning', async () => {
    const url = process.env.ACTIONS_RESULTS_URL;
    delete process.env.ACTIONS_RESULTS_URL;
    try {
      expect(await restoreCache([cacheDir()], 'modelship-k')).toEqual({ hit: 'miss' });
      expect(log.warnings().at(-1)).toMatch(/not available/);
      expect(await saveCache([cacheDir()], 'modelship-k')).toMatchObject({
        saved: false,
        reason: expect.stringContaining('not available'),
      });
    } finally {
      process.env.ACTIONS_RESULTS_URL = url;
    }
  });
});
