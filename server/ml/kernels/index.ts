import { tf } from '../tf.js';
import type { BackendName } from '../backend.js';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input.js';

/** wasm kernels this project adds or replaces (stock ones are missing, wrong, or a scalar loop). */
const WASM_KERNELS: tf.KernelConfig[] = [conv2dBackpropFilterWasm, conv2dBackpropInputWasm];

/** Gradients no backend has, needed to train conv3dTranspose and for WGAN-GP's double backprop. */
const GRADIENTS: tf.GradConfig[] = [];

const installed = new Set<string>();

/**
 * Registers the kernels and gradients the chosen backend lacks for GAN training, once per process
 * (idempotent). Gradients are backend-independent and always registered; wasm kernels only when `backend` is wasm.
 * Returns the names of everything registered for that backend (shown by `studio doctor`).
 */
export function registerTrainingKernels(backend: BackendName): string[] {
  const names: string[] = [];
  for (const config of GRADIENTS) {
    const key = `gradient:${config.kernelName}`;
    if (!installed.has(key)) {
      tf.registerGradient(config);
      installed.add(key);
    }
    names.push(`${config.kernelName} (gradient)`);
  }
  if (backend === 'wasm') {
    for (const config of WASM_KERNELS) {
      const key = `wasm:${config.kernelName}`;
      if (!installed.has(key)) {
        if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
        tf.registerKernel(config);
        installed.add(key);
      }
      names.push(`${config.kernelName} (wasm)`);
    }
  }
  return names;
}
