/**
 * The train action's cache: thin wrappers over @actions/cache that say what happened instead of
 * returning `undefined` or `-1`. Caching is best-effort: a cache service that is down or refuses
 * an entry is a warning in the log (written by @actions/cache itself) and a miss or an unsaved
 * entry here, never a failed job. Only a key the service can never accept (a comma, over 512
 * characters, more than 10 keys) throws, as a ModelshipError naming `cache-key`.
 */
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { ModelshipError, messageOf } from '../../core/errors.js';

/** `exact`: the primary key matched; `prefix`: a restore key (or the key as a prefix) matched. */
export type CacheHit = 'exact' | 'prefix' | 'miss';

export interface CacheRestoreResult {
  hit: CacheHit;
  /** The key of the entry restored; absent on a miss. */
  matchedKey?: string;
}

export type CacheSaveResult =
  { saved: true; key: string; cacheId: number } | { saved: false; key: string; reason: string };

const UNAVAILABLE =
  'the Actions cache service is not available to this job (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL is not set)';

/**
 * Restores `paths` from the entry for `key`, else from the newest entry whose key starts with
 * one of `restoreKeys` (tried in order). Entries are only found for the same `paths` (the cache
 * service scopes entries by a version computed from them). A service failure is a warning and
 * a miss.
 */
export async function restoreCache(
  paths: readonly string[],
  key: string,
  restoreKeys: readonly string[] = [],
): Promise<CacheRestoreResult> {
  if (!cache.isFeatureAvailable()) {
    core.warning(`Cache not restored: ${UNAVAILABLE}.`);
    return { hit: 'miss' };
  }
  let matchedKey: string | undefined;
  try {
    matchedKey = await cache.restoreCache([...paths], key, [...restoreKeys]);
  } catch (error) {
    if (error instanceof cache.ValidationError) throw invalidKey(key, error);
    // @actions/cache warns and returns undefined for service errors; anything else that escapes
    // it is treated the same way.
    core.warning(`Cache not restored: ${messageOf(error)}`);
    return { hit: 'miss' };
  }
  if (matchedKey === undefined) return { hit: 'miss' };
  return { hit: matchedKey === key ? 'exact' : 'prefix', matchedKey };
}

/**
 * Saves `paths` under `key`. Cache entries are immutable: saving a key that already exists (an
 * earlier run, or another job of this run, saved it first) is `{ saved: false }` with a reason
 * saying so, not an error. Skip the save after an exact hit: the entry is already there.
 */
export async function saveCache(paths: readonly string[], key: string): Promise<CacheSaveResult> {
  if (!cache.isFeatureAvailable()) return { saved: false, key, reason: UNAVAILABLE };
  let cacheId: number;
  try {
    cacheId = await cache.saveCache([...paths], key);
  } catch (error) {
    if (error instanceof cache.ValidationError) throw invalidKey(key, error);
    if (error instanceof cache.ReserveCacheError) {
      return { saved: false, key, reason: await reserveFailure(paths, key, error) };
    }
    const message = messageOf(error);
    const reason = message.includes('Path Validation Error')
      ? `none of the cache paths exist (${paths.join(', ')})`
      : message;
    core.warning(`Cache not saved: ${reason}`);
    return { saved: false, key, reason };
  }
  if (cacheId >= 0) return { saved: true, key, cacheId };
  // @actions/cache logs why (a reservation conflict as info, other failures as warnings) and
  // returns -1; the one case worth naming is an entry that already exists under this key.
  return {
    saved: false,
    key,
    reason: await reserveFailure(
      paths,
      key,
      new Error('the cache service did not accept the entry; see the messages above'),
    ),
  };
}

/** A duplicate key when the service already holds an entry for it, else the error's message. */
async function reserveFailure(
  paths: readonly string[],
  key: string,
  error: Error,
): Promise<string> {
  let existing: string | undefined;
  try {
    existing = await cache.restoreCache([...paths], key, [], { lookupOnly: true });
  } catch {
    existing = undefined;
  }
  return existing === key
    ? `a cache entry with the key ${key} already exists, and entries cannot be overwritten`
    : error.message;
}

function invalidKey(key: string, error: Error): ModelshipError {
  return new ModelshipError(
    `cache-key "${key}" is not a valid Actions cache key: ${error.message.replace(/^.*?Error: /, '')}`,
  );
}
