import { tf } from '../tf.js';
import { conv2dAxes, type TransposedPhase, readWindow } from './conv-geometry.js';
import { phaseInput, transposedByPhases } from './sub-pixel.js';
import { inWasmScope, type WasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;
type Shape4 = [number, number, number, number];

/*
 * wasm has no DepthwiseConv2dNativeBackpropInput / BackpropFilter (tfjs 4.22). Both are built from the stock
 * XNNPACK depthwise conv, like their dense counterparts: the input gradient per sub-pixel phase (filter reversed,
 * channel multiplier summed out), the filter gradient as one depthwise conv with the batch folded into the
 * channels and dy as the (per-channel) filter, dilation = the forward stride, stride = the forward dilation.
 */

export const depthwiseBackpropInputWasm: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, dilations, pad, dimRoundingMode, true);
    const [rows, cols] = conv2dAxes(info);
    const [n, , , channels] = inputShape;
    return inWasmScope(backend, (scope) => {
      const weights = scope.data(filter).slice();
      return transposedByPhases(scope, n, channels, rows, cols, (rowPhase, colPhase) =>
        depthwisePhase(scope, dy, weights, filter.shape as Shape4, rowPhase, colPhase),
      );
    });
  },
};

function depthwisePhase(
  scope: WasmScope,
  dy: TensorInfo,
  weights: Float32Array,
  [, fw, channels, multiplier]: Shape4,
  rowPhase: TransposedPhase,
  colPhase: TransposedPhase,
): TensorInfo | null {
  const phase = phaseInput(scope, dy, rowPhase, colPhase);
  if (!phase) return null;
  // Sub-filter [th, tw, channels * multiplier, 1]: one reversed filter per dy channel.
  const [th, tw] = [rowPhase.taps.length, colPhase.taps.length];
  const width = channels * multiplier;
  const sub = new Float32Array(th * tw * width);
  rowPhase.taps.forEach((a, i) =>
    colPhase.taps.forEach((b, j) => sub.set(weights.subarray((a * fw + b) * width, (a * fw + b + 1) * width), (i * tw + j) * width)),
  );
  const y = scope.run(tf.DepthwiseConv2dNative, { x: phase.input, filter: scope.fromValues([th, tw, width, 1], sub) }, {
    strides: [1, 1],
    dilations: phase.dilations,
    pad: [[0, 0], [phase.pads.top, phase.pads.bottom], [phase.pads.left, phase.pads.right], [0, 0]],
  });
  if (multiplier === 1) return y;
  const [n, u, v] = y.shape as Shape4;
  const summed = scope.run(tf.Sum, { x: scope.view(y, [n * u * v * channels, multiplier]) }, { axis: [1], keepDims: false });
  return scope.view(summed, [n, u, v, channels]);
}

export const depthwiseBackpropFilterWasm: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
    const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, dilations, pad, dimRoundingMode, true);
    const [rows, cols] = conv2dAxes(info);
    const [fh, fw, channels, multiplier] = filterShape;
    const n = x.shape[0]!;
    return inWasmScope(backend, (scope) => {
      const [r, c] = [readWindow(rows), readWindow(cols)];
      const cropped = scope.crop2d(x, r.cropBefore, r.keep, c.cropBefore, c.keep);
      // Channel n * channels + c holds sample n's channel c, in x and in dy (whose channels are c * m + q).
      const folded = scope.view(scope.transpose(cropped, [1, 2, 0, 3]), [1, r.keep, c.keep, n * channels]);
      const [, oh, ow] = dy.shape as Shape4;
      const perSampleFilter = scope.view(scope.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * channels, multiplier]);
      const perSample = scope.run(tf.DepthwiseConv2dNative, { x: folded, filter: perSampleFilter }, {
        strides: [rows.dilation, cols.dilation],
        dilations: [rows.stride, cols.stride],
        pad: [[0, 0], [r.padBefore, r.padAfter], [c.padBefore, c.padAfter], [0, 0]],
      }); // [1, fh, fw, n * channels * multiplier]
      const width = channels * multiplier;
      const summed = scope.run(tf.Sum, { x: scope.view(perSample, [fh * fw, n, width]) }, { axis: [1], keepDims: false });
      return scope.view(summed, [fh, fw, channels, multiplier]);
    });
  },
};
