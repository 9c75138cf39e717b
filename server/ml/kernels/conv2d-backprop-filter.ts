import { tf } from '../tf.js';
import { type AxisGeometry, conv2dAxes, is1x1Identity, readWindow } from './conv-geometry.js';
import { inWasmScope, type WasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/**
 * wasm has no Conv2DBackpropFilter. dW[a, b, ci, co] = sum_{n,i,j} x[n, i*s + a - p, j*s + b - p, ci] dy[n, i, j, co]
 * is itself a forward conv: input x^T [ci, h, w, n] (channels = batch), filter dy^T [i, j, n, co], stride 1,
 * dilation = the forward stride, output [ci, a, b, co].
 */
export const conv2dBackpropFilterWasm: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const [rows, cols] = conv2dAxes(info);
    return inWasmScope(backend, (scope) => conv2dFilterGradient(scope, x, dy, rows, cols));
  },
};

/** dW [fh, fw, ci, co] of an NHWC conv (dilation 1) from x [n, h, w, ci] and dy [n, oh, ow, co]. */
export function conv2dFilterGradient(
  scope: WasmScope,
  x: TensorInfo,
  dy: TensorInfo,
  rows: AxisGeometry,
  cols: AxisGeometry,
): TensorInfo {
  const inChannels = x.shape[3]!;
  const outChannels = dy.shape[3]!;
  if (is1x1Identity(rows, cols)) {
    // Pointwise conv: one matmul x^T dy over all pixels, no transposes.
    const pixels = x.shape[0]! * rows.inSize * cols.inSize;
    const product = scope.run(
      tf.BatchMatMul,
      { a: scope.view(x, [1, pixels, inChannels]), b: scope.view(dy, [1, pixels, outChannels]) },
      { transposeA: true, transposeB: false },
    );
    return scope.view(product, [1, 1, inChannels, outChannels]);
  }
  const cropped = cropToRead(scope, x, rows, cols);
  const xT = scope.transpose(cropped, [3, 1, 2, 0]);
  const dyT = scope.transpose(dy, [1, 2, 0, 3]);
  const perChannel = filterGradientCore(scope, xT, dyT, rows, cols);
  return scope.transpose(perChannel, [1, 2, 0, 3]);
}

/**
 * The conv at the heart of the filter gradient: xT [c, h', w', b] (already cropped by cropToRead) against
 * dyT [oh, ow, b, co] gives [c, fh, fw, co]. Shared by the 3-D kernel, which stacks depth taps in c.
 */
export function filterGradientCore(
  scope: WasmScope,
  xT: TensorInfo,
  dyT: TensorInfo,
  rows: AxisGeometry,
  cols: AxisGeometry,
): TensorInfo {
  const [r, c] = [readWindow(rows), readWindow(cols)];
  return scope.conv2d(xT, dyT, {
    dilations: [rows.stride, cols.stride],
    pads: { top: r.padBefore, bottom: r.padAfter, left: c.padBefore, right: c.padAfter },
  });
}

/** Drops the rows/columns of x [n, h, w, c] the forward conv never reads (negative padding before or after). */
export function cropToRead(scope: WasmScope, x: TensorInfo, rows: AxisGeometry, cols: AxisGeometry): TensorInfo {
  const [r, c] = [readWindow(rows), readWindow(cols)];
  return scope.crop2d(x, r.cropBefore, r.keep, c.cropBefore, c.keep);
}
