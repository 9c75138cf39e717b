import { tf } from '../tf.js';
import { conv3dAxes, readWindow } from './conv-geometry.js';
import { gatherDepthTaps, stackFilterTaps } from './depth-taps.js';
import { inWasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;
type Shape5 = [number, number, number, number, number];

/**
 * wasm's Conv3D is correct but a scalar loop. Here: gather the input slice each depth tap reads, stack the taps in
 * the channels, and run one XNNPACK 2-D conv with the tap-stacked filter.
 */
export const conv3dWasm: tf.KernelConfig = {
  kernelName: tf.Conv3D,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
    const { strides, pad, dilations, dataFormat } = attrs as unknown as tf.Conv3DAttrs;
    if (dataFormat === 'NCDHW') throw new Error('wasm Conv3D supports NDHWC only');
    const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, filter.shape as Shape5, strides, dilations, pad);
    const [depth, rows, cols] = conv3dAxes(info);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
    const taps = depth.filterSize;
    return inWasmScope(backend, (scope) => {
      // [taps, n * od * h * w, ci] -> [n * od * h * w, taps, ci]: the taps become channels.
      const gathered = gatherDepthTaps(scope, x, n, depth);
      const pixels = n * depth.outSize * h * w;
      const stacked = taps === 1 ? gathered : scope.transpose(scope.view(gathered, [taps, pixels, ci]), [1, 0, 2]);
      const [r, c] = [readWindow(rows), readWindow(cols)];
      const planes = scope.crop2d(scope.view(stacked, [n * depth.outSize, h, w, taps * ci]), r.cropBefore, r.keep, c.cropBefore, c.keep);
      const y = scope.conv2d(planes, stackFilterTaps(scope, filter), {
        strides: [rows.stride, cols.stride],
        dilations: [rows.dilation, cols.dilation],
        pads: { top: r.padBefore, bottom: r.padAfter, left: c.padBefore, right: c.padAfter },
      });
      return scope.view(y, [n, depth.outSize, info.outHeight, info.outWidth, co]);
    });
  },
};
