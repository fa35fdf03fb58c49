/** A metric value for tables: 4 decimals, or an em dash when undefined. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return value.toFixed(4);
}

/** A signed change with 4 decimals, e.g. +0.0123 or −0.0040. */
export function formatChange(change: number): string {
  const text = Math.abs(change).toFixed(4);
  if (Number(text) === 0) return '±0.0000';
  return `${change > 0 ? '+' : '−'}${text}`;
}

/** A share as a percentage with 1 decimal. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${(100 * value).toFixed(1)}%`;
}
