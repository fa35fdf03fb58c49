/**
 * A GitHub release as the REST API returns it, and as Modelship reads it: a model version whose
 * tag is `<model>-v<semver>`, with its assets.
 */
import { parseModelTag, type ModelVersion } from '../../core/release/modelVersion.js';
import type { GitHubClient } from '../octokit.js';
import { explainRequestError } from '../requestError.js';

/** The repository that holds the releases, and a client for it. */
export interface ReleaseRepository {
  octokit: GitHubClient;
  owner: string;
  repo: string;
}

export interface ApiAsset {
  id: number | bigint;
  name: string;
  size: number;
  state: string;
  /** `sha256:<hex>` where GitHub computed one. */
  digest?: string | null;
}

export interface ApiRelease {
  id: number | bigint;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  html_url: string;
  upload_url: string;
  assets: ApiAsset[];
}

export interface ReleaseAsset {
  id: number;
  name: string;
  size: number;
  /** `sha256:<hex>` where GitHub computed one, else null. */
  digest: string | null;
}

export interface ModelRelease extends ModelVersion {
  id: number;
  tag: string;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  publishedAt: string | null;
  htmlUrl: string;
  assets: ReleaseAsset[];
}

export const READ_PERMISSION = '`contents: read` on the repository that holds the releases';
export const WRITE_PERMISSION =
  '`contents: write` on the repository that holds the releases (publish-model needs it)';

/** The hex SHA-256 GitHub computed for an asset, or null where it has none. */
export function apiDigest(asset: { digest?: string | null }): string | null {
  return asset.digest?.replace(/^sha256:/, '').toLowerCase() || null;
}

/** Every release of the repository, drafts included where the token may push. */
export async function listApiReleases(
  { octokit, owner, repo }: ReleaseRepository,
  permission = READ_PERMISSION,
): Promise<ApiRelease[]> {
  try {
    return await octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 });
  } catch (error) {
    throw explainRequestError(error, { call: `GET /repos/${owner}/${repo}/releases`, permission });
  }
}

/** The model release of an API release, or undefined when its tag is not a model version's. */
export function toModelRelease(release: ApiRelease): ModelRelease | undefined {
  const version = parseModelTag(release.tag_name);
  if (!version) return undefined;
  return {
    ...version,
    id: Number(release.id),
    tag: release.tag_name,
    draft: release.draft,
    prerelease: release.prerelease,
    createdAt: release.created_at,
    publishedAt: release.published_at,
    htmlUrl: release.html_url,
    assets: release.assets.map((a) => ({
      id: Number(a.id),
      name: a.name,
      size: a.size,
      digest: a.digest ?? null,
    })),
  };
}
