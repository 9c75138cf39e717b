/**
 * One training iteration of a reference GAN as torch_reference.py defines it: a D step then a G step at a
 * fixed batch, Adam(2e-4, 0.5, 0.999), non-saturating loss (+ AC-GAN cross-entropy when conditioned).
 * Gradient computation and the update are separate so a data-parallel runner can average gradients between them.
 */
import { tf } from '../../server/ml/tf.js';
import { ParamStore } from '../../server/ml/params.js';
import { Adam } from '../../server/ml/optim.js';
import { Rng } from '../../server/ml/random.js';
import { latentNormal, randomLabels } from '../../server/ml/random-tensors.js';
import { nonSaturatingDLoss, nonSaturatingGLoss, softmaxCrossEntropy } from '../../server/ml/losses.js';
import { NET_VARIANT_DEFAULTS, type NetVariant, type ReferenceGan } from './types.js';

export interface TrainerOptions {
  batch: number;
  seed: number;
  variant: NetVariant;
}

export const TRAINER_DEFAULTS: TrainerOptions = { batch: 16, seed: 1, variant: NET_VARIANT_DEFAULTS };

export interface Gradients {
  loss: number;
  grads: tf.NamedTensorMap;
}

export class GanTrainer {
  readonly options: TrainerOptions;
  readonly params: ParamStore;
  private readonly adamD = new Adam({ learningRate: 2e-4, beta1: 0.5, beta2: 0.999 });
  private readonly adamG = new Adam({ learningRate: 2e-4, beta1: 0.5, beta2: 0.999 });
  private readonly rng: Rng;
  private readonly real: tf.Tensor;
  private readonly realLabels: tf.Tensor1D | null;

  constructor(readonly net: ReferenceGan, options: Partial<TrainerOptions> = {}) {
    this.options = { ...TRAINER_DEFAULTS, ...options, variant: { ...NET_VARIANT_DEFAULTS, ...options.variant } };
    // Same parameter seed for every replica; the data rng differs per seed.
    this.params = new ParamStore({ seed: 1, label: net.name });
    this.rng = new Rng(this.options.seed);
    this.real = net.realBatch(this.rng, this.options.batch);
    this.realLabels = net.classCount > 0 ? randomLabels(this.rng, this.options.batch, net.classCount) : null;
    // Build every parameter once, so gradients() never meets a new one.
    tf.tidy(() => {
      net.discriminate(this.params, net.generate(this.params, this.latent(1), this.labels(1), this.options.variant), this.options.variant);
    });
  }

  /** D's loss and gradients on the real batch against a fresh fake batch. */
  discriminatorGradients(): Gradients {
    const { net, params } = this;
    const v = this.options.variant;
    const labels = this.labels(this.options.batch);
    const z = this.latent(this.options.batch);
    const fake = tf.tidy(() => net.generate(params, z, labels, v));
    const { loss, grads } = params.gradients(() => {
      const real = net.discriminate(params, this.real, v);
      const faked = net.discriminate(params, fake, v);
      let l = nonSaturatingDLoss(real.adversarial, faked.adversarial);
      if (real.classes && this.realLabels) l = tf.add(l, softmaxCrossEntropy(real.classes, this.realLabels));
      return l;
    }, 'd/');
    const value = loss.dataSync()[0]!;
    tf.dispose([loss, fake, z, ...(labels ? [labels] : [])]);
    return { loss: value, grads };
  }

  /** G's loss and gradients through D (D's weights are not differentiated). */
  generatorGradients(): Gradients {
    const { net, params } = this;
    const v = this.options.variant;
    const labels = this.labels(this.options.batch);
    const z = this.latent(this.options.batch);
    const { loss, grads } = params.gradients(() => {
      const out = net.discriminate(params, net.generate(params, z, labels, v), v);
      let l = nonSaturatingGLoss(out.adversarial);
      if (out.classes && labels) l = tf.add(l, softmaxCrossEntropy(out.classes, labels));
      return l;
    }, 'g/');
    const value = loss.dataSync()[0]!;
    tf.dispose([loss, z, ...(labels ? [labels] : [])]);
    return { loss: value, grads };
  }

  applyDiscriminator(grads: tf.NamedTensorMap): void {
    this.adamD.apply(this.params, grads);
  }

  applyGenerator(grads: tf.NamedTensorMap): void {
    this.adamG.apply(this.params, grads);
  }

  /** One D step and one G step; returns both losses. */
  iterate(): { lossD: number; lossG: number } {
    const d = this.discriminatorGradients();
    this.applyDiscriminator(d.grads);
    tf.dispose(d.grads);
    const g = this.generatorGradients();
    this.applyGenerator(g.grads);
    tf.dispose(g.grads);
    return { lossD: d.loss, lossG: g.loss };
  }

  /** Generates `batch` samples and waits for the values (as PyTorch's `.sum().item()`). */
  generate(batch: number): number {
    return tf.tidy(() => tf.sum(this.net.generate(this.params, this.latent(batch), this.labels(batch), this.options.variant)).dataSync()[0]!);
  }

  dispose(): void {
    this.adamD.dispose();
    this.adamG.dispose();
    this.params.dispose();
    tf.dispose([this.real, ...(this.realLabels ? [this.realLabels] : [])]);
  }

  private latent(batch: number): tf.Tensor2D {
    return latentNormal(this.rng, batch, this.net.latentSize);
  }

  private labels(batch: number): tf.Tensor1D | null {
    return this.net.classCount > 0 ? randomLabels(this.rng, batch, this.net.classCount) : null;
  }
}
