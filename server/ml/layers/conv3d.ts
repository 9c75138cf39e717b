/**
 * 3-D convolutions over NDHWC tensors ([batch, depth, height, width, channels]).
 *
 * `native` (default) calls tf.conv3d / tf.conv3dTranspose: correct on cpu, and on wasm once server/ml/kernels
 * has replaced tfjs 4.22's wrong / scalar-loop 3-D kernels and added the missing Conv3DBackpropInputV2 gradient
 * (initBackend does both); it was the faster one for training on wasm (loop reference GAN: 4.0 s vs 6.4 s CPU).
 * `taps` computes them as sums of 2-D convolutions over the (height, width) planes, one per depth tap, with only
 * rank <= 4 tensors, from stock tfjs ops (a reference, and a fallback where those kernels are not registered).
 */
import { tf } from '../tf.js';
import type { ParamStore } from '../params.js';
import { type Padding, transposedSize } from './conv2d.js';
import { WEIGHT_DEFAULTS, addBias, bias, kernel, tupleOf, type WeightOptions } from './weights.js';

export type Conv3DImplementation = 'taps' | 'native';

export interface Conv3DOptions extends Partial<WeightOptions> {
  filters: number;
  kernelSize: number | [number, number, number];
  strides?: number | [number, number, number];
  padding?: Padding;
  implementation?: Conv3DImplementation;
}

type Shape5 = [number, number, number, number, number];

/** Depth padding of a forward convolution from `inputSize` to `outputSize` (TensorFlow's 'same' split). */
function padBefore(inputSize: number, outputSize: number, kernelSize: number, stride: number): number {
  return Math.floor(Math.max((outputSize - 1) * stride + kernelSize - inputSize, 0) / 2);
}

function forwardSize(inputSize: number, kernelSize: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(inputSize / stride) : Math.floor((inputSize - kernelSize) / stride) + 1;
}

/**
 * [b, d, h, w, cin] -> [b, od, oh, ow, filters], sizes as for conv2d on each axis.
 * Parameters `scope/kernel` [kd, kh, kw, cin, filters], `scope/bias` [filters].
 */
export function conv3d(p: ParamStore, scope: string, x: tf.Tensor5D, options: Conv3DOptions): tf.Tensor5D {
  const o = { ...WEIGHT_DEFAULTS, ...options };
  const [kd, kh, kw] = tupleOf(o.kernelSize, 3, 'kernelSize') as [number, number, number];
  const [sd, sh, sw] = tupleOf(o.strides ?? 1, 3, 'strides') as [number, number, number];
  const padding = o.padding ?? 'same';
  const [b, d, h, w, cin] = x.shape;
  const k = kernel(p, scope, [kd, kh, kw, cin, o.filters], kd * kh * kw * cin, o) as tf.Tensor5D;
  const beta = bias(p, scope, o.filters, o);

  if ((o.implementation ?? 'native') === 'native') {
    const y = tf.conv3d(x, k, [sd, sh, sw], padding);
    return withBias5(y, beta);
  }
  const od = forwardSize(d, kd, sd, padding);
  const pb = padding === 'same' ? padBefore(d, od, kd, sd) : 0;
  // Padded depth: a multiple of sd long enough for every tap, so tap t reads rows q0..q0+od-1, phase t % sd.
  const rows = od + Math.floor((kd - 1) / sd);
  const plane = h * w * cin;
  const padded = tf.pad(tf.reshape(x, [b, d, plane]), [[0, 0], [pb, Math.max(0, rows * sd - d - pb)], [0, 0]]);
  // 'valid' with a stride may leave trailing rows no tap reads.
  const xp = padded.shape[1]! > rows * sd ? tf.slice(padded, [0, 0, 0], [b, rows * sd, plane]) : padded;
  const xq = tf.reshape(xp, [b, rows, sd, plane]);
  // One 2-D conv per depth tap, summed: every slice below copies whole (h, w, cin) planes, where stacking the taps
  // along channels would need channel-axis concat / split, which wasm copies a few floats at a time.
  const taps = tf.reshape(k, [kd, -1]); // rank 2: each tap's kernel is one contiguous row
  const outputs: tf.Tensor4D[] = [];
  for (let t = 0; t < kd; t++) {
    const slab = tf.slice(xq, [0, Math.floor(t / sd), t % sd, 0], [b, od, 1, plane]); // [b, od, 1, h*w*cin]
    const tap = tf.reshape(tf.slice(taps, [t, 0], [1, -1]), [kh, kw, cin, o.filters]) as tf.Tensor4D;
    outputs.push(tf.conv2d(tf.reshape(slab, [b * od, h, w, cin]) as tf.Tensor4D, tap, [sh, sw], padding));
  }
  const y = addBias(outputs.length === 1 ? outputs[0]! : (tf.addN(outputs) as tf.Tensor4D), beta); // [b*od, oh, ow, f]
  return tf.reshape(y, [b, od, y.shape[1], y.shape[2], o.filters]);
}

export interface Conv3DTransposeOptions extends Conv3DOptions {}

/**
 * [b, d, h, w, cin] -> [b, d*sd, h*sh, w*sw, filters] ('same') or [b, (d-1)*sd+kd, …] ('valid').
 * Parameters `scope/kernel` [kd, kh, kw, filters, cin] (tfjs' layout), `scope/bias` [filters].
 */
export function conv3dTranspose(p: ParamStore, scope: string, x: tf.Tensor5D, options: Conv3DTransposeOptions): tf.Tensor5D {
  const o = { ...WEIGHT_DEFAULTS, ...options };
  const [kd, kh, kw] = tupleOf(o.kernelSize, 3, 'kernelSize') as [number, number, number];
  const [sd, sh, sw] = tupleOf(o.strides ?? 1, 3, 'strides') as [number, number, number];
  const padding = o.padding ?? 'same';
  const [b, d, h, w, cin] = x.shape;
  const f = o.filters;
  const fanIn = Math.max(1, (kd * kh * kw * cin) / (sd * sh * sw));
  const k = kernel(p, scope, [kd, kh, kw, f, cin], fanIn, o) as tf.Tensor5D;
  const beta = bias(p, scope, f, o);
  const od = transposedSize(d, kd, sd, padding);
  const oh = transposedSize(h, kh, sh, padding);
  const ow = transposedSize(w, kw, sw, padding);

  if ((o.implementation ?? 'native') === 'native') {
    const y = tf.conv3dTranspose(x, k, [b, od, oh, ow, f], [sd, sh, sw], padding);
    return withBias5(y, beta);
  }
  // One 2-D transposed conv per depth tap (no channel-axis slicing, see conv3d). Input depth i, tap t lands on
  // full-output depth i*sd + t = (i + q0)*sd + r: lay each tap out on a [rows, sd] grid, sum the taps, then crop
  // the padding of the equivalent forward convolution.
  const pb = padding === 'same' ? padBefore(od, d, kd, sd) : 0;
  const rows = Math.max(d + Math.floor((kd - 1) / sd), Math.ceil((pb + od) / sd));
  const plane = oh * ow * f;
  const planes = tf.reshape(x, [b * d, h, w, cin]) as tf.Tensor4D;
  const taps = tf.reshape(k, [kd, -1]);
  const placed: tf.Tensor4D[] = [];
  for (let t = 0; t < kd; t++) {
    const q0 = Math.floor(t / sd);
    const r = t % sd;
    const tap = tf.reshape(tf.slice(taps, [t, 0], [1, -1]), [kh, kw, f, cin]) as tf.Tensor4D;
    const y = tf.conv2dTranspose(planes, tap, [b * d, oh, ow, f], [sh, sw], padding);
    placed.push(tf.pad(tf.reshape(y, [b, d, 1, plane]) as tf.Tensor4D, [[0, 0], [q0, rows - d - q0], [r, sd - 1 - r], [0, 0]]));
  }
  const full = tf.reshape(placed.length === 1 ? placed[0]! : tf.addN(placed), [b, rows * sd, plane]);
  const cropped = tf.slice(full, [0, pb, 0], [b, od, plane]);
  const out = addBias(tf.reshape(cropped, [b * od, oh, ow, f]), beta);
  return tf.reshape(out, [b, od, oh, ow, f]);
}

/** Adds the bias on a rank-4 view (rank-5 broadcasting is slow on wasm). */
function withBias5(y: tf.Tensor5D, beta: tf.Tensor | null): tf.Tensor5D {
  if (!beta) return y;
  const [b, d, h, w, c] = y.shape as Shape5;
  return tf.reshape(addBias(tf.reshape(y, [b * d, h, w, c]), beta), [b, d, h, w, c]);
}
