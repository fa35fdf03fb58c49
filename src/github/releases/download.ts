/**
 * Downloading a release's assets: streamed to disk, then each checked against the release's
 * SHA256SUMS (and GitHub's own digest where it has one), with no fallback. Only a complete,
 * verified set is moved into place.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ModelshipError } from '../../core/errors.js';
import { hashFile } from '../../core/files/fileDigest.js';
import { parseSha256Sums, SHA256SUMS } from '../../core/release/checksums.js';
import { explainRequestError } from '../requestError.js';
import {
  apiDigest,
  READ_PERMISSION,
  type ModelRelease,
  type ReleaseAsset,
  type ReleaseRepository,
} from './apiRelease.js';

export interface DownloadedAsset {
  name: string;
  path: string;
  sha256: string;
  size: number;
}

/** A checksum list is small; anything larger is not one. */
const MAX_SUMS_BYTES = 1_048_576;

/** The asset's bytes as a stream; GitHub answers with a redirect to storage, which fetch follows. */
async function assetStream(
  { octokit, owner, repo }: ReleaseRepository,
  assetId: number,
  permission: string,
): Promise<Readable> {
  try {
    const response = await octokit.rest.repos.getReleaseAsset({
      owner,
      repo,
      asset_id: assetId,
      headers: { accept: 'application/octet-stream' },
      request: { parseSuccessResponseBody: false },
    });
    const body = response.data as unknown as WebReadableStream<Uint8Array> | null;
    return body ? Readable.fromWeb(body) : Readable.from([]);
  } catch (error) {
    const call = `GET /repos/${owner}/${repo}/releases/assets/${assetId}`;
    throw explainRequestError(error, { call, permission });
  }
}

/** The bytes of a release's SHA256SUMS, refused when it is too large to be one. */
export async function readSumsAsset(
  repository: ReleaseRepository,
  release: { tag: string },
  asset: { id: number | bigint; size: number },
  permission = READ_PERMISSION,
): Promise<Buffer> {
  if (asset.size > MAX_SUMS_BYTES) {
    throw new ModelshipError(
      `${SHA256SUMS} of release ${release.tag} is ${asset.size} bytes, too large for a checksum list: republish the model.`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await assetStream(repository, Number(asset.id), permission))
    chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** The digests the release's SHA256SUMS lists, by file name. */
async function releaseSums(
  repository: ReleaseRepository,
  release: ModelRelease,
  verifying: string,
): Promise<Map<string, string>> {
  const sums = release.assets.find((a) => a.name === SHA256SUMS);
  if (!sums) {
    throw new ModelshipError(
      `Release ${release.tag} has no ${SHA256SUMS} asset, so ${verifying} cannot be verified: republish the model with publish-model, which uploads one.`,
    );
  }
  const text = (await readSumsAsset(repository, release, sums)).toString('utf8');
  return parseSha256Sums(text, `${SHA256SUMS} of release ${release.tag}`);
}

function assetOf(release: ModelRelease, name: string): ReleaseAsset {
  const asset = release.assets.find((a) => a.name === name);
  if (!asset) {
    const names = release.assets.map((a) => a.name).join(', ') || 'none';
    throw new ModelshipError(
      `Release ${release.tag} has no asset named ${name} (assets: ${names}): publish the model with publish-model, or pick another version.`,
    );
  }
  if (basename(name) !== name || name.startsWith('.')) {
    throw new ModelshipError(
      `Release ${release.tag} has an asset named ${JSON.stringify(name)}, which is not a plain file name: it is not written to disk.`,
    );
  }
  return asset;
}

/** Streams one asset into `partPath` and checks its size and digest against `expected`. */
async function fetchChecked(
  repository: ReleaseRepository,
  release: ModelRelease,
  asset: ReleaseAsset,
  partPath: string,
  expected: string | undefined,
): Promise<{ sha256: string; size: number }> {
  const onGitHub = apiDigest(asset);
  if (expected && onGitHub && onGitHub !== expected) {
    throw new ModelshipError(
      `${asset.name} of release ${release.tag} has SHA-256 ${onGitHub} on GitHub but ${expected} in ${SHA256SUMS}: the release was altered after publishing; do not use it, and republish the model.`,
    );
  }
  const body = await assetStream(repository, asset.id, READ_PERMISSION);
  await pipeline(body, createWriteStream(partPath));
  const { sha256, bytes } = await hashFile(partPath);
  if (bytes !== asset.size) {
    throw new ModelshipError(
      `Downloading ${asset.name} gave ${bytes} bytes where GitHub lists ${asset.size}: re-run the job.`,
    );
  }
  if (expected && sha256 !== expected) {
    throw new ModelshipError(
      `${asset.name} of release ${release.tag} has SHA-256 ${sha256}, but ${SHA256SUMS} says ${expected}: the asset was altered after publishing; do not use it, and republish the model.`,
    );
  }
  return { sha256, size: bytes };
}

/**
 * Downloads the named assets of a release into `dir`, each verified against the release's
 * SHA256SUMS (which, when named itself, is written as published: it is what the others are
 * checked against). Files are written beside their final names and moved there only when every
 * one matched; on any failure none of them is left.
 */
export async function downloadAssets(
  repository: ReleaseRepository,
  release: ModelRelease,
  names: readonly string[],
  dir: string,
): Promise<DownloadedAsset[]> {
  const wanted = [...new Set(names)];
  const assets = wanted.map((name) => assetOf(release, name));
  const checked = wanted.filter((name) => name !== SHA256SUMS);
  const sums =
    checked.length > 0 ? await releaseSums(repository, release, checked.join(', ')) : undefined;
  for (const name of checked) {
    if (!sums?.has(name)) {
      throw new ModelshipError(
        `${SHA256SUMS} of release ${release.tag} does not list ${name}, so it cannot be verified: republish the model with publish-model.`,
      );
    }
  }
  await mkdir(dir, { recursive: true });
  const suffix = `.${randomBytes(4).toString('hex')}.part`;
  const parts = wanted.map((name) => join(dir, `${name}${suffix}`));
  try {
    const files: DownloadedAsset[] = [];
    for (const [i, asset] of assets.entries()) {
      const expected = asset.name === SHA256SUMS ? undefined : sums?.get(asset.name);
      const got = await fetchChecked(repository, release, asset, parts[i]!, expected);
      files.push({ name: asset.name, path: join(dir, asset.name), ...got });
    }
    for (const [i, file] of files.entries()) await rename(parts[i]!, file.path);
    return files;
  } finally {
    await Promise.all(parts.map((part) => rm(part, { force: true })));
  }
}
