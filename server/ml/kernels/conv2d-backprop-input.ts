import { tf } from '../tf.js';
import { type AxisGeometry, conv2dAxes, is1x1Identity, type TransposedPhase } from './conv-geometry.js';
import { phaseInput, transposedByPhases } from './sub-pixel.js';
import { inWasmScope, type WasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/**
 * Replaces wasm's Conv2DBackpropInput (a scalar C++ loop, ~10x slower than the forward conv) with forward convs
 * on XNNPACK. Stride 1: one conv of dy with the flipped, channel-swapped filter. Stride s > 1: s*s sub-pixel phases,
 * each a stride-1 conv of dy with the taps that reach that phase, interleaved afterwards; unlike convolving the
 * zero-dilated dy, nothing is multiplied by an inserted zero.
 */
export const conv2dBackpropInputWasm: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const [rows, cols] = conv2dAxes(info);
    return inWasmScope(backend, (scope) => conv2dInputGradient(scope, dy, filter, rows, cols));
  },
};

/** dx [n, h, w, ci] of an NHWC conv (dilation 1) from dy [n, oh, ow, co] and filter [fh, fw, ci, co]. */
export function conv2dInputGradient(
  scope: WasmScope,
  dy: TensorInfo,
  filter: TensorInfo,
  rows: AxisGeometry,
  cols: AxisGeometry,
): TensorInfo {
  const n = dy.shape[0]!;
  const [, , inChannels, outChannels] = filter.shape as [number, number, number, number];
  if (is1x1Identity(rows, cols)) {
    const pixels = n * rows.inSize * cols.inSize;
    const product = scope.run(
      tf.BatchMatMul,
      { a: scope.view(dy, [1, pixels, outChannels]), b: scope.view(filter, [1, inChannels, outChannels]) },
      { transposeA: false, transposeB: true },
    );
    return scope.view(product, [n, rows.inSize, cols.inSize, inChannels]);
  }
  // A JS copy: heap views go stale whenever the wasm memory grows.
  const weights = scope.data(filter).slice();
  return transposedByPhases(scope, n, inChannels, rows, cols, (rowPhase, colPhase) =>
    phaseCorrelation(scope, dy, weights, filter.shape, rowPhase, colPhase),
  );
}

/** One sub-pixel phase: a stride-1 conv of dy with the taps that reach it; null when no tap does. */
function phaseCorrelation(
  scope: WasmScope,
  dy: TensorInfo,
  weights: Float32Array,
  filterShape: number[],
  rowPhase: TransposedPhase,
  colPhase: TransposedPhase,
): TensorInfo | null {
  const [, fw, inChannels, outChannels] = filterShape as [number, number, number, number];
  const phase = phaseInput(scope, dy, rowPhase, colPhase);
  if (!phase) return null;
  // Sub-filter [th, tw, co, ci]: taps already reversed, in/out channels swapped.
  const [th, tw] = [rowPhase.taps.length, colPhase.taps.length];
  const sub = new Float32Array(th * tw * outChannels * inChannels);
  let at = 0;
  for (const a of rowPhase.taps) {
    for (const b of colPhase.taps) {
      const tap = (a * fw + b) * inChannels * outChannels;
      for (let co = 0; co < outChannels; co++) {
        for (let ci = 0; ci < inChannels; ci++) sub[at++] = weights[tap + ci * outChannels + co]!;
      }
    }
  }
  const filter = scope.fromValues([th, tw, outChannels, inChannels], sub);
  return scope.conv2d(phase.input, filter, { pads: phase.pads, dilations: phase.dilations });
}
