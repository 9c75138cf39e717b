import { tf } from '../../tf.js';

/*
 * Pooling and resizing backprop kernels are linear in dy; their gradient with respect to dy is the adjoint, i.e.
 * the forward op again. The saved forward input only contributes its shape: zero gradient.
 */

/**
 * AvgPoolGrad spreads dy[o] / (fh * fw) over o's window (tfjs' definition, also for windows clipped by 'same'
 * padding), so its adjoint sums ddx over the in-bounds window / (fh * fw) = avgPool(ddx) * inBounds / (fh * fw).
 */
export const avgPoolGradGradient: tf.GradConfig = {
  kernelName: tf.AvgPoolGrad,
  inputsToSave: ['dy', 'input'],
  gradFunc: (ddx, saved, attrs) => {
    const [, input] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
    return {
      dy: () => {
        const pooled = tf.avgPool(ddx as tf.Tensor4D, filterSize, strides, pad);
        const scale = inBoundsFraction(input.shape, filterSize, strides, pad);
        return scale ? tf.mul(pooled, scale) : pooled;
      },
      input: () => tf.zerosLike(input),
    };
  },
};

/** [1, oh, ow, 1] fraction of each pooling window inside the input, or null when every window is whole. */
function inBoundsFraction(
  shape: number[],
  filterSize: tf.AvgPoolGradAttrs['filterSize'],
  strides: tf.AvgPoolGradAttrs['strides'],
  pad: tf.AvgPoolGradAttrs['pad'],
): tf.Tensor | null {
  const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], filterSize, strides, 1, pad);
  const inside = (outSize: number, inSize: number, filter: number, stride: number, before: number) =>
    Array.from({ length: outSize }, (_, o) => {
      const start = o * stride - before;
      return Math.min(inSize, start + filter) - Math.max(0, start);
    });
  const rows = inside(info.outHeight, info.inHeight, info.filterHeight, info.strideHeight, info.padInfo.top);
  const cols = inside(info.outWidth, info.inWidth, info.filterWidth, info.strideWidth, info.padInfo.left);
  const full = info.filterHeight * info.filterWidth;
  if (rows.every((r) => r === info.filterHeight) && cols.every((c) => c === info.filterWidth)) return null;
  const values = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => (values[i * cols.length + j] = (r * c) / full)));
  return tf.tensor4d(values, [1, rows.length, cols.length, 1]);
}

export const resizeNearestNeighborGradGradient: tf.GradConfig = {
  kernelName: tf.ResizeNearestNeighborGrad,
  inputsToSave: ['images', 'dy'],
  gradFunc: (ddx, saved, attrs) => {
    const [images, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeNearestNeighborAttrs;
    const size: [number, number] = [dy.shape[1], dy.shape[2]];
    return {
      dy: () => tf.image.resizeNearestNeighbor(ddx as tf.Tensor4D, size, alignCorners, halfPixelCenters),
      images: () => tf.zerosLike(images),
    };
  },
};

export const resizeBilinearGradGradient: tf.GradConfig = {
  kernelName: tf.ResizeBilinearGrad,
  inputsToSave: ['images', 'dy'],
  gradFunc: (ddx, saved, attrs) => {
    const [images, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { alignCorners, halfPixelCenters } = attrs as unknown as tf.ResizeBilinearAttrs;
    const size: [number, number] = [dy.shape[1], dy.shape[2]];
    return {
      dy: () => tf.image.resizeBilinear(ddx as tf.Tensor4D, size, alignCorners, halfPixelCenters),
      images: () => tf.zerosLike(images),
    };
  },
};
