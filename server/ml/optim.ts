/**
 * Adam over a ParamStore, with state that can be exported and restored exactly (for `--resume`).
 * Same update as PyTorch's Adam: m̂ = m/(1-β₁ᵗ), v̂ = v/(1-β₂ᵗ), p -= lr·m̂/(√v̂ + ε).
 */
import { tf } from './tf.js';
import type { ParamStore } from './params.js';
import { StudioError } from '../util/errors.js';

export interface AdamOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** GAN defaults (DCGAN/ProGAN): lr 2e-4, β₁ 0.5. */
export const ADAM_DEFAULTS: AdamOptions = { learningRate: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-8 };

const STEP_KEY = 'step';

export class Adam {
  readonly options: AdamOptions;
  private stepCount = 0;
  private readonly moments = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();

  constructor(options: Partial<AdamOptions> = {}) {
    this.options = { ...ADAM_DEFAULTS, ...options };
  }

  /** Updates taken so far. */
  get step(): number {
    return this.stepCount;
  }

  /** One update of the parameters named in `grads` (parameter name -> gradient); `grads` stays the caller's. */
  apply(store: ParamStore, grads: tf.NamedTensorMap): void {
    const { learningRate, beta1, beta2, epsilon } = this.options;
    const t = ++this.stepCount;
    const stepSize = learningRate / (1 - beta1 ** t);
    const vScale = 1 / Math.sqrt(1 - beta2 ** t);
    for (const [name, g] of Object.entries(grads)) {
      const param = store.variable(name);
      const prev = this.moments.get(name);
      const next = tf.tidy(() => {
        const m = prev ? tf.add(tf.mul(prev.m, beta1), tf.mul(g, 1 - beta1)) : tf.mul(g, 1 - beta1);
        const v = prev ? tf.add(tf.mul(prev.v, beta2), tf.mul(tf.square(g), 1 - beta2)) : tf.mul(tf.square(g), 1 - beta2);
        const update = tf.div(tf.mul(m, stepSize), tf.add(tf.mul(tf.sqrt(v), vScale), epsilon));
        param.assign(tf.sub(param, update));
        return { m, v };
      });
      if (prev) tf.dispose([prev.m, prev.v]);
      this.moments.set(name, next);
    }
  }

  /** Copies of the full state: `step` (scalar), `m/<param>` and `v/<param>`; the caller disposes them. */
  exportState(): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = { [STEP_KEY]: tf.scalar(this.stepCount, 'int32') };
    for (const [name, { m, v }] of this.moments) {
      out[`m/${name}`] = tf.clone(m);
      out[`v/${name}`] = tf.clone(v);
    }
    return out;
  }

  /** Replaces the state with `state` (from exportState; stays the caller's), checking it against `store`. */
  importState(store: ParamStore, state: tf.NamedTensorMap): void {
    const step = state[STEP_KEY];
    if (!step || step.size !== 1) throw new StudioError('BAD_INPUT', 'optimizer state has no scalar "step"');
    const names = new Set<string>();
    for (const key of Object.keys(state)) {
      if (key === STEP_KEY) continue;
      const match = /^([mv])\/(.+)$/.exec(key);
      if (!match) throw new StudioError('BAD_INPUT', `optimizer state has an unknown entry "${key}"`);
      const name = match[2]!;
      const m = state[`m/${name}`];
      const v = state[`v/${name}`];
      if (!m || !v) throw new StudioError('BAD_INPUT', `optimizer state for "${name}" lacks its ${m ? 'v' : 'm'} moment`);
      const param = store.variable(name);
      for (const moment of [m, v]) {
        if (moment.shape.join(',') !== param.shape.join(',')) {
          throw new StudioError('BAD_INPUT', `optimizer state "${key}" has shape [${moment.shape}] but parameter "${name}" has [${param.shape}]`);
        }
      }
      names.add(name);
    }
    // Validated in full before anything changes, so a bad file leaves the optimizer as it was.
    const moments = new Map<string, { m: tf.Tensor; v: tf.Tensor }>();
    for (const name of names) {
      moments.set(name, tf.tidy(() => ({ m: tf.clone(tf.cast(state[`m/${name}`]!, 'float32')), v: tf.clone(tf.cast(state[`v/${name}`]!, 'float32')) })));
    }
    this.disposeMoments();
    for (const [name, mv] of moments) this.moments.set(name, mv);
    this.stepCount = step.dataSync()[0]!;
  }

  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
