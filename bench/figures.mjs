// Figures beside their limits: each bench's JSON carries `figures`, a list of
//   { name, value, unit, limit_name, limit, ratio, goal, met, note? }
// where `ratio` is value / limit (both measured in the same run) and `goal` says what the ratio
// (or, for an absolute goal with no limit, the value) must be: "≤ 2.5" or "≥ 0.85". run.mjs prints
// every figure of a run in one table and writes bench/out/summary.json.
import { markdownTable } from 'markdown-table';

/**
 * One figure. `goal` is { max } or { min } on the ratio to `limit`; with `absolute`, or when there
 * is no limit, on the value itself (a time budget in ms, a memory ceiling in MB), the limit then
 * shown beside it for scale.
 */
export function figure({
  name,
  value,
  unit,
  limitName = null,
  limit = null,
  goal,
  absolute,
  note,
}) {
  const ratio = limit && value !== null && value !== undefined ? round(value / limit, 3) : null;
  const judged = absolute || ratio === null ? value : ratio;
  const met =
    value === null || value === undefined
      ? null
      : goal.max !== undefined
        ? judged <= goal.max
        : judged >= goal.min;
  return {
    name,
    value: value === null || value === undefined ? null : round(value, 3),
    unit,
    limit_name: limitName,
    limit: limit === null ? null : round(limit, 3),
    ratio,
    goal: goal.max !== undefined ? `≤ ${goal.max}` : `≥ ${goal.min}`,
    goal_on: absolute || ratio === null ? 'value' : 'ratio',
    met,
    ...(note ? { note } : {}),
  };
}

/** The figures as a markdown table: figure, value, limit, ratio, goal, met. */
export function figuresTable(figures) {
  const rows = figures.map((f) => [
    f.name,
    f.value === null ? '—' : `${f.value} ${f.unit}`,
    f.limit === null ? '—' : `${f.limit} ${f.unit} (${f.limit_name})`,
    f.ratio === null ? '—' : `${f.ratio}×`,
    f.goal_on === 'value' ? `${f.goal} ${f.unit}` : `${f.goal}×`,
    f.met === null ? '?' : f.met ? 'yes' : 'NO',
  ]);
  return markdownTable(
    [['figure', 'value', 'limit (measured beside it)', 'ratio', 'goal', 'met'], ...rows],
    {
      align: ['l', 'r', 'l', 'r', 'r', 'c'],
    },
  );
}

export function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
