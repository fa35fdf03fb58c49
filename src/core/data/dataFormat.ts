/** The file formats Modelship reads, chosen by extension. */
export type DataFormat = 'csv' | 'tsv' | 'parquet' | 'jsonl';

const EXTENSIONS: ReadonlyArray<[RegExp, DataFormat]> = [
  [/\.csv(\.gz)?$/i, 'csv'],
  [/\.tsv(\.gz)?$/i, 'tsv'],
  [/\.parquet$/i, 'parquet'],
  [/\.pq$/i, 'parquet'],
  [/\.(jsonl|ndjson)(\.gz)?$/i, 'jsonl'],
];

export const SUPPORTED_EXTENSIONS = '.csv, .tsv (optionally .gz), .parquet, .jsonl or .ndjson';

/** The format of a path by its extension, or undefined when it is not one we read. */
export function formatOf(path: string): DataFormat | undefined {
  return EXTENSIONS.find(([pattern]) => pattern.test(path))?.[1];
}

/** True when the path names gzip-compressed text. */
export function isGzip(path: string): boolean {
  return /\.gz$/i.test(path);
}

/** True when the path holds glob characters and names a set of files. */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}
