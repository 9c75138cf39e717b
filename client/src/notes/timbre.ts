/**
 * Timbres as the note model sees them: latent vectors. A seed names one (the server turns seed s into the same
 * standard-normal vector as `timbreLatent` does here, see server/gansynth/latent.ts); the XY pad blends four of them.
 * Pure.
 */
import { Rng } from '../../../server/ml/random.js';

/** The latent the server uses for `seed` (same generator, same stream name). */
export function timbreLatent(seed: number, latentSize: number): Float32Array {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`a timbre seed is a non-negative integer, got ${seed}`);
  if (!Number.isInteger(latentSize) || latentSize < 1) throw new Error(`latent size must be a positive integer, got ${latentSize}`);
  return new Rng(`latent:${seed}`).normalArray(latentSize);
}

/** A point on the XY pad: x from left (0) to right (1), y from top (0) to bottom (1). */
export interface PadPoint {
  x: number;
  y: number;
}

/** Corner order on the pad: top-left, top-right, bottom-left, bottom-right. */
export const PAD_CORNERS = ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;

/** Bilinear weights of the four corners at `point` (clamped to the pad); they sum to 1. */
export function padWeights(point: PadPoint): [number, number, number, number] {
  const x = clamp01(point.x);
  const y = clamp01(point.y);
  return [(1 - x) * (1 - y), x * (1 - y), (1 - x) * y, x * y];
}

/**
 * The latent at `point`: the bilinear blend of the four corner latents, rescaled to the blend of their lengths.
 * Independent Gaussian vectors are nearly orthogonal, so a plain average is much shorter than any of them (a
 * quieter, blurrier "average" sound the generator never saw in training); restoring the length keeps every point of
 * the pad a typical latent, and each corner is exactly its own timbre.
 */
export function blendLatents(corners: readonly Float32Array[], point: PadPoint): Float32Array {
  if (corners.length !== 4) throw new Error(`the pad needs four corner latents, got ${corners.length}`);
  const size = corners[0]!.length;
  if (corners.some((c) => c.length !== size)) throw new Error('corner latents differ in size');
  const weights = padWeights(point);
  const out = new Float32Array(size);
  let targetNorm = 0;
  corners.forEach((corner, k) => {
    const w = weights[k]!;
    if (w === 0) return;
    targetNorm += w * norm(corner);
    for (let i = 0; i < size; i++) out[i]! += w * corner[i]!;
  });
  const length = norm(out);
  if (length > 0) for (let i = 0; i < size; i++) out[i]! *= targetNorm / length;
  return out;
}

export function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}
