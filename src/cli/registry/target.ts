/** Which repository and model `modelship registry` works on, and how it reads and downloads releases. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ModelshipError } from '../../core/errors.js';
import {
  parseRepository,
  repositoryOfRemote,
  tagOfQuery,
  type VersionQuery,
} from '../../core/release/versionQuery.js';
import {
  GitHubModelRegistry,
  type DownloadedAsset,
  type ModelRelease,
} from '../../github/modelRegistry.js';
import { parseModelTag } from '../../github/modelTag.js';
import type { GitHubClient } from '../../github/octokit.js';
import { explainRequestError } from '../../github/requestError.js';
import { SHA256SUMS } from '../../github/sha256sums.js';

export interface TargetOptions {
  model?: string;
  config?: string;
  repo?: string;
}

export interface Target {
  owner: string;
  repo: string;
  /** `owner/repo`. */
  full: string;
  octokit: GitHubClient;
  registry: GitHubModelRegistry;
  /** From `--model` or the config; undefined when neither was given. */
  model: string | undefined;
}

export const MODEL_NAME = /^[a-z0-9][a-z0-9-]*$/;
export const MANIFEST = 'manifest.json';

export function tokenFromEnv(): string | undefined {
  return process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined;
}

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
  const { owner, repo } = repositoryOf(options.repo, dir);
  const full = `${owner}/${repo}`;
  const token = tokenFromEnv();
  if (!token) {
    throw new ModelshipError(
      `modelship registry needs a GitHub token to read the releases of ${full}: set GITHUB_TOKEN or GH_TOKEN (for example GH_TOKEN=$(gh auth token)) to a token with contents: read.`,
    );
  }
  const { createOctokit } = await import('../../github/octokit.js');
  const octokit = createOctokit({
    token,
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    userAgent: 'modelship-cli',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return {
    owner,
    repo,
    full,
    octokit,
    registry: new GitHubModelRegistry(octokit, { owner, repo }),
    model,
  };
}

export function repositoryOf(
  flag: string | undefined,
  dir: string,
): { owner: string; repo: string } {
  if (flag !== undefined) {
    const parsed = parseRepository(flag);
    if (!parsed) {
      throw new ModelshipError(
        `--repo ${JSON.stringify(flag)} is not a repository: pass owner/name, e.g. --repo acme/models.`,
      );
    }
    return parsed;
  }
  const fromEnv = process.env.GITHUB_REPOSITORY;
  if (fromEnv) {
    const parsed = parseRepository(fromEnv);
    if (!parsed) {
      throw new ModelshipError(
        `GITHUB_REPOSITORY=${JSON.stringify(fromEnv)} is not owner/name: fix it, or pass --repo owner/name.`,
      );
    }
    return parsed;
  }
  const git = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: dir, encoding: 'utf8' });
  const url = git.status === 0 ? git.stdout.trim() : '';
  const parsed = url ? repositoryOfRemote(url) : undefined;
  if (!parsed) {
    const found = url
      ? `its origin remote ${url} is not a GitHub repository URL`
      : 'it has no origin remote';
    throw new ModelshipError(
      `modelship registry needs the repository that holds the releases: pass --repo owner/name or set GITHUB_REPOSITORY (${dir}: ${found}).`,
    );
  }
  return parsed;
}

/** Names of every model with a release in the repository, sorted. */
export async function modelNames(target: Target): Promise<string[]> {
  const names = new Set<string>();
  try {
    for await (const page of target.octokit.paginate.iterator(
      target.octokit.rest.repos.listReleases,
      { owner: target.owner, repo: target.repo, per_page: 100 },
    )) {
      for (const release of page.data) {
        const model = parseModelTag(release.tag_name)?.model;
        if (model) names.add(model);
      }
    }
  } catch (error) {
    throw explainRequestError(error, {
      call: `GET /repos/${target.full}/releases`,
      permission: '`contents: read` on the repository that holds the releases',
    });
  }
  return [...names].sort();
}

/** The release a query names, and the model's production release for comparison. */
export async function resolveRelease(
  target: Target,
  query: VersionQuery,
): Promise<{ release: ModelRelease; production: ModelRelease | undefined }> {
  if (query.kind === 'tag' && target.model !== undefined && query.model !== target.model) {
    throw new ModelshipError(
      `${query.tag} is a release of ${query.model}, not of ${target.model}: drop --model/--config or name a tag of ${target.model}.`,
    );
  }
  const model = query.kind === 'tag' ? query.model : (target.model ?? (await onlyModel(target)));
  const production = await target.registry.production(model);
  if (query.kind === 'production') {
    if (!production) {
      throw new ModelshipError(
        `${target.full} has no production release of ${model}: no release tagged ${model}-v<semver> is published (drafts and prereleases never are production).`,
      );
    }
    return { release: production, production };
  }
  const tag = tagOfQuery(query, model) ?? '';
  const release = await target.registry.byTag(tag);
  if (!release) {
    throw new ModelshipError(
      `${target.full} has no published release ${tag}: run modelship registry list --model ${model} to see its versions.`,
    );
  }
  return { release, production };
}

/** The one model of the repository when none was named; several or none is an error. */
export async function onlyModel(target: Target): Promise<string> {
  const names = await modelNames(target);
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
    const file = await target.registry.downloadVerified(release, MANIFEST, join(dir, MANIFEST));
    try {
      const value: unknown = JSON.parse(await readFile(file.path, 'utf8'));
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
): Promise<(DownloadedAsset & { name: string })[]> {
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
    const files: (DownloadedAsset & { name: string })[] = [];
    for (const name of names) {
      const dest = join(staging, name);
      // SHA256SUMS is what the others are checked against; it is taken as published.
      const file =
        name === SHA256SUMS
          ? await target.registry.downloadAsset(release, name, dest)
          : await target.registry.downloadVerified(release, name, dest);
      files.push({ ...file, name });
    }
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
  let sums: string;
  try {
    sums = readFileSync(join(out, SHA256SUMS), 'utf8');
  } catch {
    return false;
  }
  const listed = new Set(
    sums
      .split('\n')
      .map((line) => /^[0-9a-f]{64} [ *](.+)$/i.exec(line.trim())?.[1])
      .filter(Boolean),
  );
  return names.every((name) => name === SHA256SUMS || listed.has(name));
}
