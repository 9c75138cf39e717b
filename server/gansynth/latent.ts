import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../ml/random.js';
import { StudioError } from '../util/errors.js';

/** The timbre vector for a seed: standard normal, the same bytes for the same seed and size on every machine. */
export function latentForSeed(seed: number, latentSize: number): Float32Array {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new StudioError('BAD_INPUT', `seed must be a non-negative integer, got ${seed}`);
  }
  return new Rng(`latent:${seed}`).normalArray(latentSize);
}

/**
 * Spherical interpolation between two latents (t in [0, 1]). Gaussian latents live near a sphere, so walking
 * along the great circle keeps every step a typical latent where a straight line would pass through low-norm ones.
 */
export function slerp(a: Float32Array, b: Float32Array, t: number): Float32Array {
  if (a.length !== b.length) throw new StudioError('BAD_INPUT', `latents differ in size (${a.length} vs ${b.length})`);
  const normA = norm(a);
  const normB = norm(b);
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  const cos = normA > 0 && normB > 0 ? Math.min(1, Math.max(-1, dot / (normA * normB))) : 1;
  const omega = Math.acos(cos);
  const out = new Float32Array(a.length);
  if (Math.abs(Math.sin(omega)) < 1e-6) {
    for (let i = 0; i < a.length; i++) out[i] = (1 - t) * a[i]! + t * b[i]!;
    return out;
  }
  const wa = Math.sin((1 - t) * omega) / Math.sin(omega);
  const wb = Math.sin(t * omega) / Math.sin(omega);
  for (let i = 0; i < a.length; i++) out[i] = wa * a[i]! + wb * b[i]!;
  return out;
}

/** `steps` latents from a to b inclusive (steps >= 2). */
export function interpolateLatents(a: Float32Array, b: Float32Array, steps: number): Float32Array[] {
  if (!Number.isInteger(steps) || steps < 2) throw new StudioError('BAD_INPUT', `--steps must be an integer >= 2, got ${steps}`);
  return Array.from({ length: steps }, (_, i) => slerp(a, b, i / (steps - 1)));
}

/**
 * Reads a latent saved by a user or by `studio generate note --save-latent`: a JSON array of numbers,
 * or raw little-endian float32 (.f32/.bin). The size must match the model's latent size.
 */
export async function readLatentFile(file: string, latentSize: number): Promise<Float32Array> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    throw new StudioError('NOT_FOUND', `cannot read latent file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const ext = path.extname(file).toLowerCase();
  let values: Float32Array;
  if (ext === '.f32' || ext === '.bin') {
    if (bytes.length % 4 !== 0) throw new StudioError('BAD_FILE', `${file}: ${bytes.length} bytes is not a whole number of float32 values`);
    values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new StudioError('BAD_FILE', `${file}: not JSON (expected an array of ${latentSize} numbers, or a .f32 file)`);
    }
    const array = Array.isArray(parsed) ? parsed : (parsed as { latent?: unknown })?.latent;
    if (!Array.isArray(array) || !array.every((v) => typeof v === 'number')) {
      throw new StudioError('BAD_FILE', `${file}: expected an array of numbers (or {"latent": [...]})`);
    }
    values = Float32Array.from(array as number[]);
  }
  if (values.length !== latentSize) {
    throw new StudioError('BAD_FILE', `${file}: has ${values.length} values but this model's latent size is ${latentSize}`);
  }
  if (!values.every((v) => Number.isFinite(v))) throw new StudioError('BAD_FILE', `${file}: contains a non-finite value`);
  return values;
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}
