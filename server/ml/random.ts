/**
 * The one seeded random generator of the project (sfc32): the same seed gives the same numbers on every backend and
 * in the browser (tfjs' own random ops differ between cpu and wasm), and its whole state is four uint32 words, so a
 * training run can save it in a checkpoint and resume with exactly the same stream. Everything random in training
 * and generation (initial weights, data order, latents, gradient-penalty mixes) comes from here. Pure: no tfjs, no
 * node imports (the web client uses it for timbre latents).
 */
export type RandomState = [number, number, number, number];

/** Mixes a seed with a string (e.g. a parameter name) into a new 32-bit seed (FNV-1a, then splitmix). */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h >>> 0);
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds from any integer (or string); equal seeds give equal streams. */
  constructor(seed: number | string = 0) {
    const words = seedWords(seed);
    this.a = words[0];
    this.b = words[1];
    this.c = words[2];
    this.d = words[3];
    // Warm up: sfc32's first outputs are weakly mixed for small seeds.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  static fromState(state: RandomState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  getState(): RandomState {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  setState(state: RandomState): void {
    [this.a, this.b, this.c, this.d] = state.map((w) => w >>> 0) as RandomState;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.uniform() * maxExclusive);
  }

  /** Standard normal (Box-Muller; no cached spare, so the state alone defines the stream). */
  normal(): number {
    const u1 = (this.nextUint32() + 1) / 4294967297; // (0, 1): log stays finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
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

  /** A Fisher-Yates permutation of 0..n-1. */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}

/** splitmix32: turns any 32-bit value into a well-mixed word. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Spreads a seed over four words with splitmix32 so nearby seeds give unrelated streams. */
function seedWords(seed: number | string): RandomState {
  let h = typeof seed === 'number' ? hashNumber(seed) : hashString(seed);
  const words: number[] = [];
  for (let i = 0; i < 4; i++) {
    words.push(splitmix32(h));
    h = (h + 0x9e3779b9) | 0;
  }
  return words as RandomState;
}

function hashNumber(seed: number): number {
  // Seeds up to 2^53 keep both halves.
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return (Math.imul(lo ^ 0x5bd1e995, 0x01000193) ^ Math.imul(hi, 0x27d4eb2f)) >>> 0;
}

function hashString(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
