import { tf } from '../tf.js';
import { inWasmScope, type WasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;

/**
 * wasm's AvgPoolGrad is a slow scalar C++ loop (~100 ms for a [16, 64, 512, 16] gradient). Non-overlapping
 * power-of-two windows (the GANs' 2x2 pooling) are a scaled nearest-neighbour upsampling, zero-padded where 'valid'
 * pooling dropped trailing rows: ~15 ms. Other windows scatter dy / (fh * fw) in JS. Both keep tfjs' definition
 * (the divisor is the full window size, also where 'same' padding clips a window).
 */
export const avgPoolGradWasm: tf.KernelConfig = {
  kernelName: tf.AvgPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
    const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad);
    return inWasmScope(backend, (scope) => (tilesExactly(info) ? upsampled(scope, dy, info) : scattered(scope, dy, info)));
  },
};

const powerOfTwo = (n: number) => (n & (n - 1)) === 0;

/** Windows tile the input without overlap or padding, with factors nearest-neighbour resizing maps exactly. */
function tilesExactly(info: tf.backend_util.Conv2DInfo): boolean {
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  return fh === sh && fw === sw && powerOfTwo(fh) && powerOfTwo(fw) && padInfo.top === 0 && padInfo.left === 0;
}

function upsampled(scope: WasmScope, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: fh, filterWidth: fw, outHeight, outWidth, inHeight, inWidth } = info;
  const scale = scope.fromValues([], Float32Array.of(1 / (fh * fw)));
  const scaled = scope.run(tf.Multiply, { a: dy, b: scale });
  const size = [outHeight * fh, outWidth * fw];
  const up = scope.run(tf.ResizeNearestNeighbor, { images: scaled }, { size, alignCorners: false, halfPixelCenters: false });
  const rows = Math.max(0, inHeight - size[0]!);
  const cols = Math.max(0, inWidth - size[1]!);
  return scope.pad(up, [[0, 0], [0, rows], [0, cols], [0, 0]]);
}

function scattered(scope: WasmScope, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, filterHeight, filterWidth } = info;
  const dx = scope.zeros([batchSize, inHeight, inWidth, c]);
  const grad = scope.data(dy);
  const out = scope.data(dx);
  const scale = 1 / (filterHeight * filterWidth);
  let at = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * info.strideHeight - info.padInfo.top;
      const [r0, r1] = [Math.max(0, top), Math.min(inHeight, top + filterHeight)];
      for (let ow = 0; ow < outWidth; ow++, at += c) {
        const left = ow * info.strideWidth - info.padInfo.left;
        const [c0, c1] = [Math.max(0, left), Math.min(inWidth, left + filterWidth)];
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const to = ((n * inHeight + r) * inWidth + col) * c;
            for (let k = 0; k < c; k++) out[to + k]! += grad[at + k]! * scale;
          }
        }
      }
    }
  }
  return dx;
}
