/** Which repository and model `modelship registry` works on, and how it reads and downloads releases. */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ModelshipError } from '../../core/errors.js';
import { BUNDLE_FILES } from '../../core/release/bundleFiles.js';
import { parseSha256Sums, SHA256SUMS } from '../../core/release/checksums.js';
import {
  MODEL_NAME,
  parseModelVersion,
  tagOfQuery,
  type ReleaseQuery,
} from '../../core/release/modelVersion.js';
import type { ModelRelease } from '../../github/releases/apiRelease.js';
import type { DownloadedAsset } from '../../github/releases/download.js';
import { ModelRegistry } from '../../github/releases/registry.js';
import { cliOctokit, repositoryOf, tokenFromEnv } from './repository.js';

export interface TargetOptions {
  model?: string;
  config?: string;
  repo?: string;
}

export interface Target {
  /** `owner/repo`. */
  full: string;
  registry: ModelRegistry;
  /** From `--model` or the config; undefined when neither was given. */
  model: string | undefined;
}

export const MANIFEST = BUNDLE_FILES.manifest;

export async function targetOf(options: TargetOptions): Promise<Target> {
  let model: string | undefined;
  let dir = process.cwd();
  if (options.config !== undefined) {
    const { loadConfig } = await import('../../core/config/modelshipConfig.js');
    const loaded = loadConfig(options.config);
    model = loaded.config.model.name;
    dir = loaded.dir;
  }
  if (options.model !== undefined) {
    if (!MODEL_NAME.test(options.model)) {
      throw new ModelshipError(
        `--model ${JSON.stringify(options.model)} is not a model name: use lowercase letters, digits and dashes, as model.name in modelship.yml.`,
      );
    }
    model = options.model;
  }
  const found = repositoryOf(options.repo, dir);
  if ('missing' in found) {
    throw new ModelshipError(
      `modelship registry needs the repository that holds the releases: pass --repo owner/name or set GITHUB_REPOSITORY (${found.missing}).`,
    );
  }
  const { owner, repo } = found;
  const full = `${owner}/${repo}`;
  const token = tokenFromEnv();
  if (!token) {
    throw new ModelshipError(
      `modelship registry needs a GitHub token to read the releases of ${full}: set GITHUB_TOKEN or GH_TOKEN (for example GH_TOKEN=$(gh auth token)) to a token with contents: read.`,
    );
  }
  const registry = new ModelRegistry({ octokit: await cliOctokit(token), owner, repo });
  return { full, registry, model };
}

/** Parses `<version>`: production, a version, or a release tag (of `--model` when given). */
export function parseQuery(text: string, target: Target): ReleaseQuery {
  return parseModelVersion(text, {
    what: 'version',
    accepts: ['production', 'version', 'tag'],
    ...(target.model !== undefined ? { model: target.model } : {}),
  }) as ReleaseQuery;
}

/** The model's production release (what its production environment runs), or undefined. */
export async function productionOf(
  target: Target,
  model: string,
): Promise<ModelRelease | undefined> {
  const { release, warning } = await target.registry.resolve({ kind: 'production' }, model);
  if (warning) process.stderr.write(`modelship: warning: ${warning}.\n`);
  return release;
}

/** The release a query names, and the model's production release for comparison. */
export async function resolveRelease(
  target: Target,
  query: ReleaseQuery,
): Promise<{ release: ModelRelease; production: ModelRelease | undefined }> {
  const model = query.kind === 'tag' ? query.model : (target.model ?? (await onlyModel(target)));
  const production = await productionOf(target, model);
  if (query.kind === 'production') {
    if (!production) {
      throw new ModelshipError(
        `${target.full} has no production release of ${model}: no release tagged ${model}-v<semver> is published (drafts and prereleases never are production).`,
      );
    }
    return { release: production, production };
  }
  const tag = tagOfQuery(query, model)!;
  const { release } = await target.registry.resolve(query, model);
  if (!release) {
    throw new ModelshipError(
      `${target.full} has no published release ${tag}: run modelship registry list --model ${model} to see its versions.`,
    );
  }
  return { release, production };
}

/** The one model of the repository when none was named; several or none is an error. */
export async function onlyModel(target: Target): Promise<string> {
  const names = await target.registry.models();
  if (names.length === 1 && names[0]) return names[0];
  throw new ModelshipError(
    names.length === 0
      ? `${target.full} has no model releases (tags <model>-v<semver>): publish one with publish-model first.`
      : `${target.full} has releases of several models (${names.join(', ')}): name one with --model <name> or --config <modelship.yml>.`,
  );
}

export type ManifestResult =
  | { kind: 'verified'; value: Record<string, unknown> }
  | { kind: 'absent' | 'unverifiable' | 'invalid'; note: string };

/** manifest.json of the release, downloaded and verified against SHA256SUMS, when it has one. */
export async function readManifest(target: Target, release: ModelRelease): Promise<ManifestResult> {
  if (!release.assets.some((a) => a.name === MANIFEST)) {
    return { kind: 'absent', note: `no ${MANIFEST} in this release` };
  }
  if (!release.assets.some((a) => a.name === SHA256SUMS)) {
    return {
      kind: 'unverifiable',
      note: `${MANIFEST} not shown: the release has no ${SHA256SUMS} to verify it against`,
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'modelship-show-'));
  try {
    const [file] = await target.registry.download(release, [MANIFEST], dir);
    try {
      const value: unknown = JSON.parse(await readFile(file!.path, 'utf8'));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return { kind: 'verified', value: value as Record<string, unknown> };
      }
    } catch {
      // Reported below.
    }
    return { kind: 'invalid', note: `${MANIFEST} is not a JSON object` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Downloads the named assets (default: all) into `out`, each verified against SHA256SUMS. They
 * are staged in a directory inside `out` and moved into place only when every one matched; on
 * any failure the staging directory, and `out` itself when this run created it, are removed.
 */
export async function downloadRelease(
  target: Target,
  release: ModelRelease,
  requested: string[] | undefined,
  out: string,
): Promise<DownloadedAsset[]> {
  const available = release.assets.map((a) => a.name);
  const names = requested?.length ? [...new Set(requested)] : available;
  if (names.length === 0) {
    throw new ModelshipError(`Release ${release.tag} has no assets to download.`);
  }
  for (const name of names) {
    if (!available.includes(name)) {
      throw new ModelshipError(
        `Release ${release.tag} has no asset named ${name} (assets: ${available.join(', ') || 'none'}): pick one of those with --asset.`,
      );
    }
    if (basename(name) !== name || name === '.' || name === '..') {
      throw new ModelshipError(
        `Release ${release.tag} has an asset named ${JSON.stringify(name)}, which is not a plain file name: it is not written to disk.`,
      );
    }
  }
  if (!release.assets.some((a) => a.name === SHA256SUMS)) {
    throw new ModelshipError(
      `Release ${release.tag} has no ${SHA256SUMS} asset, so its files cannot be verified: republish the model with publish-model, which uploads one.`,
    );
  }
  const outExisted = existsSync(out);
  // Files already there are replaced only in a directory an earlier download made: `-o .` in a
  // project must not overwrite its modelship.yml or schema.yml with the release's.
  const clashes = outExisted ? names.filter((name) => existsSync(join(out, name))) : [];
  if (clashes.length > 0 && !isEarlierDownload(out, clashes))
    throw new ModelshipError(
      `--out ${out}: already holds ${clashes.join(', ')}, not downloaded by modelship registry download; choose another directory (the default is ./<tag>), or remove them yourself.`,
    );
  let created: string | undefined;
  let staging: string | undefined;
  try {
    created = await mkdir(out, { recursive: true });
    staging = await mkdtemp(join(out, '.modelship-download-'));
    const files = await target.registry.download(release, names, staging);
    for (const file of files) {
      const final = join(out, file.name);
      await rename(file.path, final);
      file.path = final;
    }
    await rm(staging, { recursive: true, force: true });
    return files;
  } catch (error) {
    if (staging) await rm(staging, { recursive: true, force: true });
    if (!outExisted && created) await rm(created, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Whether `out` is an earlier download: it holds SHA256SUMS (every download verifies against it),
 * and that lists each of the files to be replaced.
 */
export function isEarlierDownload(out: string, names: string[]): boolean {
  let listed: Map<string, string>;
  try {
    listed = parseSha256Sums(readFileSync(join(out, SHA256SUMS), 'utf8'), SHA256SUMS);
  } catch {
    return false;
  }
  return names.every((name) => name === SHA256SUMS || listed.has(name));
}
