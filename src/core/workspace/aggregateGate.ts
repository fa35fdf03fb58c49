/**
 * The one gate a repository with several models requires: the conjunction of the gates of the
 * models a change affects. Pending while some are still running, never left waiting once the run
 * is over, and a success at once when no model is affected.
 */
export type GateState = 'error' | 'failure' | 'pending' | 'success';

export interface AggregateVerdict {
  state: GateState;
  description: string;
}

const list = (names: string[]) => names.join(', ');
const models = (n: number) => `${n} model${n === 1 ? '' : 's'}`;

/**
 * `gates` holds the latest gate state of each model that has one; `final` says the run is over,
 * so a model without a gate (its job failed or was cancelled) will not get one.
 */
export function aggregateVerdict(
  affected: string[],
  gates: ReadonlyMap<string, GateState>,
  final = false,
): AggregateVerdict {
  if (affected.length === 0)
    return {
      state: 'success',
      description: 'No model is affected by this change: nothing to gate',
    };
  const failed = affected.filter((m) => gates.get(m) === 'failure' || gates.get(m) === 'error');
  const missing = affected.filter((m) => !gates.has(m) || gates.get(m) === 'pending');
  if (missing.length > 0 && !final) {
    const done = affected.length - missing.length;
    const failures = failed.length > 0 ? `; failed so far: ${list(failed)}` : '';
    return {
      state: 'pending',
      description: `Waiting for ${list(missing)} (${done} of ${models(affected.length)} in)${failures}`,
    };
  }
  if (missing.length > 0) {
    const failures = failed.length > 0 ? `; the gate failed for ${list(failed)}` : '';
    return {
      state: 'failure',
      description: `No gate from ${list(missing)}: ${missing.length === 1 ? 'its run' : 'their runs'} failed or ${missing.length === 1 ? 'was' : 'were'} cancelled${failures}`,
    };
  }
  if (failed.length > 0)
    return {
      state: 'failure',
      description: `The gate failed for ${list(failed)} (${failed.length} of ${models(affected.length)})`,
    };
  return {
    state: 'success',
    description: `All ${models(affected.length)} passed: ${list(affected)}`,
  };
}
