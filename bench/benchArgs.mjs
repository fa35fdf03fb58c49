import { cpus, totalmem } from 'node:os';

/** `[--rows N] [--runs K]` of a benchmark (defaults 1,000,000 rows and 3 runs); exits 2 on misuse. */
export function parseBenchArgs(args, name) {
  const parsed = { rows: 1_000_000, runs: 3 };
  for (let i = 0; i < args.length; i++) {
    const key = { '--rows': 'rows', '--runs': 'runs' }[args[i]];
    const value = Number(args[++i]);
    if (!key || !Number.isInteger(value) || value < 1) {
      console.error(
        `usage: node bench/run.mjs ${name} [--rows N] [--runs K]  (N, K positive integers)`,
      );
      process.exit(2);
    }
    parsed[key] = value;
  }
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
