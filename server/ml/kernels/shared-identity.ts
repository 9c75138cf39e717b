import { tf } from '../tf.js';
import type { WasmBackend } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/*
 * The engine clones every tensor it saves for backprop (engine.saveTensorsForBackwardMode -> Identity), and
 * tf.avgPool & co. end with a same-dtype cast. On cpu both share the buffer by reference count; on wasm both copy
 * it (about 10% of a note-GAN iteration: some 400 full-activation copies). Tensors are immutable, so sharing is
 * safe, and wasm's own Reshape already shares the same way.
 */

function share(backend: unknown, x: TensorInfo): TensorInfo {
  (backend as WasmBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function sharedIdentityWasm(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Identity,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      return x.dtype === 'string' ? stock.kernelFunc(args) : share(args.backend, x);
    },
  };
}

export function sharedSameTypeCastWasm(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Cast,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { dtype } = args.attrs as unknown as tf.CastAttrs;
      return x.dtype === dtype && dtype !== 'string' ? share(args.backend, x) : stock.kernelFunc(args);
    },
  };
}
