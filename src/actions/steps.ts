/**
 * Every step of the suite: how to load its code, and whether that code needs the native runtime
 * (DuckDB, onnxruntime). Loading is deferred so a bundle that runs gate or deploy never loads a
 * native library, and a native step loads its natives only after they have been put in place.
 */
export const STEPS = {
  'validate-data': { natives: true, load: () => import('./validate-data/main.js') },
  train: { natives: true, load: () => import('./train/main.js') },
  evaluate: { natives: true, load: () => import('./evaluate/main.js') },
  gate: { natives: false, load: () => import('./gate/main.js') },
  'publish-model': { natives: true, load: () => import('./publish-model/main.js') },
  deploy: { natives: false, load: () => import('./deploy/main.js') },
  'drift-check': { natives: true, load: () => import('./drift-check/main.js') },
  affected: { natives: false, load: () => import('./affected/main.js') },
} as const satisfies Record<
  string,
  { natives: boolean; load: () => Promise<{ run: () => Promise<void> }> }
>;

export type StepName = keyof typeof STEPS;

/** True when `name` is one of the suite's steps. */
export function isStepName(name: string): name is StepName {
  return Object.hasOwn(STEPS, name);
}
