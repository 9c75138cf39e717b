/** Seeded generators of hostile input for the fuzz tests: odd values, odd shapes, odd bytes. */
export class FuzzRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** xorshift32: enough for test inputs, and the same run every time. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const KEYS = ['model', 'pitch', 'velocity', 'seed', 'latent', 'duration', 'format', 'sampleRate', 'bars', 'tempo', 'threshold', 'tracks',
  'key', 'scale', 'condition', 'midi', 'track', 'type', 'options', 'id', 'pitchRange', 'velocities', 'min', 'max', 'transport', 'bar',
  'locked', 'evolve', 'regenerate', '__proto__', 'constructor', 'prototype', 'toString', '', 'then'];
const STRINGS = ['', 'notes-default', '../../etc/passwd', '/etc/passwd', 'C:\\\\Windows', '%2e%2e%2f', '\u0000', '😀'.repeat(10), 'a'.repeat(5000),
  'wav16', 'drums', 'train-notes', '{"a":1}', '<script>alert(1)</script>', 'NaN', '-1', '1e309', 'TVRoZAAAAAY=', '0x10'];
const NUMBERS = [0, -1, 1, 60, 127, 128, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e-308, 0.5, 3.14159, Number.MAX_SAFE_INTEGER + 2];

/** A random JSON-able value, up to `depth` levels deep. */
export function randomValue(rng: FuzzRandom, depth = 4): unknown {
  const choice = rng.int(depth > 0 ? 9 : 5);
  switch (choice) {
    case 0: return null;
    case 1: return rng.next() < 0.5;
    case 2: return rng.pick(NUMBERS);
    case 3: return rng.pick(STRINGS);
    case 4: return rng.next() * 1000 - 500;
    case 5:
    case 6: return Array.from({ length: rng.int(6) }, () => randomValue(rng, depth - 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = rng.int(6); i > 0; i--) out[rng.pick(KEYS)] = randomValue(rng, depth - 1);
      return out;
    }
  }
}

/** A plausible request with one or two fields broken: gets past the first checks more often than pure noise. */
export function mutate(rng: FuzzRandom, valid: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(valid);
  for (let i = 1 + rng.int(2); i > 0; i--) {
    const key = rng.next() < 0.7 ? rng.pick(Object.keys(out).length ? Object.keys(out) : KEYS) : rng.pick(KEYS);
    if (rng.next() < 0.2) delete out[key];
    else out[key] = randomValue(rng, 2);
  }
  return out;
}

export function randomBytes(rng: FuzzRandom, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => rng.int(256));
}

/** `[[[...]]]` nested `depth` times. */
export function deepArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}
