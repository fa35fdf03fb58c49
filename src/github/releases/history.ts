/**
 * The gated metrics of the last production releases, for the report's history charts: each
 * release's metrics.json (the evaluate report it was published with), oldest first.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReleaseMetrics } from '../../core/evaluation/evaluationReport.js';
import { BUNDLE_FILES } from '../../core/release/bundleFiles.js';
import type { ModelRegistry } from './registry.js';

/** How many production releases the history charts. */
export const HISTORY_RELEASES = 10;

/** The numbers of a metrics.json's `metrics`; null when the file is not an evaluate report. */
function metricsOf(text: string): Record<string, number | null> | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  const metrics = (data as { metrics?: unknown } | null)?.metrics;
  if (metrics === null || typeof metrics !== 'object') return null;
  const out: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(metrics))
    if (typeof value === 'number' || value === null) out[name] = value;
  return out;
}

/**
 * The metrics of the newest `count` published (non-draft, non-prerelease) releases of `model`
 * that carry a metrics.json and the SHA256SUMS it is verified against, oldest first; [] before
 * the first release. Only drawn in a chart, never gated on, so a metrics.json that does not parse
 * is skipped rather than refused.
 */
export async function releaseHistory(
  registry: Pick<ModelRegistry, 'list' | 'download'>,
  model: string,
  count = HISTORY_RELEASES,
): Promise<ReleaseMetrics[]> {
  const has = (assets: { name: string }[], name: string) => assets.some((a) => a.name === name);
  const releases = (await registry.list(model))
    .filter((r) => !r.draft && !r.prerelease)
    .filter((r) => has(r.assets, BUNDLE_FILES.metrics) && has(r.assets, BUNDLE_FILES.sums))
    .slice(0, count);
  if (releases.length === 0) return [];
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-history-'));
  try {
    const history: ReleaseMetrics[] = [];
    for (const release of releases) {
      const [file] = await registry.download(
        release,
        [BUNDLE_FILES.metrics],
        join(dir, `${release.id}`),
      );
      const metrics = metricsOf(readFileSync(file!.path, 'utf8'));
      if (metrics) history.push({ tag: release.tag, published: release.publishedAt, metrics });
    }
    return history.reverse();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
