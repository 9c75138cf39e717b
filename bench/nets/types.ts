import type { tf } from '../../server/ml/tf.js';
import type { ParamStore } from '../../server/ml/params.js';
import type { Rng } from '../../server/ml/random.js';

/** Knobs the backend benchmark compares (implementation choices, not network sizes). */
export interface NetVariant {
  conv3d: 'taps' | 'native';
  resample: 'reshape' | 'kernel';
}

export const NET_VARIANT_DEFAULTS: NetVariant = { conv3d: 'native', resample: 'kernel' };

/** One of the two reference GANs of shared/bench/README.md, parameters under `g/` and `d/`. */
export interface ReferenceGan {
  readonly name: 'note' | 'loop';
  readonly latentSize: number;
  /** Classes of the conditioning label (pitches); 0 when unconditioned. */
  readonly classCount: number;
  /** Shape of one generated / real sample. */
  readonly sampleShape: number[];
  generate(p: ParamStore, z: tf.Tensor2D, labels: tf.Tensor1D | null, variant?: Partial<NetVariant>): tf.Tensor;
  /** Adversarial logits [batch, 1] and, for AC-GAN, class logits [batch, classes]. */
  discriminate(p: ParamStore, x: tf.Tensor, variant?: Partial<NetVariant>): { adversarial: tf.Tensor2D; classes: tf.Tensor2D | null };
  /** A batch shaped like real training data (random; the benchmark times, it does not learn). */
  realBatch(rng: Rng, batch: number): tf.Tensor;
}
