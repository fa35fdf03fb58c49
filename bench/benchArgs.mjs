import { cpus, totalmem } from 'node:os';

/**
 * `[--rows N] [--runs K] [--large M]` of a benchmark (defaults 1,000,000 rows, 3 runs and, for
 * validate, M = 10 × N; --large 0 skips that run); exits 2 on misuse.
 */
export function parseBenchArgs(args, name) {
  const parsed = { rows: 1_000_000, runs: 3, large: undefined };
  for (let i = 0; i < args.length; i++) {
    const key = { '--rows': 'rows', '--runs': 'runs', '--large': 'large' }[args[i]];
    const value = Number(args[++i]);
    if (!key || !Number.isInteger(value) || value < (key === 'large' ? 0 : 1)) {
      console.error(
        `usage: node bench/run.mjs ${name} [--rows N] [--runs K] [--large M]  (N, K positive integers; M 0 or more)`,
      );
      process.exit(2);
    }
    parsed[key] = value;
  }
  parsed.large ??= 10 * parsed.rows;
  return parsed;
}

/** The machine a benchmark ran on, for its JSON result. */
export function machineInfo(extra = {}) {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memory_gb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ...extra,
  };
}
