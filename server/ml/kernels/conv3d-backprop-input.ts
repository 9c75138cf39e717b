import { tf } from '../tf.js';
import { conv3dAxes } from './conv-geometry.js';
import { conv2dInputGradient } from './conv2d-backprop-input.js';
import { scatterAddDepthTaps, stackFilterTaps } from './depth-taps.js';
import { inWasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;
type Shape5 = [number, number, number, number, number];

/**
 * wasm's Conv3DBackpropInputV2 gives wrong results (tfjs 4.22). The input gradient of the tap-stacked 2-D conv
 * (see conv3d.ts) is a 2-D input gradient with the tap-stacked filter, whose tap channels are then summed back
 * into the depth slices they came from. This is also conv3dTranspose's forward pass.
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
    const taps = depth.filterSize;
    return inWasmScope(backend, (scope) => {
      const slices = n * depth.outSize;
      const flatDy = scope.view(dy, [slices, info.outHeight, info.outWidth, co]);
      // [n * od, h, w, taps * ci] -> [taps, n * od * h * w * ci]
      const perTap = conv2dInputGradient(scope, flatDy, stackFilterTaps(scope, filter), rows, cols);
      const tapsFirst = taps === 1 ? perTap : scope.transpose(scope.view(perTap, [slices * h * w, taps, ci]), [1, 0, 2]);
      const dx = scatterAddDepthTaps(scope, tapsFirst, n, depth);
      return scope.view(dx, [n, depth.inSize, h, w, ci]);
    });
  },
};
