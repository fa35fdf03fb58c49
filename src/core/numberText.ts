/**
 * A number an option or an environment variable gives as text. Number() alone reads '' and ' '
 * as 0, `0x10` as 16, `1e1` as 10 and `-0` as 0, so a typo would silently become a setting.
 */

/** The number `text` writes in plain decimal digits (`12`, `12.5`, ` 7 `), else NaN. */
export function plainNumber(text: string | undefined): number {
  const trimmed = (text ?? '').trim();
  return /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
}
