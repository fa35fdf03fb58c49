import { ModelshipError } from '../core/errors.js';

/** A write the token may not make (fork PR, missing permission): the caller degrades and says so. */
export interface SkippedWrite {
  skipped: true;
  reason: string;
}

/** A 403 turned into a sentence naming the call and the permission it needs. */
export class GitHubPermissionError extends ModelshipError {
  constructor(
    message: string,
    readonly call: string,
  ) {
    super(message);
  }
}

/** The HTTP status of an Octokit request error, if that is what was thrown. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** GitHub's own message from an error response, without the documentation link Octokit appends. */
function gitHubMessageOf(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | undefined)?.response?.data;
  if (typeof data === 'object' && data !== null && 'message' in data) {
    const message = String((data as { message: unknown }).message);
    const errors = (data as { errors?: unknown }).errors;
    const details = Array.isArray(errors)
      ? errors
          .map((e) => (typeof e === 'object' && e && 'message' in e ? String(e.message) : ''))
          .filter(Boolean)
      : [];
    return [message.split('\n')[0], ...details].join(': ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** A 403/429 that is a rate limit (primary or secondary), not a missing permission. */
function isRateLimit(error: unknown, detail: string): boolean {
  const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers;
  return /rate limit/i.test(detail) || headers?.['x-ratelimit-remaining'] === '0';
}

/**
 * No HTTP answer at all (refused, DNS, TLS, a port fetch forbids): Octokit reports these as a 500
 * without a response, which would otherwise read as GitHub failing.
 */
function isUnreachable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && !(error as { response?: unknown }).response;
}

export interface CallDescription {
  /** The REST call as a user would look it up, e.g. `POST /repos/o/r/issues/7/comments`. */
  call: string;
  /** What a 403 means for this call, completing "the token lacks …". */
  permission: string;
}

/** One user-facing sentence for a failed GitHub call: what failed and what to do about it. */
export function explainRequestError(error: unknown, { call, permission }: CallDescription): Error {
  const status = httpStatusOf(error);
  const detail = gitHubMessageOf(error).replace(/\.$/, '');
  if ((status === 403 || status === 429) && isRateLimit(error, detail)) {
    return new ModelshipError(
      `GitHub rate-limited ${call} (${status}) beyond the retries: wait a few minutes and re-run the job, or spread the jobs that share this token.`,
    );
  }
  if (status === 500 && isUnreachable(error)) {
    return new ModelshipError(
      `Could not reach GitHub for ${call} (${detail}) after retries: check the runner's network and proxy settings and that GITHUB_API_URL names a GitHub API, then re-run the job.`,
    );
  }
  switch (status) {
    case undefined:
      return error instanceof Error ? error : new Error(String(error));
    case 401:
      return new ModelshipError(
        `GitHub rejected the token on ${call} (401 ${detail}): pass a valid \`github-token\`.`,
      );
    case 403:
      return new GitHubPermissionError(
        `GitHub refused ${call} (403 ${detail}): the token lacks ${permission}.`,
        call,
      );
    case 404:
      return new ModelshipError(
        `GitHub found nothing at ${call} (404): check the repository and number, and that the token can read the repository.`,
      );
    case 422:
      return new ModelshipError(`GitHub rejected ${call} as invalid (422 ${detail}).`);
    default:
      return new ModelshipError(
        `GitHub failed on ${call} (${status} ${detail}) after retries: re-run the job, and check https://www.githubstatus.com if it persists.`,
      );
  }
}

/** Runs a write; a 403 becomes `{ skipped, reason }`, anything else a ModelshipError. */
export async function writeOrSkip<T>(
  description: CallDescription,
  write: () => Promise<T>,
): Promise<T | SkippedWrite> {
  try {
    return await write();
  } catch (error) {
    const explained = explainRequestError(error, description);
    if (explained instanceof GitHubPermissionError) {
      return { skipped: true, reason: explained.message };
    }
    throw explained;
  }
}
