/**
 * MuseGAN's four latent kinds for one phrase, drawn on the JS side from a seeded Rng (same seed, same loop on
 * every backend), and the smooth walk that chains phrases into longer loops.
 */
import { tf } from '../ml/tf.js';
import { Rng, deriveSeed } from '../ml/random.js';
import type { LoopSpec } from './spec.js';

/** One phrase's latents; private kinds hold one vector per track, track-major ([track][dim]). */
export interface PhraseLatent {
  shared: Float32Array;
  sharedTemporal: Float32Array;
  private: Float32Array;
  privateTemporal: Float32Array;
}

export function sampleLatent(spec: LoopSpec, rng: Rng): PhraseLatent {
  const tracks = spec.tracks.length;
  return {
    shared: rng.normalArray(spec.latent.shared),
    sharedTemporal: rng.normalArray(spec.latent.sharedTemporal),
    private: rng.normalArray(tracks * spec.latent.private),
    privateTemporal: rng.normalArray(tracks * spec.latent.privateTemporal),
  };
}

/** The latent of a generation seed (the stream is labelled so other uses of the same seed do not collide). */
export function latentForSeed(spec: LoopSpec, seed: number): PhraseLatent {
  return sampleLatent(spec, new Rng(deriveSeed(seed, 'loop-latent')));
}

export interface LatentWalkOptions {
  /** Angle in radians between consecutive phrases on the great circle through the two anchors. */
  stepRadians: number;
}

export const LATENT_WALK_DEFAULTS: LatentWalkOptions = { stepRadians: 0.45 };

/**
 * Latents for `phrases` consecutive phrases of one long loop. The time-independent kinds (shared, private) stay
 * fixed, so instrumentation and style hold; the temporal kinds move along a great circle from the seed's own
 * latent (phrase 0 is exactly the 4-bar loop of that seed) towards a second anchor, so each phrase develops the
 * previous one instead of jumping. Norms stay those of the seed's latent.
 */
export function walkLatents(spec: LoopSpec, seed: number, phrases: number, options: Partial<LatentWalkOptions> = {}): PhraseLatent[] {
  const o = { ...LATENT_WALK_DEFAULTS, ...options };
  const start = latentForSeed(spec, seed);
  const rng = new Rng(deriveSeed(seed, 'loop-walk'));
  const towardsShared = orthogonalOfSameNorm(start.sharedTemporal, rng.normalArray(start.sharedTemporal.length));
  const towardsPrivate = orthogonalOfSameNorm(start.privateTemporal, rng.normalArray(start.privateTemporal.length));
  const out: PhraseLatent[] = [];
  for (let phrase = 0; phrase < phrases; phrase++) {
    const angle = phrase * o.stepRadians;
    out.push({
      shared: start.shared,
      sharedTemporal: rotate(start.sharedTemporal, towardsShared, angle),
      private: start.private,
      privateTemporal: rotate(start.privateTemporal, towardsPrivate, angle),
    });
  }
  return out;
}

/** `v` minus its projection on `a`, rescaled to |a| (zero-length stays zero). */
function orthogonalOfSameNorm(a: Float32Array, v: Float32Array): Float32Array {
  const aa = dot(a, a);
  const out = new Float32Array(v.length);
  if (aa === 0) return out;
  const k = dot(a, v) / aa;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! - k * a[i]!;
  const scale = Math.sqrt(aa / Math.max(dot(out, out), 1e-30));
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return out;
}

function rotate(a: Float32Array, b: Float32Array, angle: number): Float32Array {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = c * a[i]! + s * b[i]!;
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** A batch of latents as tensors: shared kinds [batch, dim]; private kinds one [batch, dim] per track. */
export interface LatentTensors {
  shared: tf.Tensor2D | null;
  sharedTemporal: tf.Tensor2D | null;
  private: tf.Tensor2D[] | null;
  privateTemporal: tf.Tensor2D[] | null;
}

export function latentTensors(spec: LoopSpec, batch: readonly PhraseLatent[]): LatentTensors {
  const tracks = spec.tracks.length;
  const sharedKind = (dim: number, pick: (l: PhraseLatent) => Float32Array): tf.Tensor2D | null =>
    dim === 0 ? null : tf.tensor2d(concatArrays(batch.map(pick)), [batch.length, dim]);
  const privateKind = (dim: number, pick: (l: PhraseLatent) => Float32Array): tf.Tensor2D[] | null =>
    dim === 0
      ? null
      : Array.from({ length: tracks }, (_, t) =>
          tf.tensor2d(concatArrays(batch.map((l) => pick(l).subarray(t * dim, (t + 1) * dim))), [batch.length, dim]),
        );
  return {
    shared: sharedKind(spec.latent.shared, (l) => l.shared),
    sharedTemporal: sharedKind(spec.latent.sharedTemporal, (l) => l.sharedTemporal),
    private: privateKind(spec.latent.private, (l) => l.private),
    privateTemporal: privateKind(spec.latent.privateTemporal, (l) => l.privateTemporal),
  };
}

export function disposeLatentTensors(t: LatentTensors): void {
  t.shared?.dispose();
  t.sharedTemporal?.dispose();
  for (const x of [...(t.private ?? []), ...(t.privateTemporal ?? [])]) x.dispose();
}

function concatArrays(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
