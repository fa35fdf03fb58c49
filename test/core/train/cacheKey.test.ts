import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import { cacheKeyPrefix, computeCacheKey } from '../../../src/core/train/cacheKey.js';
import { useTempDir } from '../../support/tempDir.js';

const base = useTempDir();
let count = 0;

/** A fresh project directory holding `files` (path → text). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(base, `p${count++}-`));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const FILES = {
  'package-lock.json': '{"lockfileVersion":3}\n',
  'requirements.txt': 'numpy==2.1.0\n',
  'train.py': 'print("train")\n',
  'data/train.csv': 'x,y\n1,0\n2,1\n',
  'data/holdout.csv': 'x,y\n3,1\n',
};
const INPUTS = ['package-lock.json', 'requirements.txt', 'train.py', 'data/train.csv'];
const PREFIX = 'modelship-train-churn-Linux';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('computeCacheKey', () => {
  it('is <prefix>-<16 hex>, with the prefix and a dash as restore key', async () => {
    const root = project(FILES);
    const result = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root });
    expect(result.key).toMatch(/^modelship-train-churn-Linux-[0-9a-f]{16}$/);
    expect(result.restoreKeys).toEqual(['modelship-train-churn-Linux-']);
    expect(result.key.startsWith(result.restoreKeys[0]!)).toBe(true);
    expect(result.missing).toEqual([]);
    expect(result.files.map((file) => file.path)).toEqual([
      'data/train.csv',
      'package-lock.json',
      'requirements.txt',
      'train.py',
    ]);
    expect(result.files[0]).toEqual({
      path: 'data/train.csv',
      sha256: sha256(FILES['data/train.csv']),
      size: FILES['data/train.csv'].length,
    });
  });

  it('is deterministic: same contents in another directory, any order, repeats', async () => {
    const a = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root: project(FILES) });
    const rootB = project(FILES);
    const b = await computeCacheKey({
      prefix: PREFIX,
      files: [...INPUTS].reverse().concat(join(rootB, 'train.py')),
      root: rootB,
    });
    expect(b.key).toBe(a.key);
  });

  it('changes when a data file changes by one byte, or is renamed', async () => {
    const before = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root: project(FILES) });
    const changed = project({ ...FILES, 'data/train.csv': 'x,y\n1,0\n2,0\n' });
    const after = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root: changed });
    expect(after.key).not.toBe(before.key);
    expect(after.restoreKeys).toEqual(before.restoreKeys);

    const { 'data/train.csv': text, ...rest } = FILES;
    const renamed = project({ ...rest, 'data/train2.csv': text });
    const files = INPUTS.map((file) => file.replace('train.csv', 'train2.csv'));
    expect((await computeCacheKey({ prefix: PREFIX, files, root: renamed })).key).not.toBe(
      before.key,
    );
  });

  it('changes with the extra text', async () => {
    const root = project(FILES);
    const a = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root, extra: 'python t.py' });
    const b = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root, extra: 'python u.py' });
    const none = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root });
    expect(new Set([a.key, b.key, none.key]).size).toBe(3);
  });

  it('skips missing files and names them', async () => {
    const root = project(FILES);
    mkdirSync(join(root, 'empty-dir'));
    const all = await computeCacheKey({ prefix: PREFIX, files: INPUTS, root });
    const withMissing = await computeCacheKey({
      prefix: PREFIX,
      files: [...INPUTS, 'poetry.lock', 'data/*.parquet', 'empty-dir'],
      root,
    });
    expect(withMissing.missing).toEqual(['poetry.lock', 'data/*.parquet', 'empty-dir']);
    expect(withMissing.key).toBe(all.key);
  });

  it('expands directories and globs, skipping dot directories for `*` and `**`', async () => {
    const root = project({
      ...FILES,
      'data/nested/part-1.csv': 'a\n',
      'data/.hidden/part-2.csv': 'b\n',
      'data/notes.txt': 'n\n',
    });
    const dir = await computeCacheKey({ prefix: PREFIX, files: ['data'], root });
    expect(dir.files.map((file) => file.path)).toEqual([
      'data/.hidden/part-2.csv',
      'data/holdout.csv',
      'data/nested/part-1.csv',
      'data/notes.txt',
      'data/train.csv',
    ]);
    const star = await computeCacheKey({ prefix: PREFIX, files: ['data/*.csv'], root });
    expect(star.files.map((file) => file.path)).toEqual(['data/holdout.csv', 'data/train.csv']);
    const globstar = await computeCacheKey({ prefix: PREFIX, files: ['**/*.csv'], root });
    expect(globstar.files.map((file) => file.path)).toEqual([
      'data/holdout.csv',
      'data/nested/part-1.csv',
      'data/train.csv',
    ]);
    const classes = await computeCacheKey({ prefix: PREFIX, files: ['data/[ht]?*.csv'], root });
    expect(classes.files.map((file) => file.path)).toEqual(['data/holdout.csv', 'data/train.csv']);
    const dotted = await computeCacheKey({ prefix: PREFIX, files: ['data/.hidden/*'], root });
    expect(dotted.files.map((file) => file.path)).toEqual(['data/.hidden/part-2.csv']);
  });

  it('refuses a prefix the Actions cache cannot hold', async () => {
    const root = project(FILES);
    await expect(computeCacheKey({ prefix: 'a,b', files: [], root })).rejects.toThrow(
      ModelshipError,
    );
    await expect(computeCacheKey({ prefix: 'x'.repeat(500), files: [], root })).rejects.toThrow(
      /too long/,
    );
  });
});

describe('cacheKeyPrefix', () => {
  it('is modelship-train-<model>-<os> with unsafe characters made dashes', () => {
    expect(cacheKeyPrefix('churn', 'Linux')).toBe('modelship-train-churn-Linux');
    expect(cacheKeyPrefix('my model, v2', 'linux/x64')).toBe(
      'modelship-train-my-model-v2-linux-x64',
    );
  });
});
