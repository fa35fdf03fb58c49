/**
 * Semantic versions (https://semver.org 2.0.0): `major.minor.patch`, an optional `-prerelease`
 * and an optional `+build` that precedence ignores. Model release tags use `major.minor.patch`
 * only; prereleases are parsed and ordered so that a user's input can be refused with a reason.
 */
import { ModelshipError } from '../errors.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated identifiers after `-`, empty for a release. */
  prerelease: string[];
  /** Dot-separated identifiers after `+`, ignored by precedence. */
  build: string[];
}

export type ReleaseType = 'major' | 'minor' | 'patch';

const NUMERIC = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUMERIC}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const BUILD_ID = '[0-9a-zA-Z-]+';
const SEMVER = new RegExp(
  `^(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})` +
    `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`,
);

/** The version `text` spells, or undefined when it is not semver (a leading `v` is not). */
export function parseSemver(text: string): SemVer | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  const [, major = '', minor = '', patch = '', pre, build] = match;
  const numbers = [major, minor, patch].map(Number);
  if (!numbers.every(Number.isSafeInteger)) return undefined;
  return {
    major: numbers[0] ?? 0,
    minor: numbers[1] ?? 0,
    patch: numbers[2] ?? 0,
    prerelease: pre ? pre.split('.') : [],
    build: build ? build.split('.') : [],
  };
}

/** Like `parseSemver`, but a ModelshipError naming `what` when the text is not a version. */
export function requireSemver(text: string, what: string): SemVer {
  const parsed = parseSemver(text.trim());
  if (!parsed) {
    const hint = /^v\d/.test(text.trim())
      ? ` (without the leading "v": ${text.trim().slice(1)})`
      : '';
    throw new ModelshipError(
      `${what} "${text}" is not a semantic version: write major.minor.patch, e.g. 1.2.0${hint}.`,
    );
  }
  return parsed;
}

export function formatSemver(version: SemVer): string {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  const pre = version.prerelease.length > 0 ? `-${version.prerelease.join('.')}` : '';
  const build = version.build.length > 0 ? `+${version.build.join('.')}` : '';
  return core + pre + build;
}

function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) return Math.sign(Number(a) - Number(b));
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Semver precedence: negative when `a` comes before `b`, 0 when equal (build ignored). */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core = Math.sign(a.major - b.major || a.minor - b.minor || a.patch - b.patch);
  if (core !== 0) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    // A release follows its prereleases: 1.0.0-rc.1 < 1.0.0.
    return Math.sign(b.prerelease.length - a.prerelease.length);
  }
  const length = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < length; i++) {
    const order = compareIdentifiers(a.prerelease[i] ?? '', b.prerelease[i] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/**
 * The next release of `type`: 1.4.2 → 2.0.0 / 1.5.0 / 1.4.3. A prerelease goes to its release
 * where that is the step asked for (1.5.0-rc.1 + minor → 1.5.0), as npm's semver does.
 */
export function incrementSemver(version: SemVer, type: ReleaseType): SemVer {
  const { major, minor, patch } = version;
  const pre = version.prerelease.length > 0;
  const next = (m: number, n: number, p: number): SemVer => ({
    major: m,
    minor: n,
    patch: p,
    prerelease: [],
    build: [],
  });
  switch (type) {
    case 'major':
      return pre && minor === 0 && patch === 0 ? next(major, 0, 0) : next(major + 1, 0, 0);
    case 'minor':
      return pre && patch === 0 ? next(major, minor, 0) : next(major, minor + 1, 0);
    case 'patch':
      return pre ? next(major, minor, patch) : next(major, minor, patch + 1);
  }
}
