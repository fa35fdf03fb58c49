import type { ModelshipConfig } from '../config/modelshipConfig.js';

/** What tells whether an attribute's disparities could be computed: its groups and the small ones. */
type GroupSizes = { groups: Readonly<Record<string, unknown>>; small_groups?: readonly string[] };

/** Whether small groups were left out and fewer than two remain: no disparity to gate. */
export function tooFewGroups(report: GroupSizes): boolean {
  const small = report.small_groups?.length ?? 0;
  return small > 0 && Object.keys(report.groups).length - small < 2;
}

/** The attributes of a report whose disparities are undefined for want of large groups. */
export function ungatedAttributes(fairness: Readonly<Record<string, GroupSizes>>): string[] {
  return Object.entries(fairness)
    .filter(([, report]) => tooFewGroups(report))
    .map(([attribute]) => attribute);
}

/**
 * The config the gate reads: sensitive attributes with fewer than two groups of
 * fairness.min_group_size rows (`ungated`) are left out, as a slice under min_count is, with a
 * note each; their disparities are undefined, and failing on them would block every run on a
 * small holdout.
 */
export function fairnessGateConfig(
  config: ModelshipConfig,
  ungated: readonly string[],
): { config: ModelshipConfig; notes: string[] } {
  const section = config.fairness;
  if (!section || Object.keys(section.thresholds).length === 0) return { config, notes: [] };
  const left = section.sensitive.filter((a) => ungated.includes(a));
  if (left.length === 0) return { config, notes: [] };
  const notes = left.map(
    (attribute) =>
      `fairness rules for ${attribute} were not checked: fewer than two of its groups have ${section.min_group_size} rows (fairness.min_group_size)`,
  );
  const sensitive = section.sensitive.filter((a) => !left.includes(a));
  // With no attribute left there is nothing to compare; an empty list would fail every rule.
  const gated =
    sensitive.length > 0 ? { ...section, sensitive } : { ...section, sensitive, thresholds: {} };
  return { config: { ...config, fairness: gated }, notes };
}
