/** The functional layer library: pure functions of (params, scope, input, options). */
export { dense, type DenseOptions } from './dense.js';
export { conv2d, conv2dTranspose, transposedSize, type Conv2DOptions, type Conv2DTransposeOptions, type Padding } from './conv2d.js';
export { conv3d, conv3dTranspose, type Conv3DOptions, type Conv3DTransposeOptions, type Conv3DImplementation } from './conv3d.js';
export { leakyRelu, LEAKY_RELU_SLOPE } from './activations.js';
export { pixelNorm, minibatchStddev, PIXEL_NORM_EPSILON, MINIBATCH_STDDEV_DEFAULTS, type MinibatchStddevOptions } from './normalization.js';
export { upsampleNearest2x, avgPool2x, RESAMPLE_DEFAULTS, type ResampleMethod, type ResampleOptions } from './resample.js';
export { WEIGHT_DEFAULTS, type WeightOptions } from './weights.js';
