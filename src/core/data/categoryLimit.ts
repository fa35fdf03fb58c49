/**
 * String columns with at most this many distinct values get an `in` set (as TFDV does). In a module
 * of its own so that `modelship schema infer --help` quotes it without loading DuckDB.
 */
export const MAX_CATEGORIES = 20;
