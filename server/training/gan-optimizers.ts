/**
 * A GAN's two Adam optimisers (generator, critic) and their place in a checkpoint: each one's exported state sits
 * beside the critic's weights in training/weights, under its own name prefix (which each model keeps as it was).
 */
import { tf } from '../ml/tf.js';
import { Adam } from '../ml/optim.js';
import type { ParamStore } from '../ml/params.js';
import { StudioError } from '../util/errors.js';

/** The Adam settings of a run config (epsilon is fixed). */
export interface GanAdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
}

/** Name prefixes of each optimiser's state in the training weights, e.g. "optimizer/g/". */
export interface GanOptimizerPrefixes {
  generator: string;
  critic: string;
}

export class GanOptimizers {
  private readonly generator: Adam;
  private readonly critic: Adam;

  constructor(
    config: GanAdamConfig,
    private readonly prefixes: GanOptimizerPrefixes,
  ) {
    const adam = { learningRate: config.learningRate, beta1: config.beta1, beta2: config.beta2, epsilon: 1e-8 };
    this.generator = new Adam(adam);
    this.critic = new Adam(adam);
  }

  /** Generator updates so far: what counts as a training step. */
  get step(): number {
    return this.generator.step;
  }

  /** One Adam update of the generator (`grads` stays the caller's). */
  applyGenerator(store: ParamStore, grads: tf.NamedTensorMap): void {
    this.generator.apply(store, grads);
  }

  /** One Adam update of the critic (`grads` stays the caller's). */
  applyCritic(store: ParamStore, grads: tf.NamedTensorMap): void {
    this.critic.apply(store, grads);
  }

  /** The critic's weights with both optimisers' state (what --resume needs); the caller disposes them. */
  trainingWeights(critic: ParamStore): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = critic.snapshot();
    for (const [k, v] of Object.entries(this.generator.exportState())) out[this.prefixes.generator + k] = v;
    for (const [k, v] of Object.entries(this.critic.exportState())) out[this.prefixes.critic + k] = v;
    return out;
  }

  /** The entries of `training` that are not optimiser state (the critic's weights). */
  withoutState(training: tf.NamedTensorMap): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const [k, v] of Object.entries(training)) {
      if (!k.startsWith(this.prefixes.generator) && !k.startsWith(this.prefixes.critic)) out[k] = v;
    }
    return out;
  }

  /** Restores both optimisers from a checkpoint's training weights (they stay the caller's). */
  importState(generator: ParamStore, critic: ParamStore, training: tf.NamedTensorMap): void {
    this.generator.importState(generator, entriesUnder(training, this.prefixes.generator, 'generator optimizer'));
    this.critic.importState(critic, entriesUnder(training, this.prefixes.critic, 'critic optimizer'));
  }

  dispose(): void {
    this.generator.dispose();
    this.critic.dispose();
  }
}

/** Entries of `map` whose names start with `prefix` (removed from the names unless `keepPrefix`); none is an error. */
export function entriesUnder(map: tf.NamedTensorMap, prefix: string, what: string, keepPrefix = false): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(map)) if (k.startsWith(prefix)) out[keepPrefix ? k : k.slice(prefix.length)] = v;
  if (Object.keys(out).length === 0) throw new StudioError('BAD_FILE', `checkpoint has no ${what} weights (names starting "${prefix}")`);
  return out;
}
