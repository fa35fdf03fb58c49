import type { FeatureChanges } from '../evaluation/evaluationReport.js';

/** "added a, b", "removed c", "re-encoded d": the non-empty kinds, columns shown by `list`. */
export function featureChangeParts(
  changes: FeatureChanges,
  list: (columns: string[]) => string,
): string[] {
  const kinds: [string, string[]][] = [
    ['added', changes.added],
    ['removed', changes.removed],
    ['re-encoded', changes.reencoded],
  ];
  return kinds.filter(([, columns]) => columns.length > 0).map(([kind, c]) => `${kind} ${list(c)}`);
}
