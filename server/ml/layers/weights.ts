/**
 * Kernel and bias parameters shared by the dense and convolution layers, with optional equalized
 * learning rate (ProGAN): weights are stored as N(0, 1) and scaled by the He constant at run time,
 * so Adam's per-parameter step sizes treat every layer alike.
 */
import { tf } from '../tf.js';
import type { Initializer, ParamStore } from '../params.js';

export interface WeightOptions {
  /** Initializer of the kernel; ignored when `equalized` (the kernel is then N(0, 1)). */
  init: Initializer;
  /** Scale the kernel by gain/√fanIn at run time instead of at initialisation. */
  equalized: boolean;
  /** He gain (√2 suits leaky ReLU closely enough). */
  gain: number;
  useBias: boolean;
}

export const WEIGHT_DEFAULTS: WeightOptions = { init: 'he', equalized: false, gain: Math.SQRT2, useBias: true };

/** The kernel `scope/kernel` of `shape`; with equalized LR, a scaled view of it. */
export function kernel(p: ParamStore, scope: string, shape: number[], fanIn: number, options: WeightOptions): tf.Tensor {
  if (options.equalized) {
    const v = p.get(`${scope}/kernel`, { shape, init: 'normal', fanIn });
    return tf.mul(v, options.gain / Math.sqrt(fanIn));
  }
  return p.get(`${scope}/kernel`, { shape, init: options.init, fanIn, gain: options.gain });
}

/** The bias `scope/bias` [units], zero-initialised; null when the layer has none. */
export function bias(p: ParamStore, scope: string, units: number, options: WeightOptions): tf.Variable | null {
  return options.useBias ? p.get(`${scope}/bias`, { shape: [units], init: 'zeros' }) : null;
}

/** Adds a bias over the last axis (a no-op without one). */
export function addBias<T extends tf.Tensor>(x: T, b: tf.Tensor | null): T {
  return b ? (tf.add(x, b) as T) : x;
}

/** Normalises `number | [number, ...]` options to a tuple of `rank` numbers. */
export function tupleOf(value: number | readonly number[], rank: number, what: string): number[] {
  const out = typeof value === 'number' ? new Array<number>(rank).fill(value) : [...value];
  if (out.length !== rank || out.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new RangeError(`${what} must be a positive integer or ${rank} of them, got ${JSON.stringify(value)}`);
  }
  return out;
}
