// The verdict of modelship/gate from the affected models' gate states, case by case.
import { describe, expect, it } from 'vitest';
import { aggregateVerdict, type GateState } from '../../src/core/workspace/aggregateGate.js';

const gates = (entries: Record<string, GateState>) => new Map(Object.entries(entries));

describe('aggregateVerdict', () => {
  it('is a success when no model is affected, final or not', () => {
    for (const final of [false, true])
      expect(aggregateVerdict([], gates({}), final)).toEqual({
        state: 'success',
        description: 'No model is affected by this change: nothing to gate',
      });
  });

  it('waits while a gate is missing or pending, naming failures so far', () => {
    expect(aggregateVerdict(['a', 'b', 'c'], gates({ a: 'failure', b: 'pending' }))).toEqual({
      state: 'pending',
      description: 'Waiting for b, c (1 of 3 models in); failed so far: a',
    });
  });

  it('is the conjunction once every gate is in; an error counts as a failure', () => {
    expect(aggregateVerdict(['a', 'b'], gates({ a: 'success', b: 'success' })).state).toBe(
      'success',
    );
    expect(aggregateVerdict(['a', 'b'], gates({ a: 'error', b: 'success' }))).toEqual({
      state: 'failure',
      description: 'The gate failed for a (1 of 2 models)',
    });
  });

  it('never waits once the run is over: a missing gate fails it', () => {
    expect(aggregateVerdict(['a', 'b', 'c'], gates({ a: 'failure', c: 'success' }), true)).toEqual({
      state: 'failure',
      description: 'No gate from b: its run failed or was cancelled; the gate failed for a',
    });
    expect(aggregateVerdict(['a', 'b'], gates({}), true).description).toBe(
      'No gate from a, b: their runs failed or were cancelled',
    );
    // A gate left pending counts as missing too.
    expect(aggregateVerdict(['a'], gates({ a: 'pending' }), true).state).toBe('failure');
    expect(aggregateVerdict(['a'], gates({ a: 'success' }), true).state).toBe('success');
  });
});
