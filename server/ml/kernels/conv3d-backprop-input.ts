import { tf } from '../tf.js';
import { type AxisGeometry, conv3dAxes, transposedPlan } from './conv-geometry.js';
import { conv2dInputGradient } from './conv2d-backprop-input.js';
import { gatherDepthTaps } from './depth-taps.js';
import { inWasmScope, type WasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;
type Shape5 = [number, number, number, number, number];

/**
 * wasm's Conv3DBackpropInputV2 gives wrong results (tfjs 4.22); it is also conv3dTranspose's forward pass.
 * Along depth this is a 1-D transposed conv, split into depth phases like the 2-D sub-pixel decomposition: the
 * input slices d = u * sd + phase all receive the same depth taps, so for each phase the dy slices those taps
 * read are gathered and stacked in the channels, and one 2-D input gradient with the matching tap-stacked filter
 * sums over the taps. Gathering dy (the smaller tensor) avoids scattering fd partial results into dx.
 */
export const conv3dBackpropInputWasm: tf.KernelConfig = {
  kernelName: tf.Conv3DBackpropInputV2,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, inputShape } = attrs as unknown as tf.Conv3DBackpropInputV2Attrs;
    const info = tf.backend_util.computeConv3DInfo(inputShape, filter.shape as Shape5, strides, 1, pad);
    const [depth, rows, cols] = conv3dAxes(info);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
    return inWasmScope(backend, (scope) => {
      const weights = scope.data(filter).slice();
      const plan = transposedPlan(depth);
      const slab = h * w * ci;
      const phaseOutputs = plan.phases.map((phase) => {
        if (phase.taps.length === 0) return null;
        // dy slices u + j - padBefore for tap j, as a stride-1 "conv" over depth with taps.length taps.
        const window: AxisGeometry = {
          inSize: depth.outSize,
          outSize: plan.blocks,
          filterSize: phase.taps.length,
          stride: 1,
          dilation: 1,
          padBefore: phase.padBefore,
        };
        const stackedDy = stackInChannels(scope, gatherDepthTaps(scope, dy, n, window), co);
        const stackedFilter = scope.fromValues(
          [info.filterHeight, info.filterWidth, ci, phase.taps.length * co],
          filterForTaps(weights, filter.shape as Shape5, phase.taps),
        );
        const flat = scope.view(stackedDy, [n * plan.blocks, info.outHeight, info.outWidth, phase.taps.length * co]);
        return conv2dInputGradient(scope, flat, stackedFilter, rows, cols); // [n * blocks, h, w, ci]
      });
      if (depth.stride === 1 && plan.blocks === depth.inSize) {
        const only = phaseOutputs[0] ?? scope.zeros([n * depth.inSize, h, w, ci]);
        return scope.view(only, [n, depth.inSize, h, w, ci]);
      }
      const dx = scope.alloc([n, depth.inSize, h, w, ci]);
      const out = scope.data(dx);
      for (let d = 0; d < depth.inSize; d++) {
        const phase = phaseOutputs[d % depth.stride];
        const block = Math.floor(d / depth.stride);
        const values = phase ? scope.data(phase) : null;
        for (let b = 0; b < n; b++) {
          const to = (b * depth.inSize + d) * slab;
          if (!values) out.fill(0, to, to + slab);
          else out.set(values.subarray((b * plan.blocks + block) * slab, (b * plan.blocks + block + 1) * slab), to);
        }
      }
      return dx;
    });
  },
};

/** [taps, rest..., c] gathered slices -> [rest..., taps * c]: taps become channel blocks. */
function stackInChannels(scope: WasmScope, gathered: TensorInfo, channels: number): TensorInfo {
  const taps = gathered.shape[0]!;
  if (taps === 1) return gathered;
  const pixels = gathered.shape.reduce((a, b) => a * b, 1) / (taps * channels);
  return scope.transpose(scope.view(gathered, [taps, pixels, channels]), [1, 0, 2]);
}

/** filter [fd, fh, fw, ci, co] -> [fh, fw, ci, taps * co] holding w[taps[j]] in channel block j. */
function filterForTaps(weights: Float32Array, shape: Shape5, taps: number[]): Float32Array {
  const [, fh, fw, ci, co] = shape;
  const plane = fh * fw * ci;
  const out = new Float32Array(plane * taps.length * co);
  for (let p = 0; p < plane; p++) {
    for (let j = 0; j < taps.length; j++) {
      const from = (taps[j]! * plane + p) * co;
      out.set(weights.subarray(from, from + co), (p * taps.length + j) * co);
    }
  }
  return out;
}
