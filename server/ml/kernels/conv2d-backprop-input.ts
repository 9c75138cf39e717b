import { tf } from '../tf.js';
import { type AxisGeometry, conv2dAxes, is1x1Identity, type TransposedPhase, transposedPlan } from './conv-geometry.js';
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
  const rowPlan = transposedPlan(rows);
  const colPlan = transposedPlan(cols);
  // A JS copy: heap views go stale whenever the wasm memory grows.
  const weights = scope.data(filter).slice();
  const phaseOutputs: (TensorInfo | null)[] = [];
  for (const rowPhase of rowPlan.phases) {
    for (const colPhase of colPlan.phases) {
      phaseOutputs.push(phaseCorrelation(scope, dy, weights, filter.shape, rowPhase, colPhase));
    }
  }
  const [blockRows, blockCols] = [rowPlan.blocks, colPlan.blocks];
  const [sh, sw] = [rows.stride, cols.stride];
  let full: TensorInfo;
  if (phaseOutputs.length === 1) {
    full = phaseOutputs[0] ?? scope.zeros([n, blockRows, blockCols, inChannels]);
  } else {
    // Stack the phases [sh, sw, n*U*V, ci], then interleave with at most two rank<=4 transposes.
    const block = n * blockRows * blockCols * inChannels;
    const stacked = scope.alloc([sh, sw, n * blockRows * blockCols, inChannels]);
    const stackedValues = scope.data(stacked);
    phaseOutputs.forEach((phase, i) => {
      if (phase) stackedValues.set(scope.data(phase), i * block);
      else stackedValues.fill(0, i * block, (i + 1) * block);
    });
    let interleaved = stacked;
    if (sw > 1) interleaved = scope.transpose(interleaved, [0, 2, 1, 3]);
    if (sh > 1) {
      const byRows = scope.view(interleaved, [sh, n * blockRows, blockCols * sw * inChannels]);
      interleaved = scope.transpose(byRows, [1, 0, 2]);
    }
    full = scope.view(interleaved, [n, blockRows * sh, blockCols * sw, inChannels]);
  }
  return scope.crop2d(full, 0, rows.inSize, 0, cols.inSize);
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
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const [th, tw] = [rowPhase.taps.length, colPhase.taps.length];
  if (th === 0 || tw === 0) return null;
  const cropTop = Math.max(0, -rowPhase.padBefore);
  const cropLeft = Math.max(0, -colPhase.padBefore);
  const keepRows = oh - cropTop - Math.max(0, -rowPhase.padAfter);
  const keepCols = ow - cropLeft - Math.max(0, -colPhase.padAfter);
  if (keepRows <= 0 || keepCols <= 0) return null;
  // Sub-filter [th, tw, co, ci]: taps already reversed, in/out channels swapped.
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
  const input = scope.crop2d(dy, cropTop, keepRows, cropLeft, keepCols);
  return scope.conv2d(input, filter, {
    pads: {
      top: Math.max(0, rowPhase.padBefore),
      bottom: Math.max(0, rowPhase.padAfter),
      left: Math.max(0, colPhase.padBefore),
      right: Math.max(0, colPhase.padAfter),
    },
  });
}
