/**
 * A number an option or an environment variable gives as text. Number() alone reads '' and ' '
 * as 0, `0x10` as 16, `1e1` as 10 and `-0` as 0, so a typo would silently become a setting.
 */

/** The number `text` writes in plain decimal digits (`12`, `12.5`, ` 7 `), else NaN. */
export function plainNumber(text: string | undefined): number {
  const trimmed = (text ?? '').trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
}

/**
 * A count with its thousands grouped as `toLocaleString('en-US')` writes it (`1,234,567`). The
 * first call of `toLocaleString` in a process loads ICU's locale data, 14–21 ms of a short
 * command's start; whole numbers are grouped here instead, anything else still goes to ICU.
 */
export function groupedCount(value: number): string {
  if (!Number.isSafeInteger(value) || Object.is(value, -0)) return value.toLocaleString('en-US');
  const digits = String(Math.abs(value));
  let grouped = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return value < 0 ? `-${grouped}` : grouped;
}
