import { prepareNativeRuntime } from './runtime/nativeRuntime.js';
import { STEPS, type StepName } from './steps.js';

/** Loads a step (its natives first, where it needs them) and runs it. */
export async function runStep(name: StepName): Promise<void> {
  const step = STEPS[name];
  if (step.natives) await prepareNativeRuntime();
  const { run } = await step.load();
  await run();
}
