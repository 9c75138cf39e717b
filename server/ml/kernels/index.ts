import { tf } from '../tf.js';
import type { BackendName } from '../backend.js';
import { avgPoolGradWasm } from './avg-pool-grad.js';
import { batchMatMulWasm } from './batch-matmul.js';
import { collapsedSliceWasm, collapsedTransposeWasm } from './collapse-dims.js';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input.js';
import { conv3dWasm } from './conv3d.js';
import { conv3dBackpropFilterWasm } from './conv3d-backprop-filter.js';
import { conv3dBackpropInputWasm } from './conv3d-backprop-input.js';
import { depthwiseBackpropFilterWasm, depthwiseBackpropInputWasm } from './depthwise-backprop.js';
import { leakyReluGradient } from './gradients/activation-gradients.js';
import { greaterGradient } from './gradients/comparison-gradients.js';
import {
  conv2dBackpropFilterGradient,
  conv3dBackpropFilterGradient,
  conv3dBackpropInputGradient,
  depthwiseBackpropFilterGradient,
  depthwiseBackpropInputGradient,
} from './gradients/conv-gradients.js';
import {
  avgPoolGradGradient,
  resizeBilinearGradGradient,
  resizeNearestNeighborGradGradient,
} from './gradients/sampling-gradients.js';
import { leadingReductionWasm } from './reduce-leading.js';
import { resizeGradKernels } from './resize-grad.js';
import { sharedIdentityWasm, sharedSameTypeCastWasm } from './shared-identity.js';

type StockLookup = (kernelName: string) => tf.KernelConfig | undefined;

/** Kernels this project adds or replaces per backend (stock ones are missing, wrong, or a scalar loop). */
const KERNELS: Partial<Record<BackendName, (stock: StockLookup) => tf.KernelConfig[]>> = {
  wasm: (stock) => [
    ...wrapStock(stock, tf.Slice, collapsedSliceWasm),
    ...wrapStock(stock, tf.Transpose, collapsedTransposeWasm),
    ...wrapStock(stock, tf.Identity, sharedIdentityWasm),
    ...wrapStock(stock, tf.Cast, sharedSameTypeCastWasm),
    ...wrapStock(stock, tf.BatchMatMul, batchMatMulWasm),
    ...wrapStock(stock, tf.Sum, (k) => leadingReductionWasm(k, false)),
    ...wrapStock(stock, tf.Mean, (k) => leadingReductionWasm(k, true)),
    avgPoolGradWasm,
    conv2dBackpropFilterWasm,
    conv2dBackpropInputWasm,
    conv3dWasm,
    conv3dBackpropInputWasm,
    conv3dBackpropFilterWasm,
    depthwiseBackpropInputWasm,
    depthwiseBackpropFilterWasm,
    ...resizeGradKernels('wasm', stock),
  ],
  cpu: (stock) => resizeGradKernels('cpu', stock),
};

/** A patch that wraps the stock kernel, when there is one to wrap. */
function wrapStock(stock: StockLookup, kernelName: string, wrap: (k: tf.KernelConfig) => tf.KernelConfig): tf.KernelConfig[] {
  const existing = stock(kernelName);
  return existing ? [wrap(existing)] : [];
}

/**
 * Gradients no backend has (to train conv3dTranspose, and for WGAN-GP's double backprop), plus a leakyRelu
 * gradient that replaces tfjs' slow where/greater formulation.
 */
const GRADIENTS: tf.GradConfig[] = [
  conv2dBackpropFilterGradient,
  conv3dBackpropInputGradient,
  conv3dBackpropFilterGradient,
  depthwiseBackpropInputGradient,
  depthwiseBackpropFilterGradient,
  greaterGradient,
  leakyReluGradient,
  avgPoolGradGradient,
  resizeNearestNeighborGradGradient,
  resizeBilinearGradGradient,
];

/** What each backend got, so a second call changes nothing and reports the same. */
const registered = new Map<string, string[]>();

/**
 * Registers the kernels and gradients the chosen backend lacks for GAN training; idempotent. Gradients are
 * backend-independent (registered on the first call); kernels are registered for `backend` only.
 * Returns the names of everything in place for that backend (shown by `studio doctor`).
 */
export function registerTrainingKernels(backend: BackendName): string[] {
  if (!registered.has('gradients')) {
    for (const config of GRADIENTS) tf.registerGradient(config);
    registered.set('gradients', GRADIENTS.map((g) => `${g.kernelName} (gradient)`));
  }
  if (!registered.has(backend)) {
    const make = KERNELS[backend];
    const configs = make ? make((kernelName) => tf.getKernel(kernelName, backend)) : [];
    for (const config of configs) {
      if (tf.getKernel(config.kernelName, backend)) tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
    registered.set(backend, configs.map((k) => `${k.kernelName} (${backend})`));
  }
  return [...registered.get(backend)!, ...registered.get('gradients')!];
}
