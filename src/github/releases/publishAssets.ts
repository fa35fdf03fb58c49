/**
 * What publish-model is about to upload: each file's name, size, digest and content type, and the
 * SHA256SUMS that lists them (checked when given, written when not).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModelshipError } from '../../core/errors.js';
import { hashFile, sha256Hex } from '../../core/files/fileDigest.js';
import {
  parseSha256Sums,
  SHA256SUMS,
  sha256sums,
  sumsDifferences,
} from '../../core/release/checksums.js';
import { apiDigest, type ApiAsset } from './apiRelease.js';

export interface PublishAsset {
  /** The asset's name on the release; defaults to the file's base name. */
  name?: string;
  path: string;
  /** Defaults from the extension (.json, .md, .yml, .txt), else application/octet-stream. */
  contentType?: string;
}

export interface PublishedAsset {
  name: string;
  size: number;
  sha256: string;
}

export interface LocalAsset extends PublishedAsset {
  contentType: string;
  /** The file, or the bytes of a SHA256SUMS made here. */
  source: { path: string } | { bytes: Buffer };
}

const CONTENT_TYPES: [RegExp, string][] = [
  [/\.json$/i, 'application/json'],
  [/\.md$/i, 'text/markdown'],
  [/\.ya?ml$/i, 'application/yaml'],
  [/\.txt$/i, 'text/plain'],
];

function contentTypeOf(name: string): string {
  if (name === SHA256SUMS) return 'text/plain';
  return CONTENT_TYPES.find(([pattern]) => pattern.test(name))?.[1] ?? 'application/octet-stream';
}

/** The digests of what is to be published, with a SHA256SUMS checked or written, last. */
export async function localAssets(assets: PublishAsset[]): Promise<LocalAsset[]> {
  const files: LocalAsset[] = [];
  for (const asset of assets) {
    const name = asset.name ?? basename(asset.path);
    if (files.some((f) => f.name === name)) {
      throw new ModelshipError(
        `Two assets are named ${name}: a release holds one file per name; rename one of them.`,
      );
    }
    const { sha256, bytes } = await hashFile(asset.path);
    files.push({
      name,
      contentType: asset.contentType ?? contentTypeOf(name),
      source: { path: asset.path },
      sha256,
      size: bytes,
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
  const bytes = Buffer.from(sha256sums(others), 'utf8');
  const sums: LocalAsset = {
    name: SHA256SUMS,
    contentType: contentTypeOf(SHA256SUMS),
    source: { bytes },
    size: bytes.length,
    sha256: sha256Hex(bytes),
  };
  return [...others, sums];
}

/** Why a release's asset is not `ours`, or undefined when it is. */
export function assetProblem(asset: ApiAsset, ours: LocalAsset): string | undefined {
  if (asset.state !== 'uploaded') return `${asset.name} is a partial upload (${asset.state})`;
  if (asset.size !== ours.size) {
    return `${asset.name} has ${asset.size} bytes, not ${ours.size}`;
  }
  const digest = apiDigest(asset);
  if (digest !== null && digest !== ours.sha256) {
    return `${asset.name} has SHA-256 ${digest}, not ${ours.sha256}`;
  }
  return undefined;
}
