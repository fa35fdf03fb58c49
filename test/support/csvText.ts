/** A CSV field as RFC 4180 writes it: quoted when it holds the delimiter, a quote or a newline. */
export function csvField(value: string, delimiter = ','): string {
  return value.includes(delimiter) || /["\r\n]/.test(value)
    ? `"${value.replaceAll('"', '""')}"`
    : value;
}

/** Delimited text from a header and rows of already-encoded fields, one record per line. */
export function csvText(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { delimiter?: string; eol?: string } = {},
): string {
  const delimiter = options.delimiter ?? ',';
  const eol = options.eol ?? '\n';
  const line = (fields: readonly string[]) => fields.join(delimiter);
  return [header, ...rows].map(line).join(eol) + eol;
}
