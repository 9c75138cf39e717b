/**
 * Seeded random numbers generated on the JS side, so the same seed gives the same latent vectors
 * and initial weights on every backend (tfjs' own random ops differ between cpu and wasm).
 */
import { tf } from './tf.js';

/** splitmix32: turns any 32-bit seed into a well-mixed state word. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Mixes a seed with a string (e.g. a parameter name) into a new 32-bit seed (FNV-1a, then splitmix). */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h >>> 0);
}

/** A small, fast, seedable generator (xoshiro128**). */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let s = seed >>> 0;
    this.s0 = s = splitmix32(s);
    this.s1 = s = splitmix32(s);
    this.s2 = s = splitmix32(s);
    this.s3 = splitmix32(s);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.uniform() * maxExclusive);
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  normalArray(length: number, stddev = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.normal() * stddev;
    return out;
  }

  uniformArray(length: number, low = 0, high = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = low + (high - low) * this.uniform();
    return out;
  }

  intArray(length: number, maxExclusive: number): Int32Array {
    const out = new Int32Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(maxExclusive);
    return out;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Latent vectors z ~ N(0, 1): [batch, latentSize], identical on every backend for the same rng state. */
export function latentNormal(rng: Rng, batch: number, latentSize: number): tf.Tensor2D {
  return tf.tensor2d(rng.normalArray(batch * latentSize), [batch, latentSize]);
}

/** Uniform random class indices [batch] (int32), e.g. pitches for a conditioned generator. */
export function randomLabels(rng: Rng, batch: number, classCount: number): tf.Tensor1D {
  return tf.tensor1d(rng.intArray(batch, classCount), 'int32');
}
