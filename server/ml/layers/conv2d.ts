/** 2-D convolutions over NHWC tensors. */
import { tf } from '../tf.js';
import type { ParamStore } from '../params.js';
import { WEIGHT_DEFAULTS, addBias, bias, kernel, tupleOf, type WeightOptions } from './weights.js';

export type Padding = 'same' | 'valid';

export interface Conv2DOptions extends Partial<WeightOptions> {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dilation?: number | [number, number];
}

/**
 * [b, h, w, cin] -> [b, ceil(h/sh), ceil(w/sw), filters] ('same') or [b, ceil((h-kh+1)/sh), …] ('valid').
 * Parameters `scope/kernel` [kh, kw, cin, filters], `scope/bias` [filters].
 */
export function conv2d(p: ParamStore, scope: string, x: tf.Tensor4D, options: Conv2DOptions): tf.Tensor4D {
  const o = { ...WEIGHT_DEFAULTS, ...options };
  const [kh, kw] = tupleOf(o.kernelSize, 2, 'kernelSize') as [number, number];
  const strides = tupleOf(o.strides ?? 1, 2, 'strides') as [number, number];
  const dilation = tupleOf(o.dilation ?? 1, 2, 'dilation') as [number, number];
  const cin = x.shape[3];
  const w = kernel(p, scope, [kh, kw, cin, o.filters], kh * kw * cin, o) as tf.Tensor4D;
  const y = tf.conv2d(x, w, strides, o.padding ?? 'same', 'NHWC', dilation);
  return addBias(y, bias(p, scope, o.filters, o));
}

export interface Conv2DTransposeOptions extends Partial<WeightOptions> {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
}

/** Output size of a transposed convolution along one axis. */
export function transposedSize(inputSize: number, kernelSize: number, stride: number, padding: Padding): number {
  return padding === 'same' ? inputSize * stride : (inputSize - 1) * stride + kernelSize;
}

/**
 * [b, h, w, cin] -> [b, h*sh, w*sw, filters] ('same') or [b, (h-1)*sh+kh, …] ('valid').
 * Parameters `scope/kernel` [kh, kw, filters, cin] (tfjs' layout), `scope/bias` [filters].
 * Fan-in counts the inputs that reach one output: kh*kw*cin / (sh*sw).
 */
export function conv2dTranspose(p: ParamStore, scope: string, x: tf.Tensor4D, options: Conv2DTransposeOptions): tf.Tensor4D {
  const o = { ...WEIGHT_DEFAULTS, ...options };
  const [kh, kw] = tupleOf(o.kernelSize, 2, 'kernelSize') as [number, number];
  const [sh, sw] = tupleOf(o.strides ?? 1, 2, 'strides') as [number, number];
  const padding = o.padding ?? 'same';
  const [b, h, w, cin] = x.shape;
  const fanIn = Math.max(1, (kh * kw * cin) / (sh * sw));
  const k = kernel(p, scope, [kh, kw, o.filters, cin], fanIn, o) as tf.Tensor4D;
  const outShape: [number, number, number, number] = [b, transposedSize(h, kh, sh, padding), transposedSize(w, kw, sw, padding), o.filters];
  const y = tf.conv2dTranspose(x, k, outShape, [sh, sw], padding);
  return addBias(y, bias(p, scope, o.filters, o));
}
