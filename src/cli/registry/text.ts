/** What `modelship registry list` and `show` print. */
import { SHA256SUMS } from '../../core/release/checksums.js';
import type { ModelRelease } from '../../github/releases/apiRelease.js';
import { MANIFEST, type ManifestResult, type Target } from './target.js';

export function listText(
  target: Target,
  models: { name: string; production: ModelRelease | undefined; versions: ModelRelease[] }[],
): string {
  if (models.length === 0) {
    return `${target.full} has no model releases (tags <model>-v<semver>) yet.\n`;
  }
  const lines: string[] = [];
  for (const { name, production, versions } of models) {
    if (lines.length > 0) lines.push('');
    const count = `${versions.length} ${versions.length === 1 ? 'version' : 'versions'}`;
    const prod = production ? `production ${production.tag}` : 'no production release';
    lines.push(`${name} (${target.full}): ${count}, ${prod}`);
    const width = Math.max(7, ...versions.map((r) => r.version.length));
    for (const release of versions) {
      const status =
        release === production
          ? 'production'
          : release.draft
            ? 'draft'
            : release.prerelease
              ? 'prerelease'
              : '';
      const published = release.publishedAt ? release.publishedAt.slice(0, 10) : 'unpublished';
      const assets = `${release.assets.length} ${release.assets.length === 1 ? 'asset' : 'assets'}`;
      lines.push(
        `  ${release.version.padEnd(width)}  ${status.padEnd(10)}  ${published.padEnd(11)}  ${assets.padStart(9)}  ${release.tag}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export function showText(
  release: ModelRelease,
  production: ModelRelease | undefined,
  manifest: ManifestResult,
): string {
  const flags = [
    release.id === production?.id
      ? 'production'
      : `not production (production: ${production?.tag ?? 'none'})`,
    ...(release.draft ? ['draft'] : []),
    ...(release.prerelease ? ['prerelease'] : []),
    release.publishedAt ? `published ${release.publishedAt}` : 'unpublished',
  ];
  const lines = [
    `${release.tag}: ${release.model} ${release.version}, ${flags.join(', ')}`,
    `url: ${release.htmlUrl}`,
    `assets (${release.assets.length}):`,
  ];
  const width = Math.max(0, ...release.assets.map((a) => a.name.length));
  for (const asset of release.assets) {
    lines.push(
      `  ${asset.name.padEnd(width)}  ${formatSize(asset.size).padStart(10)}  ${asset.digest ?? '(no digest on GitHub)'}`,
    );
  }
  if (manifest.kind === 'verified') {
    lines.push(`${MANIFEST} (verified against ${SHA256SUMS}):`);
    for (const [key, value] of Object.entries(manifest.value)) {
      lines.push(`  ${key}: ${summarize(value)}`);
    }
  } else {
    lines.push(`${manifest.note}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One line for a manifest field: scalars as they are, `{ passed }` as passed/failed, else a count. */
export function summarize(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `${value.length} entries`;
  const record = value as Record<string, unknown>;
  if (typeof record.passed === 'boolean') return record.passed ? 'passed' : 'failed';
  const keys = Object.keys(record);
  return keys.length === 0
    ? '{}'
    : `${keys.length} entries (${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''})`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
