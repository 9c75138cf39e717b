/**
 * Training batches for the loop GAN: real phrases in a seeded per-epoch order, random transposition of the
 * pitched tracks, and the track-conditioning masks. Batch k of a run is a pure function of (seed, k), so a
 * resumed run draws exactly the batches a straight run would (no sampler state to save).
 */
import { Rng, deriveSeed } from '../ml/random.js';
import { StudioError } from '../util/errors.js';
import { loopShape, type LoopSpec } from './spec.js';

/** Phrases in the spec's channels-last layout [bar][step][pitch][track], 0/1. */
export interface PhraseSource {
  readonly count: number;
  get(index: number): Uint8Array;
}

export interface BatchOptions {
  batchSize: number;
  seed: number;
  /** Share of phrases that give the generator a random non-empty proper subset of their tracks. */
  conditionRate: number;
  transposeSemitones: number;
}

export interface TrainingBatch {
  size: number;
  /** [size, bars, steps, pitches, tracks] flattened. */
  real: Float32Array;
  /** The real phrases on given tracks, zero elsewhere (same layout). */
  given: Float32Array;
  /** [size, tracks]: 1 where the track is given. */
  mask: Float32Array;
}

export class LoopBatches {
  private readonly shape;
  private readonly drumTrack: number;
  private order: { epoch: number; permutation: number[] } | null = null;

  constructor(
    private readonly source: PhraseSource,
    private readonly spec: LoopSpec,
    private readonly options: BatchOptions,
  ) {
    if (source.count < 1) throw new StudioError('BAD_INPUT', 'the loop dataset has no phrases');
    this.shape = loopShape(spec);
    this.drumTrack = spec.tracks.indexOf('drums');
  }

  /**
   * Batch number `k` of the run (every batch drawn counts: critic and generator alike), or its samples
   * [from, from + count) only: a data-parallel replica builds just its share, from the same random draws.
   */
  batch(k: number, from = 0, count = this.options.batchSize - from): TrainingBatch {
    const { batchSize } = this.options;
    const { phraseSize, tracks } = this.shape;
    if (from < 0 || count < 1 || from + count > batchSize) throw new StudioError('INTERNAL', `batch share ${from}+${count} outside a batch of ${batchSize}`);
    const rng = new Rng(deriveSeed(this.options.seed, `batch:${k}`));
    const real = new Float32Array(count * phraseSize);
    const given = new Float32Array(count * phraseSize);
    const mask = new Float32Array(count * tracks);
    for (let b = 0; b < batchSize; b++) {
      // Every sample's draws happen, in order, whichever share is built.
      const shift = this.options.transposeSemitones ? rng.int(2 * this.options.transposeSemitones + 1) - this.options.transposeSemitones : 0;
      const subset = rng.uniform() < this.options.conditionRate ? 1 + rng.int(2 ** tracks - 2) : 0;
      const slot = b - from;
      if (slot < 0 || slot >= count) continue;
      const phrase = this.source.get(this.sampleIndex(k * batchSize + b));
      if (phrase.length !== phraseSize) {
        throw new StudioError('BAD_FILE', `dataset phrase has ${phrase.length} cells, the model needs ${phraseSize}`);
      }
      this.writeTransposed(phrase, shift, real, slot * phraseSize);
      for (let t = 0; t < tracks; t++) mask[slot * tracks + t] = (subset >> t) & 1;
      for (let i = 0; i < phraseSize; i++) given[slot * phraseSize + i] = real[slot * phraseSize + i]! * mask[slot * tracks + (i % tracks)]!;
    }
    return { size: count, real, given, mask };
  }

  /** The dataset index of the j-th phrase drawn in the run: a fresh seeded permutation each epoch. */
  private sampleIndex(j: number): number {
    const count = this.source.count;
    const epoch = Math.floor(j / count);
    if (!this.order || this.order.epoch !== epoch) {
      const rng = new Rng(deriveSeed(this.options.seed, `epoch:${epoch}`));
      const permutation = Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const r = rng.int(i + 1);
        [permutation[i], permutation[r]] = [permutation[r]!, permutation[i]!];
      }
      this.order = { epoch, permutation };
    }
    return this.order.permutation[j % count]!;
  }

  /** Copies a phrase, moving pitched tracks by `shift` semitones (notes pushed out of range are dropped). */
  private writeTransposed(phrase: Uint8Array, shift: number, out: Float32Array, offset: number): void {
    const { tracks } = this.shape;
    const pitches = this.spec.pitchCount;
    const rowSize = pitches * tracks;
    for (let row = 0; row < phrase.length / rowSize; row++) {
      const base = row * rowSize;
      for (let p = 0; p < pitches; p++) {
        for (let t = 0; t < tracks; t++) {
          const v = phrase[base + p * tracks + t]!;
          if (!v) continue;
          const q = t === this.drumTrack ? p : p + shift;
          if (q >= 0 && q < pitches) out[offset + base + q * tracks + t] = 1;
        }
      }
    }
  }
}
