/**
 * What a model provides to be trained data-parallel: a replica that computes gradients on its share of the
 * batch and applies averaged ones. Every replica must start from the same parameters (same seed) and draw its
 * own data; the module that defines it exports `createReplica` (it is imported again inside each worker).
 */
import { tf } from '../tf.js';
import type { GradientExchange } from './gradient-exchange.js';

export interface TrainingReplica {
  /** Gradient phases of one iteration, in order (a GAN: ['d', 'g']). */
  readonly phases: readonly string[];
  /** Loss and gradients of `phase` on this replica's share of the batch. */
  gradients(phase: string): { loss: number; grads: tf.NamedTensorMap };
  /** Applies gradients (averaged over replicas) for `phase`; `grads` stays the caller's. */
  apply(phase: string, grads: tf.NamedTensorMap): void;
  /** Upper bound of the float count of one phase's gradients (sizes the shared buffers). */
  gradientFloats(): number;
  /** Runs the model on `batch` samples (inference); returns a checksum so the work cannot be skipped. */
  generate(batch: number): number;
  dispose(): void;
}

/** A module usable by DataParallelTrainer. `batch` is this replica's share; `rank` seeds its data. */
export interface ReplicaModule {
  createReplica(options: unknown, share: { rank: number; parties: number }): Promise<TrainingReplica> | TrainingReplica;
}

/** One iteration of every phase with gradient averaging; returns the mean loss of each phase. */
export function runIteration(replica: TrainingReplica, exchange: GradientExchange | null): Record<string, number> {
  const losses: Record<string, number> = {};
  for (const phase of replica.phases) {
    const { loss, grads } = replica.gradients(phase);
    if (!exchange) {
      replica.apply(phase, grads);
      losses[phase] = loss;
      tf.dispose(grads);
      continue;
    }
    const averaged = exchange.average(grads, [loss]);
    tf.dispose(grads);
    replica.apply(phase, averaged.grads);
    tf.dispose(averaged.grads);
    losses[phase] = averaged.extras[0]!;
  }
  return losses;
}
