import { tf } from '../tf.js';
import { inWasmScope, sizeOf } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/**
 * wasm's Sum and Mean first transpose the reduced axes innermost; reducing the leading axes of a large activation
 * (every bias gradient: [16, 64, 512, 16] -> [16]) is dominated by that rank-4 transpose (~70 ms). When the
 * reduced axes are exactly the leading ones, the reduction is one XNNPACK average pooling of the [1, rows, 1, rest]
 * view with a [rows, 1] window (~5 ms), times rows for a sum. (A ones-vector matmul is slower: XNNPACK repacks
 * the whole matrix as weights.)
 */
export function leadingReductionWasm(stock: tf.KernelConfig, mean: boolean): tf.KernelConfig {
  return {
    kernelName: stock.kernelName,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
      const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
      if (!leading || x.dtype !== 'float32') return stock.kernelFunc(args);
      const rows = sizeOf(x.shape.slice(0, axes.length));
      const kept = x.shape.slice(axes.length);
      const width = sizeOf(kept);
      if (rows === 1) return stock.kernelFunc(args);
      return inWasmScope(args.backend, (scope) => {
        const image = scope.view(x, [1, rows, 1, width]);
        let reduced = scope.run(tf.AvgPool, { x: image }, { filterSize: [rows, 1], strides: [rows, 1], pad: 'valid' });
        if (!mean) reduced = scope.run(tf.Multiply, { a: reduced, b: scope.fromValues([], Float32Array.of(rows)) });
        return scope.view(reduced, keepDims ? [...axes.map(() => 1), ...kept] : kept);
      });
    },
  };
}
