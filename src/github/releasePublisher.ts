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
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ModelshipError } from '../core/errors.js';
import { parseModelTag } from './modelTag.js';
import type { GitHubClient } from './octokit.js';
import { explainRequestError } from './requestError.js';
import { parseSha256Sums, SHA256SUMS } from './sha256sums.js';
import { hashFile } from '../core/files/fileDigest.js';

export interface PublishAsset {
  /** The asset's name on the release; defaults to the file's base name. */
  name?: string;
  path: string;
  /** Defaults from the extension (.json, .md, .yml, .txt), else application/octet-stream. */
  contentType?: string;
}

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

export interface PublishedAsset {
  name: string;
  size: number;
  sha256: string;
}

export interface PublishResult {
  /** `published`: a new release; `resumed`: a draft of an earlier run, completed; `unchanged`. */
  action: 'published' | 'unchanged' | 'resumed';
  releaseId: number;
  /** The release page. */
  url: string;
  assets: PublishedAsset[];
}

interface LocalAsset extends PublishedAsset {
  contentType: string;
  /** The file, or the bytes of a SHA256SUMS made here. */
  source: { path: string } | { bytes: Buffer };
}

interface ApiAsset {
  id: number | bigint;
  name: string;
  size: number;
  state: string;
  digest?: string | null;
}

interface ApiRelease {
  id: number | bigint;
  tag_name: string;
  draft: boolean;
  html_url: string;
  upload_url: string;
  assets: ApiAsset[];
}

const WRITE_PERMISSION =
  '`contents: write` on the repository that holds the releases (publish-model needs it)';
const MAX_SUMS_BYTES = 1_048_576;

const CONTENT_TYPES: [RegExp, string][] = [
  [/\.json$/i, 'application/json'],
  [/\.md$/i, 'text/markdown'],
  [/\.ya?ml$/i, 'application/yaml'],
  [/(\.txt|^SHA256SUMS)$/i, 'text/plain'],
];

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

function contentTypeOf(name: string): string {
  return CONTENT_TYPES.find(([pattern]) => pattern.test(name))?.[1] ?? 'application/octet-stream';
}

/** The digests of what is to be published, with a SHA256SUMS checked or written, last. */
async function localAssets(assets: PublishAsset[]): Promise<LocalAsset[]> {
  const files: LocalAsset[] = [];
  for (const asset of assets) {
    const name = asset.name ?? basename(asset.path);
    if (files.some((f) => f.name === name)) {
      throw new ModelshipError(
        `Two assets are named ${name}: a release holds one file per name; rename one of them.`,
      );
    }
    files.push({
      name,
      contentType: asset.contentType ?? contentTypeOf(name),
      source: { path: asset.path },
      ...(await localDigest(asset.path)),
    });
  }
  const given = files.find((f) => f.name === SHA256SUMS);
  const others = files.filter((f) => f !== given);
  if (others.length === 0) {
    throw new ModelshipError('Nothing to publish: give the model and its files as assets.');
  }
  const expected = new Map(others.map((f) => [f.name, f.sha256]));
  if (given) {
    const path = (given.source as { path: string }).path;
    const listed = parseSha256Sums(await readFile(path, 'utf8'), path);
    const problems = sumsDifferences(expected, listed);
    if (problems.length > 0) {
      throw new ModelshipError(
        `${path} does not match the files being published (${problems.join('; ')}): regenerate it, or leave it out and publish-model writes it.`,
      );
    }
    return [...others, given];
  }
  const text = [...expected.keys()]
    .sort()
    .map((name) => `${expected.get(name)}  ${name}\n`)
    .join('');
  const bytes = Buffer.from(text, 'utf8');
  const sums: LocalAsset = {
    name: SHA256SUMS,
    contentType: 'text/plain',
    source: { bytes },
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  return [...others, sums];
}

/** How two checksum lists differ, one phrase per file; empty when they agree. */
function sumsDifferences(ours: Map<string, string>, theirs: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, digest] of ours) {
    const other = theirs.get(name);
    if (other === undefined) problems.push(`${name} is not listed`);
    else if (other !== digest) problems.push(`${name} differs`);
  }
  for (const name of theirs.keys()) {
    if (!ours.has(name)) problems.push(`${name} is listed but not published`);
  }
  return problems;
}

const digestOf = (asset: ApiAsset) => asset.digest?.replace(/^sha256:/, '').toLowerCase() || null;

/** Why a release's asset is not `ours`, or undefined when it is. */
function assetProblem(asset: ApiAsset, ours: LocalAsset): string | undefined {
  if (asset.state !== 'uploaded') return `${asset.name} is a partial upload (${asset.state})`;
  if (asset.size !== ours.size) {
    return `${asset.name} has ${asset.size} bytes, not ${ours.size}`;
  }
  const digest = digestOf(asset);
  if (digest !== null && digest !== ours.sha256) {
    return `${asset.name} has SHA-256 ${digest}, not ${ours.sha256}`;
  }
  return undefined;
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
    return this.call(`GET ${this.path}/releases`, () =>
      this.octokit.paginate(this.octokit.rest.repos.listReleases, { owner, repo, per_page: 100 }),
    );
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
      const digest = createHash('sha256').update(bytes).digest('hex');
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

  /** An asset's bytes (a checksum list: small, and refused when it is not). */
  private async download(asset: ApiAsset): Promise<Buffer> {
    const { owner, repo, tag } = this.options;
    if (asset.size > MAX_SUMS_BYTES) {
      throw new ModelshipError(
        `${asset.name} of release ${tag} is ${asset.size} bytes, too large for a checksum list.`,
      );
    }
    const id = Number(asset.id);
    const response = await this.call(`GET ${this.path}/releases/assets/${id}`, () =>
      this.octokit.rest.repos.getReleaseAsset({
        owner,
        repo,
        asset_id: id,
        headers: { accept: 'application/octet-stream' },
        request: { parseSuccessResponseBody: false },
      }),
    );
    const body = response.data as unknown as WebReadableStream<Uint8Array> | null;
    const chunks: Buffer[] = [];
    if (body) for await (const chunk of Readable.fromWeb(body)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
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

async function localDigest(path: string): Promise<{ sha256: string; size: number }> {
  const { sha256, bytes } = await hashFile(path);
  return { sha256, size: bytes };
}
