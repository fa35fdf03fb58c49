/**
 * What a user may name a model version by, on the command line and in action inputs:
 * `production` (the newest published release), a version (`1.2.0` or `v1.2.0`) of a model named
 * elsewhere, or a full release tag (`credit-risk-v1.2.0`), which names its model itself.
 */
import { ModelshipError } from '../errors.js';

export type VersionQuery =
  | { kind: 'production' }
  | { kind: 'version'; version: string }
  | { kind: 'tag'; tag: string; model: string; version: string };

const NUMBER = '(?:0|[1-9]\\d*)';
const VERSION = new RegExp(`^v?(${NUMBER}\\.${NUMBER}\\.${NUMBER})$`);
const TAG = new RegExp(`^([a-z0-9][a-z0-9-]*)-v(${NUMBER}\\.${NUMBER}\\.${NUMBER})$`);

/** Parses `production`, `1.2.0`, `v1.2.0` or `<model>-v1.2.0`; anything else is refused. */
export function parseVersionQuery(text: string): VersionQuery {
  const trimmed = text.trim();
  if (trimmed === 'production') return { kind: 'production' };
  const version = VERSION.exec(trimmed);
  if (version?.[1]) return { kind: 'version', version: version[1] };
  const tag = TAG.exec(trimmed);
  if (tag?.[1] && tag[2]) return { kind: 'tag', tag: trimmed, model: tag[1], version: tag[2] };
  throw new ModelshipError(
    `${JSON.stringify(text)} is not a model version: use production, a version such as 1.2.0, or a release tag such as credit-risk-v1.2.0.`,
  );
}

/** The release tag a query names for `model`, or undefined for `production`. */
export function tagOfQuery(query: VersionQuery, model: string): string | undefined {
  if (query.kind === 'production') return undefined;
  if (query.kind === 'tag') return query.tag;
  return `${model}-v${query.version}`;
}

/** Owner and name of a repository from `owner/name`, or undefined. */
export function parseRepository(text: string): { owner: string; repo: string } | undefined {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(text.trim());
  if (!match?.[1] || !match[2] || match[2] === '.' || match[2] === '..') return undefined;
  return { owner: match[1], repo: match[2].replace(/\.git$/, '') };
}

/**
 * The repository a git remote URL points at: `https://host/owner/name(.git)`,
 * `ssh://git@host(:port)/owner/name(.git)` or scp-like `git@host:owner/name(.git)`.
 */
export function repositoryOfRemote(url: string): { owner: string; repo: string } | undefined {
  const trimmed = url.trim();
  let path: string | undefined;
  const scp = /^(?:[^@/\s]+@)?[^:/\s]+:(?!\/)(.+)$/.exec(trimmed);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      path = new URL(trimmed).pathname;
    } catch {
      return undefined;
    }
  } else if (scp) {
    path = scp[1];
  }
  if (!path) return undefined;
  const parts = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/');
  if (parts.length !== 2) return undefined;
  return parseRepository(parts.join('/'));
}
