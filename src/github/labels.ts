/** Repository labels that Modelship files its issues under, created on first use. */
import type { GitHubClient } from './octokit.js';
import { explainRequestError, httpStatusOf } from './requestError.js';

export interface LabelSpec {
  name: string;
  /** Six hex digits, without `#`. */
  color: string;
  description: string;
}

/** The label drift issues carry; the drift issue is found by it (and by its marker). */
export const DRIFT_LABEL: LabelSpec = {
  name: 'modelship:drift',
  color: 'd93f0b',
  description: 'Modelship found data drift against the production model',
};

const PERMISSION = '`issues: write` (labels are created with the issues permission)';

/**
 * Makes sure the label exists: GET, and POST when it is missing. A 422 `already_exists` (another
 * job created it between the two calls) counts as success. Returns whether this call created it.
 */
export async function ensureLabel(
  octokit: GitHubClient,
  repository: { owner: string; repo: string },
  label: LabelSpec,
): Promise<'created' | 'exists'> {
  const { owner, repo } = repository;
  try {
    await octokit.rest.issues.getLabel({ owner, repo, name: label.name });
    return 'exists';
  } catch (error) {
    if (httpStatusOf(error) !== 404) {
      const call = `GET /repos/${owner}/${repo}/labels/${label.name}`;
      throw explainRequestError(error, { call, permission: '`issues: read`' });
    }
  }
  try {
    await octokit.rest.issues.createLabel({ owner, repo, ...label });
    return 'created';
  } catch (error) {
    if (httpStatusOf(error) === 422 && isAlreadyExists(error)) return 'exists';
    const call = `POST /repos/${owner}/${repo}/labels`;
    throw explainRequestError(error, { call, permission: PERMISSION });
  }
}

function isAlreadyExists(error: unknown): boolean {
  const errors = (error as { response?: { data?: { errors?: unknown } } }).response?.data?.errors;
  return (
    Array.isArray(errors) &&
    errors.some(
      (e) => typeof e === 'object' && e !== null && 'code' in e && e.code === 'already_exists',
    )
  );
}
