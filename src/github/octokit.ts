import { Octokit } from '@octokit/core';
import { paginateRest } from '@octokit/plugin-paginate-rest';
import { restEndpointMethods } from '@octokit/plugin-rest-endpoint-methods';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { ModelshipError } from '../core/errors.js';

/**
 * The plugins themselves, not only their options: without `throttling` in this list a secondary
 * rate limit (403 + retry-after) fails the job, and without `retry` so does a passing 502.
 */
export const ModelshipOctokit = Octokit.plugin(
  retry,
  throttling,
  paginateRest,
  restEndpointMethods,
);

/** The Octokit every adapter in src/github/ takes. */
export type GitHubClient = InstanceType<typeof ModelshipOctokit>;

/** What the throttling plugin reports before it waits, so a caller can log it as a warning. */
export interface RateLimitEvent {
  kind: 'primary' | 'secondary';
  method: string;
  url: string;
  retryAfterSeconds: number;
  retryCount: number;
  willRetry: boolean;
}

export interface CreateOctokitOptions {
  /** Masking is the caller's job (`core.setSecret`) before this is called. */
  token: string;
  /** `GITHUB_API_URL`; GitHub Enterprise Server answers elsewhere than api.github.com. */
  baseUrl?: string;
  userAgent?: string;
  /** Retries of a 5xx and of a secondary rate limit, each (default 3). */
  retries?: number;
  /**
   * Milliseconds per unit of retry-after and of backoff (default 1000: retry-after is in seconds).
   * Tests against a local fake pass 1 so that waits take milliseconds.
   */
  retryAfterBaseMs?: number;
  /** A primary rate limit that resets later than this is not waited for (default 60 seconds). */
  maxRateLimitWaitSeconds?: number;
  /**
   * GitHub asks integrators to leave a second between writes to avoid secondary rate limits and
   * the throttling plugin does so (default true). A local fake has no such limit.
   */
  paceWrites?: boolean;
  onRateLimit?: (event: RateLimitEvent) => void;
  log?: { debug: LogFn; info: LogFn; warn: LogFn; error: LogFn };
}

type LogFn = (message: string) => unknown;

/** Statuses the retry plugin leaves alone: client errors, and 429, which throttling owns. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 429, 451];

/** An Octokit with retry, throttling, pagination and the REST methods, configured for Actions. */
export function createOctokit(options: CreateOctokitOptions): GitHubClient {
  if (!options.token) {
    throw new ModelshipError(
      'Creating the GitHub client needs a token: pass `github-token` (default `${{ github.token }}`) or set GITHUB_TOKEN.',
    );
  }
  const retries = options.retries ?? 3;
  const base = options.retryAfterBaseMs ?? 1000;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const report = (
    kind: RateLimitEvent['kind'],
    retryAfterSeconds: number,
    request: { method: string; url: string },
    retryCount: number,
    willRetry: boolean,
  ): boolean => {
    options.onRateLimit?.({
      kind,
      method: request.method,
      url: request.url,
      retryAfterSeconds,
      retryCount,
      willRetry,
    });
    return willRetry;
  };
  return new ModelshipOctokit({
    auth: options.token,
    ...(options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, '') } : {}),
    userAgent: options.userAgent ?? 'modelship',
    ...(options.log ? { log: options.log } : {}),
    retry: { retries, retryAfterBaseValue: base, doNotRetry: DO_NOT_RETRY },
    throttle: {
      retryAfterBaseValue: base,
      onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) =>
        report('secondary', retryAfter, request, retryCount, retryCount < retries),
      onRateLimit: (retryAfter, request, _octokit, retryCount) =>
        report('primary', retryAfter, request, retryCount, retryCount < 1 && retryAfter <= maxWait),
      ...(options.paceWrites === false ? unpacedGroups() : {}),
    },
  });
}

/**
 * Stand-ins for the plugin's write and notification limiters (Bottleneck groups spacing writes
 * 1 s and 3 s apart) that run each job at once. The plugin only calls `key(id).schedule(opts, fn)`.
 */
function unpacedGroups(): Record<'write' | 'notifications', never> {
  const immediate = {
    schedule: (_options: unknown, job: () => Promise<unknown>) => job(),
  };
  const group = { key: () => immediate };
  return { write: group as never, notifications: group as never };
}
