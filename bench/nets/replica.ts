/** The reference GAN trainer as a data-parallel replica (imported by server/ml/parallel in each thread). */
import type { TrainingReplica } from '../../server/ml/parallel/replica.js';
import { splitBatch } from '../../server/ml/parallel/data-parallel.js';
import { GanTrainer } from './trainer.js';
import { REFERENCE_GANS } from './index.js';
import { NET_VARIANT_DEFAULTS, type NetVariant } from './types.js';

export interface ReferenceReplicaOptions {
  net: 'note' | 'loop';
  /** The whole batch, split over the replicas. */
  batch: number;
  variant?: Partial<NetVariant>;
}

export function createReplica(options: unknown, share: { rank: number; parties: number }): TrainingReplica {
  const o = options as ReferenceReplicaOptions;
  const trainer = new GanTrainer(REFERENCE_GANS[o.net], {
    batch: splitBatch(o.batch, share.parties)[share.rank]!,
    seed: 1 + share.rank,
    variant: { ...NET_VARIANT_DEFAULTS, ...o.variant },
  });
  return {
    phases: ['d', 'g'],
    gradients: (phase) => (phase === 'd' ? trainer.discriminatorGradients() : trainer.generatorGradients()),
    apply: (phase, grads) => (phase === 'd' ? trainer.applyDiscriminator(grads) : trainer.applyGenerator(grads)),
    gradientFloats: () => Math.max(trainer.params.count('d/'), trainer.params.count('g/')),
    generate: (batch) => trainer.generate(batch),
    dispose: () => trainer.dispose(),
  };
}

