import type { ResolvedFeature } from '../model/modelFeatures.js';

/** How the candidate's features differ from the baseline's, by data column. */
export interface FeatureChanges {
  /** Columns only the candidate reads. */
  added: string[];
  /** Columns only the baseline reads. */
  removed: string[];
  /** Columns both read, encoded differently (numeric, one_hot categories, map values). */
  reencoded: string[];
}

/** The changes from `baseline` to `candidate`, or null when both read the same columns alike. */
export function featureChanges(
  baseline: readonly ResolvedFeature[],
  candidate: readonly ResolvedFeature[],
): FeatureChanges | null {
  const before = encodings(baseline);
  const after = encodings(candidate);
  const changes: FeatureChanges = {
    added: [...after.keys()].filter((c) => !before.has(c)),
    removed: [...before.keys()].filter((c) => !after.has(c)),
    reencoded: [...after.keys()].filter((c) => before.has(c) && before.get(c) !== after.get(c)),
  };
  const changed = changes.added.length + changes.removed.length + changes.reencoded.length > 0;
  return changed ? changes : null;
}

/** Each column's encodings as comparable text, in first-use order. */
function encodings(features: readonly ResolvedFeature[]): Map<string, string> {
  const out = new Map<string, string[]>();
  for (const feature of features) {
    const { column, ...settings } = typeof feature === 'string' ? { column: feature } : feature;
    out.set(column, [...(out.get(column) ?? []), canonical(withoutDefaults(settings))]);
  }
  return new Map([...out].map(([column, list]) => [column, list.join('; ')]));
}

/** `error` is what a feature does with a missing or unknown value when it does not say. */
function withoutDefaults(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== 'error'));
}

/** JSON with object keys sorted: a map's key order does not change what it encodes. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
