import { tf } from '../tf.js';
import { conv3dAxes } from './conv-geometry.js';
import { conv2dFilterGradient, cropToRead, filterGradientCore } from './conv2d-backprop-filter.js';
import { depthIsIdentity, gatherDepthTaps } from './depth-taps.js';
import { inWasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;
type Shape5 = [number, number, number, number, number];

/**
 * wasm's Conv3DBackpropFilterV2 is wrong whenever a stride exceeds 1 (tfjs 4.22). The filter gradient of the
 * tap-stacked 2-D conv (see conv3d.ts) is one 2-D filter-gradient conv whose batch holds (tap, input channel).
 */
export const conv3dBackpropFilterWasm: tf.KernelConfig = {
  kernelName: tf.Conv3DBackpropFilterV2,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { strides, pad, filterShape } = attrs as unknown as tf.Conv3DBackpropFilterV2Attrs;
    const info = tf.backend_util.computeConv3DInfo(x.shape as Shape5, filterShape, strides, 1, pad);
    const [depth, rows, cols] = conv3dAxes(info);
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
    const [fd, fh, fw] = [info.filterDepth, info.filterHeight, info.filterWidth];
    return inWasmScope(backend, (scope) => {
      const slices = n * depth.outSize;
      const flatDy = scope.view(dy, [slices, info.outHeight, info.outWidth, co]);
      if (depthIsIdentity(depth)) {
        const dw = conv2dFilterGradient(scope, scope.view(x, [n * depth.inSize, h, w, ci]), flatDy, rows, cols);
        return scope.view(dw, [1, fh, fw, ci, co]);
      }
      const cropped = cropToRead(scope, scope.view(x, [n * depth.inSize, h, w, ci]), rows, cols);
      const [, keptRows, keptCols] = cropped.shape as [number, number, number, number];
      // [fd, n * od, h' * w', ci] -> [fd, ci, h' * w', n * od]: (tap, channel) in the batch, samples in the channels.
      const gathered = gatherDepthTaps(scope, cropped, n, depth);
      const xT = scope.transpose(scope.view(gathered, [fd, slices, keptRows * keptCols, ci]), [0, 3, 2, 1]);
      const dyT = scope.transpose(flatDy, [1, 2, 0, 3]);
      const core = filterGradientCore(scope, scope.view(xT, [fd * ci, keptRows, keptCols, slices]), dyT, rows, cols);
      const dw = scope.transpose(scope.view(core, [fd, ci, fh * fw, co]), [0, 2, 1, 3]);
      return scope.view(dw, [fd, fh, fw, ci, co]);
    });
  },
};
