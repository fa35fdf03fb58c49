/** A metric value for tables: 4 decimals, or an em dash when undefined. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return value.toFixed(4);
}

/**
 * A drift score or p-value: 4 decimals, but a small nonzero value as 3.1e-7, since a p-value of
 * 0.0000 reads as exactly zero.
 */
export function formatScore(value: number | null | undefined): string {
  if (typeof value === 'number' && value !== 0 && Math.abs(value) < 1e-4)
    return value.toExponential(1);
  return formatValue(value);
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
