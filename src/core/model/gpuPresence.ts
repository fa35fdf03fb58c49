import { existsSync } from 'node:fs';
import type { ExecutionProvider } from './onnxModel.js';

/**
 * The execution providers to try: CUDA first where an NVIDIA driver is present (its control
 * device exists), CPU always. A missing CUDA runtime falls back to CPU, and the report says which.
 */
export function defaultExecutionProviders(devicePath = '/dev/nvidiactl'): ExecutionProvider[] {
  return existsSync(devicePath) ? ['cuda', 'cpu'] : ['cpu'];
}
