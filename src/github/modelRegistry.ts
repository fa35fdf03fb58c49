/**
 * The model registry is GitHub Releases: a version is a release tagged `<model>-v<semver>`, and
 * production is the newest non-draft, non-prerelease one. Downloads that feed a decision (the
 * evaluate baseline) are verified against the release's SHA256SUMS, with no fallback.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ModelshipError } from '../core/errors.js';
import { BUNDLE_FILES } from '../core/release/bundleFiles.js';
import { compareVersions, parseModelTag, versionOfModel, type ModelVersion } from './modelTag.js';
import type { GitHubClient } from './octokit.js';
import { explainRequestError, httpStatusOf } from './requestError.js';
import { parseSha256Sums, SHA256SUMS } from './sha256sums.js';

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

export interface DownloadedAsset {
  path: string;
  sha256: string;
  size: number;
}

/** Model versions and their files; `GitHubModelRegistry` reads them from GitHub Releases. */
export interface ModelRegistry {
  /** Every version of `model`, newest first (drafts and prereleases included, flagged). */
  listVersions(model: string): Promise<ModelRelease[]>;
  /** The newest non-draft, non-prerelease version, or undefined before the first release. */
  production(model: string): Promise<ModelRelease | undefined>;
  /** The release with this tag, or undefined. */
  byTag(tag: string): Promise<ModelRelease | undefined>;
  /** Downloads one asset of the release to `destPath`. */
  downloadAsset(release: ModelRelease, name: string, destPath: string): Promise<DownloadedAsset>;
  /** Downloads one asset and refuses it unless SHA256SUMS of the release lists its digest. */
  downloadVerified(release: ModelRelease, name: string, destPath: string): Promise<DownloadedAsset>;
}

interface ApiRelease {
  id: number | bigint;
  tag_name: string;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  published_at: string | null;
  html_url: string;
  assets: { id: number | bigint; name: string; size: number; digest?: string | null }[];
}

/** Newest first: higher version, then later creation. */
function newestFirst(a: ModelRelease, b: ModelRelease): number {
  return compareVersions(b, a) || b.createdAt.localeCompare(a.createdAt);
}

const READ_PERMISSION = '`contents: read` on the repository that holds the releases';

/** `ModelRegistry` over the releases of one GitHub repository. */
export class GitHubModelRegistry implements ModelRegistry {
  constructor(
    private readonly octokit: GitHubClient,
    private readonly repository: { owner: string; repo: string },
  ) {}

  async listVersions(model: string): Promise<ModelRelease[]> {
    const { owner, repo } = this.repository;
    let releases: ApiRelease[];
    try {
      releases = await this.octokit.paginate(this.octokit.rest.repos.listReleases, {
        owner,
        repo,
        per_page: 100,
      });
    } catch (error) {
      const call = `GET /repos/${owner}/${repo}/releases`;
      throw explainRequestError(error, { call, permission: READ_PERMISSION });
    }
    return releases
      .flatMap((release) => {
        const version = versionOfModel(release.tag_name, model);
        return version ? [toModelRelease(release, version)] : [];
      })
      .sort(newestFirst);
  }

  async production(model: string): Promise<ModelRelease | undefined> {
    const versions = await this.listVersions(model);
    return versions.find((release) => !release.draft && !release.prerelease);
  }

  async byTag(tag: string): Promise<ModelRelease | undefined> {
    const version = parseModelTag(tag);
    if (!version) {
      throw new ModelshipError(
        `"${tag}" is not a model release tag: expected <model>-v<major>.<minor>.<patch>, e.g. credit-risk-v1.2.0.`,
      );
    }
    const { owner, repo } = this.repository;
    try {
      const { data } = await this.octokit.rest.repos.getReleaseByTag({ owner, repo, tag });
      return toModelRelease(data, version);
    } catch (error) {
      if (httpStatusOf(error) === 404) return undefined;
      const call = `GET /repos/${owner}/${repo}/releases/tags/${tag}`;
      throw explainRequestError(error, { call, permission: READ_PERMISSION });
    }
  }

  async downloadAsset(
    release: ModelRelease,
    name: string,
    destPath: string,
  ): Promise<DownloadedAsset> {
    const asset = this.assetOf(release, name);
    const partial = await this.download(asset, destPath);
    await rename(partial.path, destPath);
    return { ...partial, path: destPath };
  }

  async downloadVerified(
    release: ModelRelease,
    name: string,
    destPath: string,
  ): Promise<DownloadedAsset> {
    const asset = this.assetOf(release, name);
    const sums = release.assets.find((a) => a.name === SHA256SUMS);
    if (!sums) {
      throw new ModelshipError(
        `Release ${release.tag} has no ${SHA256SUMS} asset, so ${name} cannot be verified: republish the model with publish-model, which uploads one.`,
      );
    }
    const expected = await this.expectedDigest(release, sums, name);
    const apiDigest = asset.digest?.replace(/^sha256:/, '').toLowerCase();
    if (apiDigest && apiDigest !== expected) {
      throw new ModelshipError(
        `${name} of release ${release.tag} has SHA-256 ${apiDigest} on GitHub but ${expected} in ${SHA256SUMS}: the release was altered after publishing; do not use it, and republish the model.`,
      );
    }
    const partial = await this.download(asset, destPath);
    if (partial.sha256 !== expected) {
      await rm(partial.path, { force: true });
      throw new ModelshipError(
        `${name} of release ${release.tag} has SHA-256 ${partial.sha256}, but ${SHA256SUMS} says ${expected}: the asset was altered after publishing; do not use it, and republish the model.`,
      );
    }
    await rename(partial.path, destPath);
    return { ...partial, path: destPath };
  }

  private assetOf(release: ModelRelease, name: string): ReleaseAsset {
    const asset = release.assets.find((a) => a.name === name);
    if (!asset) {
      const names = release.assets.map((a) => a.name).join(', ') || 'none';
      throw new ModelshipError(
        `Release ${release.tag} has no asset named ${name} (assets: ${names}): publish the model with publish-model, or pick another version.`,
      );
    }
    return asset;
  }

  private async expectedDigest(
    release: ModelRelease,
    sums: ReleaseAsset,
    name: string,
  ): Promise<string> {
    if (sums.size > 1_048_576) {
      throw new ModelshipError(
        `${SHA256SUMS} of release ${release.tag} is ${sums.size} bytes, too large for a checksum list: republish the model.`,
      );
    }
    const source = `${SHA256SUMS} of release ${release.tag}`;
    const body = await this.fetchAsset(sums);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
    const expected = parseSha256Sums(Buffer.concat(chunks).toString('utf8'), source).get(name);
    if (!expected) {
      throw new ModelshipError(
        `${source} does not list ${name}, so it cannot be verified: republish the model with publish-model.`,
      );
    }
    return expected;
  }

  /** The asset's bytes as a stream; GitHub answers with a redirect to storage, which fetch follows. */
  private async fetchAsset(asset: ReleaseAsset): Promise<Readable> {
    const { owner, repo } = this.repository;
    try {
      const response = await this.octokit.rest.repos.getReleaseAsset({
        owner,
        repo,
        asset_id: asset.id,
        headers: { accept: 'application/octet-stream' },
        request: { parseSuccessResponseBody: false },
      });
      const body = response.data as unknown as WebReadableStream<Uint8Array> | null;
      return body ? Readable.fromWeb(body) : Readable.from([]);
    } catch (error) {
      const call = `GET /repos/${owner}/${repo}/releases/assets/${asset.id}`;
      throw explainRequestError(error, { call, permission: READ_PERMISSION });
    }
  }

  /** Streams the asset into a file beside `destPath`, hashing as it goes; renaming is the caller's. */
  private async download(asset: ReleaseAsset, destPath: string): Promise<DownloadedAsset> {
    await mkdir(dirname(destPath), { recursive: true });
    const partPath = `${destPath}.${randomBytes(4).toString('hex')}.part`;
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(await this.fetchAsset(asset), measure, createWriteStream(partPath));
    } catch (error) {
      await rm(partPath, { force: true });
      throw error;
    }
    if (size !== asset.size) {
      await rm(partPath, { force: true });
      throw new ModelshipError(
        `Downloading ${asset.name} gave ${size} bytes where GitHub lists ${asset.size}: re-run the job.`,
      );
    }
    return { path: partPath, sha256: hash.digest('hex'), size };
  }
}

/** A release's model and, where the release carries it, its resolved modelship.yml. */
export interface ReleaseModelFiles {
  model: DownloadedAsset;
  /** The bundle's modelship.yml; undefined for a release published without one. */
  config: DownloadedAsset | undefined;
}

/**
 * Downloads a release's model.onnx and modelship.yml into `dir`, both verified against the
 * release's SHA256SUMS: what scoring the release's model on new rows needs.
 */
export async function downloadReleaseModel(
  registry: ModelRegistry,
  release: ModelRelease,
  dir: string,
): Promise<ReleaseModelFiles> {
  const get = (name: string) => registry.downloadVerified(release, name, join(dir, name));
  const model = await get(BUNDLE_FILES.model);
  const hasConfig = release.assets.some((a) => a.name === BUNDLE_FILES.config);
  return { model, config: hasConfig ? await get(BUNDLE_FILES.config) : undefined };
}

function toModelRelease(release: ApiRelease, version: ModelVersion): ModelRelease {
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
