/**
 * The model registry is GitHub Releases: a version is a release tagged `<model>-v<semver>`. One
 * registry per repository lists versions, resolves what a user named (resolve.ts) and downloads
 * verified assets (download.ts).
 */
import { ModelshipError } from '../../core/errors.js';
import {
  compareVersions,
  parseModelTag,
  versionOfModel,
  type ReleaseQuery,
} from '../../core/release/modelVersion.js';
import { explainRequestError, httpStatusOf } from '../requestError.js';
import {
  listApiReleases,
  READ_PERMISSION,
  toModelRelease,
  type ApiRelease,
  type ModelRelease,
  type ReleaseRepository,
} from './apiRelease.js';
import { downloadAssets, type DownloadedAsset } from './download.js';
import { resolveRelease, type Resolution, type ResolveOptions } from './resolve.js';

/** Newest first: higher version, then later creation. */
function newestFirst(a: ModelRelease, b: ModelRelease): number {
  return compareVersions(b, a) || b.createdAt.localeCompare(a.createdAt);
}

/**
 * The registry of one repository's releases. The release list is read once per registry: make a
 * new one to see releases published since.
 */
export class ModelRegistry {
  private releases: Promise<ApiRelease[]> | undefined;

  constructor(readonly repository: ReleaseRepository) {}

  private all(): Promise<ApiRelease[]> {
    this.releases ??= listApiReleases(this.repository);
    return this.releases;
  }

  /** `owner/repo`. */
  get name(): string {
    return `${this.repository.owner}/${this.repository.repo}`;
  }

  /** Every version of `model`, newest first (drafts and prereleases included, flagged). */
  async list(model: string): Promise<ModelRelease[]> {
    return (await this.all())
      .flatMap((api) => {
        const release = versionOfModel(api.tag_name, model) ? toModelRelease(api) : undefined;
        return release ? [release] : [];
      })
      .sort(newestFirst);
  }

  /** Names of every model with a release, sorted. */
  async models(): Promise<string[]> {
    const names = new Set<string>();
    for (const api of await this.all()) {
      const model = parseModelTag(api.tag_name)?.model;
      if (model) names.add(model);
    }
    return [...names].sort();
  }

  /** The newest non-draft, non-prerelease version, or undefined before the first release. */
  async newest(
    model: string,
    skip: ReadonlySet<string> = new Set(),
  ): Promise<ModelRelease | undefined> {
    return (await this.list(model)).find((r) => !r.draft && !r.prerelease && !skip.has(r.tag));
  }

  /** The release with this tag, or undefined. */
  async byTag(tag: string): Promise<ModelRelease | undefined> {
    if (!parseModelTag(tag)) {
      throw new ModelshipError(
        `"${tag}" is not a model release tag: expected <model>-v<major>.<minor>.<patch>, e.g. credit-risk-v1.2.0.`,
      );
    }
    const { octokit, owner, repo } = this.repository;
    try {
      const { data } = await octokit.rest.repos.getReleaseByTag({ owner, repo, tag });
      return toModelRelease(data);
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      const call = `GET /repos/${owner}/${repo}/releases/tags/${tag}`;
      throw explainRequestError(error, { call, permission: READ_PERMISSION });
    }
  }

  /** The release a query names for `model`, or undefined with the reason. */
  resolve(query: ReleaseQuery, model: string, options: ResolveOptions = {}): Promise<Resolution> {
    return resolveRelease(this, query, model, options);
  }

  /** The named assets of a release in `dir`, each verified against its SHA256SUMS. */
  download(
    release: ModelRelease,
    names: readonly string[],
    dir: string,
  ): Promise<DownloadedAsset[]> {
    return downloadAssets(this.repository, release, names, dir);
  }
}
