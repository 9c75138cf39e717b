import type { tf } from '../tf.js';
import type { AxisGeometry } from './conv-geometry.js';
import type { WasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/*
 * A 3-D conv is a 2-D conv whose input channels are stacked over the depth taps:
 *   y[n, od] = conv2d(concat_kd x[n, od * sd + kd * dd - pf], concat_kd w[kd]).
 * These helpers move whole depth slices (long contiguous copies) so every tensor stays at rank <= 4; the
 * wasm backend's Slice and Transpose fall back to slow generic code at rank 5.
 */

/** True when the depth axis maps each input slice to the output slice of the same index (nothing to gather). */
export function depthIsIdentity(depth: AxisGeometry): boolean {
  return depth.filterSize === 1 && depth.stride === 1 && depth.padBefore === 0 && depth.inSize === depth.outSize;
}

/**
 * x [n, inDepth, slice] -> [taps, n, outDepth, slice]: the input slice each (tap, output depth) reads, zeros where
 * the tap falls into the depth padding.
 */
export function gatherDepthTaps(scope: WasmScope, x: TensorInfo, batch: number, depth: AxisGeometry): TensorInfo {
  const slice = sliceSize(x, batch, depth.inSize);
  if (depthIsIdentity(depth)) return scope.view(x, [1, batch, depth.outSize, slice]);
  const taps = depth.filterSize;
  const out = scope.alloc([taps, batch, depth.outSize, slice]);
  const src = scope.data(x);
  const dst = scope.data(out);
  for (let k = 0; k < taps; k++) {
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < depth.outSize; o++) {
        const d = o * depth.stride + k * depth.dilation - depth.padBefore;
        const at = ((k * batch + b) * depth.outSize + o) * slice;
        if (d >= 0 && d < depth.inSize) {
          const from = (b * depth.inSize + d) * slice;
          dst.set(src.subarray(from, from + slice), at);
        } else {
          dst.fill(0, at, at + slice);
        }
      }
    }
  }
  return out;
}

/** filter [fd, fh, fw, ci, co] -> [fh, fw, fd * ci, co], matching the tap-stacked channels. */
export function stackFilterTaps(scope: WasmScope, filter: TensorInfo): TensorInfo {
  const [fd, fh, fw, ci, co] = filter.shape as [number, number, number, number, number];
  if (fd === 1) return scope.view(filter, [fh, fw, ci, co]);
  const moved = scope.transpose(scope.view(filter, [fd, fh * fw, ci * co]), [1, 0, 2]);
  return scope.view(moved, [fh, fw, fd * ci, co]);
}

function sliceSize(x: TensorInfo, batch: number, depth: number): number {
  const size = x.shape.reduce((a, b) => a * b, 1);
  if (size % (batch * depth) !== 0) throw new Error(`[${x.shape}] is not ${batch} x ${depth} depth slices`);
  return size / (batch * depth);
}
