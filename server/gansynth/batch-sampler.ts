import { Rng, type RandomState } from '../ml/random.js';

/** Everything needed to continue the same data order after a resume. */
export interface BatchSamplerState {
  epoch: number;
  /** Position inside the current epoch's order. */
  position: number;
  /** RNG state at the start of the current epoch (its order is re-derived from it). */
  epochRngState: RandomState;
  /** RNG state after drawing the current epoch's order. */
  rngState: RandomState;
}

/**
 * Shuffled mini-batches over `count` examples, epoch after epoch (each epoch a fresh permutation; a batch that
 * crosses an epoch boundary continues into the next). The state is plain JSON, so a checkpoint restores it.
 */
export class BatchSampler {
  private readonly count: number;
  private rng: Rng;
  private epoch = 0;
  private position = 0;
  private epochRngState: RandomState;
  private order: number[];

  constructor(count: number, seed: number, state?: BatchSamplerState) {
    if (count < 1) throw new Error('a batch sampler needs at least one example');
    this.count = count;
    if (state) {
      this.epoch = state.epoch;
      this.position = state.position;
      this.epochRngState = state.epochRngState;
      this.rng = Rng.fromState(state.epochRngState);
      this.order = this.rng.permutation(count);
      this.rng.setState(state.rngState);
    } else {
      this.rng = new Rng(`batches:${seed}`);
      this.epochRngState = this.rng.getState();
      this.order = this.rng.permutation(count);
    }
  }

  next(batchSize: number): number[] {
    const out: number[] = [];
    while (out.length < batchSize) {
      if (this.position >= this.count) {
        this.epoch++;
        this.position = 0;
        this.epochRngState = this.rng.getState();
        this.order = this.rng.permutation(this.count);
      }
      out.push(this.order[this.position++]!);
    }
    return out;
  }

  get epochs(): number {
    return this.epoch + this.position / this.count;
  }

  getState(): BatchSamplerState {
    return { epoch: this.epoch, position: this.position, epochRngState: this.epochRngState, rngState: this.rng.getState() };
  }
}
