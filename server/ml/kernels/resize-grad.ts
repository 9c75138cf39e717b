import { tf } from '../tf.js';
import { bilinearAdjoint, nearestAdjoint, type ResizeGeometry } from './resize-adjoint.js';
import { inWasmScope } from './wasm-scope.js';

type TensorInfo = tf.TensorInfo;
type Adjoint = (dy: Float32Array, g: ResizeGeometry) => Float32Array;

/*
 * tfjs 4.22's resize gradient kernels are wrong in three ways: cpu ResizeBilinearGrad returns shape
 * [b, w, h, c] (fails unless h == w); cpu ResizeNearestNeighborGrad reads dy with the image's batch stride (wrong
 * for batch > 1); cpu and wasm both ignore halfPixelCenters (PyTorch's align_corners=False). These replacements
 * are the exact adjoints of the forward kernels. On wasm the stock C++ bilinear gradient stays in use where it is
 * right, and the nearest gradient of an integer upscaling (every GAN upsampling) is a block sum: XNNPACK average
 * pooling times the block size, ~10x faster than the stock kernel.
 */

interface HostBackend {
  readSync(dataId: tf.DataId): unknown;
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array): TensorInfo;
}

function resizeGradKernel(
  kernelName: string,
  backendName: 'cpu' | 'wasm',
  adjoint: Adjoint,
  stock: tf.KernelConfig | undefined,
): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: (args) => {
      const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
      const { alignCorners, halfPixelCenters } = args.attrs as unknown as tf.ResizeBilinearAttrs;
      const [batch, inHeight, inWidth, channels] = images.shape as [number, number, number, number];
      const [, outHeight, outWidth] = dy.shape as [number, number, number, number];
      if (backendName === 'wasm') {
        const nearest = kernelName === tf.ResizeNearestNeighborGrad;
        const [fh, fw] = [outHeight / inHeight, outWidth / inWidth];
        // Power-of-two factors: the forward's float source index is exact, so blocks are exactly fh x fw.
        if (nearest && !alignCorners && isPowerOfTwo(fh) && isPowerOfTwo(fw)) return blockSum(args.backend, dy, fh, fw);
        if (!nearest && !halfPixelCenters && stock) return stock.kernelFunc(args);
      }
      const host = args.backend as unknown as HostBackend;
      const values = Float32Array.from(host.readSync(dy.dataId) as ArrayLike<number>);
      const g = { batch, inHeight, inWidth, outHeight, outWidth, channels, alignCorners, halfPixelCenters: !!halfPixelCenters };
      const dx = adjoint(values, g);
      if (host.makeTensorInfo && backendName === 'cpu') return host.makeTensorInfo(images.shape, 'float32', dx);
      if (host.makeOutput) return host.makeOutput(images.shape, 'float32', undefined, dx);
      throw new Error(`backend ${backendName} cannot make an output tensor`);
    },
  };
}

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** Sum over each fh x fw block of dy: the adjoint of repeating each pixel over such a block. */
function blockSum(backend: unknown, dy: TensorInfo, fh: number, fw: number): TensorInfo {
  return inWasmScope(backend, (scope) => {
    const mean = scope.run(tf.AvgPool, { x: dy }, { filterSize: [fh, fw], strides: [fh, fw], pad: 'valid' });
    return scope.run(tf.Multiply, { a: mean, b: scope.fromValues([], Float32Array.of(fh * fw)) });
  });
}

/** Correct ResizeBilinearGrad and ResizeNearestNeighborGrad for `backendName`; `stock` looks up what they replace. */
export function resizeGradKernels(
  backendName: 'cpu' | 'wasm',
  stock: (kernelName: string) => tf.KernelConfig | undefined,
): tf.KernelConfig[] {
  return [
    resizeGradKernel(tf.ResizeBilinearGrad, backendName, bilinearAdjoint, stock(tf.ResizeBilinearGrad)),
    resizeGradKernel(tf.ResizeNearestNeighborGrad, backendName, nearestAdjoint, stock(tf.ResizeNearestNeighborGrad)),
  ];
}
