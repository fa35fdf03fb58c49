import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import { cacheKeyPrefix, computeCacheKey, type CacheKey } from '../../core/train/cacheKey.js';

const LOCK_FILES = [
  'package-lock.json',
  'requirements.txt',
  'requirements-lock.txt',
  'poetry.lock',
  'uv.lock',
  'Pipfile.lock',
  'environment.yml',
  'conda-lock.yml',
];

/**
 * The default cache key: lock files, the training script (the command's first argument that names
 * a file) and the configured data files, hashed; the command itself goes in as text.
 */
export async function defaultTrainCacheKey(
  loaded: LoadedConfig,
  command: string,
  runnerOs: string,
): Promise<CacheKey> {
  const script = command
    .split(/\s+/)
    .slice(1)
    .find((word) => /\.[A-Za-z0-9]+$/.test(word) && existsSync(join(loaded.dir, word)));
  const data = [
    loaded.config.data.train,
    loaded.config.data.eval,
    loaded.config.data.schema,
  ].filter((path): path is string => path !== undefined);
  return computeCacheKey({
    prefix: cacheKeyPrefix(loaded.config.model.name, runnerOs),
    root: loaded.dir,
    files: [
      ...LOCK_FILES.filter((f) => existsSync(join(loaded.dir, f))),
      ...(script ? [script] : []),
      ...data,
    ],
    extra: command,
  });
}
