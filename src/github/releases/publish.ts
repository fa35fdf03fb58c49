/**
 * Publishes a model version as a GitHub release, immutably and idempotently:
 *
 * - a new version becomes a draft first, gets every asset uploaded and verified (size, GitHub's
 *   digest, SHA256SUMS read back), and only then is published, so production never sees a
 *   release with missing files;
 * - a re-run after success finds the published release, checks it holds exactly this content
 *   and changes nothing (`unchanged`);
 * - a re-run after a failure finds the draft, deletes partial or different assets, uploads the
 *   missing ones and publishes it (`resumed`), never making a second release;
 * - a published release with the tag and other content is an error, and nothing is written:
 *   a published release is never edited, moved or deleted here.
 */
import { readFile } from 'node:fs/promises';
import { ModelshipError } from '../../core/errors.js';
import { sha256Hex } from '../../core/files/fileDigest.js';
import { parseSha256Sums, SHA256SUMS, sumsDifferences } from '../../core/release/checksums.js';
import { parseModelTag } from '../../core/release/modelVersion.js';
import type { GitHubClient } from '../octokit.js';
import { explainRequestError } from '../requestError.js';
import { listApiReleases, WRITE_PERMISSION, type ApiAsset, type ApiRelease } from './apiRelease.js';
import { readSumsAsset } from './download.js';
import {
  assetProblem,
  localAssets,
  type LocalAsset,
  type PublishAsset,
  type PublishedAsset,
} from './publishAssets.js';

export type { PublishAsset, PublishedAsset } from './publishAssets.js';

export interface PublishReleaseOptions {
  owner: string;
  repo: string;
  /** `<model>-v<major>.<minor>.<patch>`. */
  tag: string;
  /** The release title. */
  name: string;
  /** The release notes: the model card summary with the comparison table. */
  body: string;
  /**
   * The files to attach. A SHA256SUMS among them must list exactly the others with their
   * digests; without one, it is written from the files and uploaded last.
   */
  assets: PublishAsset[];
  /** Branch or commit the tag is created on when the release is published (default branch). */
  targetCommitish?: string;
}

export interface PublishResult {
  /** `published`: a new release; `resumed`: a draft of an earlier run, completed; `unchanged`. */
  action: 'published' | 'unchanged' | 'resumed';
  releaseId: number;
  /** The release page. */
  url: string;
  assets: PublishedAsset[];
}

/** Publishes `options.assets` as the release `options.tag`; safe to re-run. */
export async function publishRelease(
  octokit: GitHubClient,
  options: PublishReleaseOptions,
): Promise<PublishResult> {
  if (!parseModelTag(options.tag)) {
    throw new ModelshipError(
      `"${options.tag}" is not a model release tag: expected <model>-v<major>.<minor>.<patch>, e.g. credit-risk-v1.2.0.`,
    );
  }
  const local = await localAssets(options.assets);
  const client = new ReleaseClient(octokit, options);
  const existing = (await client.listReleases()).filter((r) => r.tag_name === options.tag);

  const published = existing.find((r) => !r.draft);
  if (published) {
    await client.checkPublished(published, local);
    return {
      action: 'unchanged',
      releaseId: Number(published.id),
      url: published.html_url,
      assets: local.map(publicView),
    };
  }

  // The oldest draft is the one an earlier run of this version left; others are left alone.
  const draft = existing.sort((a, b) => Number(a.id) - Number(b.id))[0];
  const release = draft ?? (await client.createDraft());
  await client.syncAssets(release, local);
  await client.verify(release, local);
  const final = await client.publish(release);
  return {
    action: draft ? 'resumed' : 'published',
    releaseId: Number(final.id),
    url: final.html_url,
    assets: local.map(publicView),
  };
}

function publicView({ name, size, sha256 }: LocalAsset): PublishedAsset {
  return { name, size, sha256 };
}

class ReleaseClient {
  constructor(
    private readonly octokit: GitHubClient,
    private readonly options: PublishReleaseOptions,
  ) {}

  private get path(): string {
    return `/repos/${this.options.owner}/${this.options.repo}`;
  }

  private async call<T>(call: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw explainRequestError(error, { call, permission: WRITE_PERMISSION });
    }
  }

  /** Every release, drafts included (GitHub lists drafts to tokens that may push). */
  listReleases(): Promise<ApiRelease[]> {
    const { owner, repo } = this.options;
    return listApiReleases({ octokit: this.octokit, owner, repo }, WRITE_PERMISSION);
  }

  async createDraft(): Promise<ApiRelease> {
    const { owner, repo, tag, name, body, targetCommitish } = this.options;
    const { data } = await this.call(`POST ${this.path}/releases`, () =>
      this.octokit.rest.repos.createRelease({
        owner,
        repo,
        tag_name: tag,
        name,
        body,
        draft: true,
        prerelease: false,
        ...(targetCommitish ? { target_commitish: targetCommitish } : {}),
      }),
    );
    return data;
  }

  /** Refuses a published release that does not hold exactly `local`; reads only. */
  async checkPublished(release: ApiRelease, local: LocalAsset[]): Promise<void> {
    const { tag } = this.options;
    const sums = release.assets.find((a) => a.name === SHA256SUMS);
    const ours = new Map(local.filter((a) => a.name !== SHA256SUMS).map((a) => [a.name, a.sha256]));
    if (!sums) {
      throw new ModelshipError(
        `Tag ${tag} already exists as a published release without ${SHA256SUMS}, so its content cannot be compared: bump the version (or set \`version\`) to publish this model; the existing release is left as it is.`,
      );
    }
    const theirs = parseSha256Sums(
      (await this.download(sums)).toString('utf8'),
      `${SHA256SUMS} of release ${tag}`,
    );
    const differences = sumsDifferences(ours, theirs);
    if (differences.length > 0) {
      throw new ModelshipError(
        `Tag ${tag} already exists with different content (${differences.slice(0, 3).join('; ')}): a published version never changes, so bump the version (or set \`version\`) and publish again; nothing was changed.`,
      );
    }
    // Same checksum list: the files themselves must still be what it lists.
    const altered: string[] = [];
    for (const asset of local) {
      const found = release.assets.find((a) => a.name === asset.name);
      const problem = found ? assetProblem(found, asset) : `${asset.name} is missing`;
      if (problem) altered.push(problem);
    }
    if (altered.length > 0) {
      throw new ModelshipError(
        `Release ${tag} lists this content in ${SHA256SUMS}, but its files were altered after publishing (${altered.join('; ')}): do not use it; publish this model as a new version; nothing was changed.`,
      );
    }
  }

  /** Makes the draft's assets exactly `local`: deletes strays and partial or different ones. */
  async syncAssets(release: ApiRelease, local: LocalAsset[]): Promise<void> {
    const { owner, repo } = this.options;
    const kept = new Set<string>();
    for (const asset of release.assets) {
      const ours = local.find((a) => a.name === asset.name);
      if (ours && !assetProblem(asset, ours)) {
        kept.add(asset.name);
        continue;
      }
      const id = Number(asset.id);
      await this.call(`DELETE ${this.path}/releases/assets/${id}`, () =>
        this.octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: id }),
      );
    }
    for (const asset of local) {
      if (!kept.has(asset.name)) await this.upload(release, asset);
    }
  }

  private async upload(release: ApiRelease, asset: LocalAsset): Promise<void> {
    const { owner, repo } = this.options;
    const id = Number(release.id);
    const data = 'bytes' in asset.source ? asset.source.bytes : await readFile(asset.source.path);
    if (data.length !== asset.size) {
      throw new ModelshipError(
        `${asset.name} changed while it was being published (${data.length} bytes, hashed ${asset.size}): re-run the job once nothing writes to it.`,
      );
    }
    const { data: uploaded } = await this.call(
      `POST ${uploadBase(release.upload_url)}${this.path}/releases/${id}/assets?name=${asset.name}`,
      () =>
        this.octokit.rest.repos.uploadReleaseAsset({
          owner,
          repo,
          release_id: id,
          name: asset.name,
          // Octokit sends a Buffer as is; its type only admits strings.
          data: data as unknown as string,
          baseUrl: uploadBase(release.upload_url),
          headers: { 'content-type': asset.contentType, 'content-length': data.length },
        }),
    );
    const problem = assetProblem(uploaded, asset);
    if (problem) {
      throw new ModelshipError(
        `GitHub stored ${problem} after uploading it to the draft release ${this.options.tag}: re-run the job, which replaces it.`,
      );
    }
  }

  /** Reads the draft back: exactly `local`'s assets, and SHA256SUMS byte for byte. */
  async verify(release: ApiRelease, local: LocalAsset[]): Promise<void> {
    const { owner, repo, tag } = this.options;
    const id = Number(release.id);
    const { data } = await this.call(`GET ${this.path}/releases/${id}`, () =>
      this.octokit.rest.repos.getRelease({ owner, repo, release_id: id }),
    );
    const problems: string[] = [];
    for (const asset of local) {
      const found = data.assets.find((a) => a.name === asset.name);
      const problem = found ? assetProblem(found, asset) : `${asset.name} is missing`;
      if (problem) problems.push(problem);
    }
    for (const asset of data.assets) {
      if (!local.some((a) => a.name === asset.name)) problems.push(`${asset.name} is extra`);
    }
    const sums = data.assets.find((a) => a.name === SHA256SUMS);
    const ourSums = local.find((a) => a.name === SHA256SUMS);
    if (sums && ourSums && problems.length === 0) {
      const bytes = await this.download(sums);
      const digest = sha256Hex(bytes);
      if (digest !== ourSums.sha256) problems.push(`${SHA256SUMS} reads back different`);
    }
    if (problems.length > 0) {
      throw new ModelshipError(
        `The draft release ${tag} does not hold what was uploaded (${problems.join('; ')}): it stays a draft; re-run the job to complete it.`,
      );
    }
  }

  async publish(release: ApiRelease): Promise<ApiRelease> {
    const { owner, repo, name, body, targetCommitish } = this.options;
    const id = Number(release.id);
    const { data } = await this.call(`PATCH ${this.path}/releases/${id}`, () =>
      this.octokit.rest.repos.updateRelease({
        owner,
        repo,
        release_id: id,
        name,
        body,
        draft: false,
        ...(targetCommitish ? { target_commitish: targetCommitish } : {}),
      }),
    );
    return data;
  }

  /** A SHA256SUMS asset's bytes. */
  private download(asset: ApiAsset): Promise<Buffer> {
    const { owner, repo, tag } = this.options;
    return readSumsAsset({ octokit: this.octokit, owner, repo }, { tag }, asset, WRITE_PERMISSION);
  }
}

/**
 * Where uploads go: `upload_url` without its `/repos/…/assets{?name,label}` tail, so
 * https://uploads.github.com on github.com and `https://HOST/api/uploads` on GitHub Enterprise.
 */
function uploadBase(uploadUrl: string): string {
  const url = uploadUrl.replace(/\{[^}]*\}$/, '');
  const base = url.replace(/\/repos\/[^/]+\/[^/]+\/releases\/\d+\/assets$/, '');
  return base === url ? new URL(url).origin : base;
}
