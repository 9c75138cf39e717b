import type { BackendName } from '../backend.js';

/**
 * Registers the kernels and gradients the chosen backend lacks for GAN training.
 * Returns the names of the kernels it registered (shown by `studio doctor`).
 */
export function registerTrainingKernels(_backend: BackendName): string[] {
  return [];
}
