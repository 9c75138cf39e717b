import { tf } from '../tf.js';
import { inWasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/*
 * wasm's Slice has fast paths only up to rank 4 (rank 5 falls back to generic JS: 1.3 s to take two bars of a
 * [16, 4, 48, 84, 8] piano roll, 17 ms as rank 3), and its Transpose to a scalar index loop for rank >= 5
 * (256 ms vs 2 ms). Both only need the axes that actually move: adjacent axes that a slice takes whole, or that
 * a permutation keeps together, are merged first, then the stock kernel runs on the low-rank view.
 */

/** Slice as the stock kernel on the fewest axes: an axis taken whole merges into the axis before it. */
export function collapsedSliceWasm(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Slice,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
      if (x.shape.length <= 2 || x.dtype === 'string') return stock.kernelFunc(args);
      const [begin_, size_] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
      const shape: number[] = [];
      const from: number[] = [];
      const count: number[] = [];
      x.shape.forEach((dim, axis) => {
        const whole = begin_[axis] === 0 && size_[axis] === dim;
        if (shape.length > 0 && whole) {
          const last = shape.length - 1;
          shape[last]! *= dim;
          from[last]! *= dim;
          count[last]! *= dim;
        } else {
          shape.push(dim);
          from.push(begin_[axis]!);
          count.push(size_[axis]!);
        }
      });
      if (shape.length === x.shape.length) return stock.kernelFunc(args);
      return inWasmScope(args.backend, (scope) => {
        const out = scope.call(stock, { x: scope.view(x, shape) }, { begin: from, size: count });
        return scope.view(out, size_);
      });
    },
  };
}

/** Transpose as the stock kernel on the fewest axes: input axes that stay adjacent and in order move as one. */
export function collapsedTransposeWasm(stock: tf.KernelConfig): tf.KernelConfig {
  return {
    kernelName: tf.Transpose,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      const { perm } = args.attrs as unknown as tf.TransposeAttrs;
      if (x.shape.length <= 2 || x.dtype === 'string') return stock.kernelFunc(args);
      // Runs of the permutation whose input axes are consecutive: [[first input axis, size], ...] in output order.
      const runs: [number, number][] = [];
      perm.forEach((axis, k) => {
        const run = runs[runs.length - 1];
        if (k > 0 && axis === perm[k - 1]! + 1) run![1] *= x.shape[axis]!;
        else runs.push([axis, x.shape[axis]!]);
      });
      if (runs.length === perm.length) return stock.kernelFunc(args);
      const byInput = [...runs].sort((a, b) => a[0] - b[0]);
      const shape = byInput.map(([, dim]) => dim);
      const newPerm = runs.map((run) => byInput.indexOf(run));
      const outShape = perm.map((axis) => x.shape[axis]!);
      return inWasmScope(args.backend, (scope) => {
        const out = scope.call(stock, { x: scope.view(x, shape) }, { perm: newPerm });
        return scope.view(out, outShape);
      });
    },
  };
}
