import { availableParallelism } from 'node:os';
import { ModelshipError } from '../errors.js';
import { plainNumber } from '../numberText.js';

/**
 * The intra-op threads of a served model: `--threads` / MODELSHIP_THREADS, else half the CPUs
 * this process may use (its affinity), at least one. onnxruntime's own default is one thread a
 * physical core, blind to affinity: on 2 CPUs with the load generator on one of them, its two
 * spinning threads made a 1,000-row MLP run 9.3 ms where one thread took 5.4 ms
 * (bench/serveBench.mjs); requests in flight, the HTTP work and other processes need the rest.
 */
export function parseServeThreads(value: string | undefined): number {
  if (value === undefined || value === '')
    return Math.max(1, Math.floor(availableParallelism() / 2));
  const threads = plainNumber(value);
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 1024)) {
    throw new ModelshipError(
      `--threads ${value} (or MODELSHIP_THREADS) is not a whole number of threads from 1 to 1024.`,
    );
  }
  return threads;
}
