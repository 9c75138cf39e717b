import { tf } from '../tf.js';
import { inWasmScope, sizeOf } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/**
 * wasm's BatchMatMul only reaches XNNPACK for a single untransposed product; with transposeA or transposeB (every
 * dense layer's gradient) it runs a scalar triple loop, 10-20x slower. This wrapper makes the operands plain
 * first, either by transposing the flagged operands (C = A'B') or by computing C^T = B'^T A'^T and transposing the
 * small result, whichever moves less data (XNNPACK also repacks the right operand on every call).
 */
export function batchMatMulWasm(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
      const batchA = a.shape.slice(0, -2);
      const batchB = b.shape.slice(0, -2);
      if ((!transposeA && !transposeB) || sizeOf(batchA) !== 1 || sizeOf(batchB) !== 1) return stock.kernelFunc(args);
      const [a0, a1] = a.shape.slice(-2) as [number, number];
      const [b0, b1] = b.shape.slice(-2) as [number, number];
      const [m, k] = transposeA ? [a1, a0] : [a0, a1];
      const n = transposeB ? b0 : b1;
      const outShape = [...(batchA.length > batchB.length ? batchA : batchB), m, n];
      const plain = { transposeA: false, transposeB: false };
      return inWasmScope(args.backend, (scope) => {
        const flip = (x: TensorInfo, rows: number, cols: number) => scope.transpose(scope.view(x, [rows, cols]), [1, 0]);
        const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
        const swapped = (transposeA ? 0 : m * k) + (transposeB ? 0 : k * n) + k * m + m * n;
        if (direct <= swapped) {
          const left = transposeA ? flip(a, k, m) : a;
          const right = transposeB ? flip(b, n, k) : b;
          const c = scope.call(stock, { a: scope.view(left, [1, m, k]), b: scope.view(right, [1, k, n]) }, plain);
          return scope.view(c, outShape);
        }
        // C^T [n, m] = B'^T [n, k] A'^T [k, m]
        const left = transposeB ? b : flip(b, k, n);
        const right = transposeA ? a : flip(a, m, k);
        const ct = scope.call(stock, { a: scope.view(left, [1, n, k]), b: scope.view(right, [1, k, m]) }, plain);
        return scope.view(flip(ct, n, m), outShape);
      });
    },
  };
}
