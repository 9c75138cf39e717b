/**
 * Named model parameters held as tf.Variables, created on first use from a seeded initializer.
 * Layers ask the store for `scope/kernel` etc.; the store owns the variables, their checkpoints
 * (snapshot/load) and their gradients. Initial values come from the JS-side Rng, so one seed gives the
 * same weights on every backend and independently of the order in which layers are built.
 */
import { tf } from './tf.js';
import { Rng, deriveSeed } from './random.js';
import { StudioError } from '../util/errors.js';

/**
 * `he`: N(0, gain²/fanIn) (gain defaults to √2, for ReLU-like activations); `glorot`: U(±√(6/(fanIn+fanOut)));
 * `normal`: N(0, 1) (used with equalized learning rate, which applies the He scale at run time).
 */
export type Initializer = 'he' | 'glorot' | 'normal' | 'zeros' | 'ones';

export interface ParamSpec {
  shape: number[];
  init: Initializer;
  /** Inputs feeding one output unit (he, glorot); defaults to the product of all but the last dimension. */
  fanIn?: number;
  /** Outputs fed by one input unit (glorot); defaults to the last dimension times the receptive field. */
  fanOut?: number;
  /** Multiplies the He standard deviation; √2 by default. */
  gain?: number;
}

export interface ParamStoreOptions {
  /** Seed of all initial values. */
  seed: number;
  /** Prefix of the engine-wide variable names, to tell stores apart in tfjs error messages. */
  label: string;
}

export const PARAM_STORE_DEFAULTS: ParamStoreOptions = { seed: 1, label: 'params' };

let storeCounter = 0;

export class ParamStore {
  readonly options: ParamStoreOptions;
  private readonly vars = new Map<string, tf.Variable>();
  private readonly engineNames: string;

  constructor(options: Partial<ParamStoreOptions> = {}) {
    this.options = { ...PARAM_STORE_DEFAULTS, ...options };
    this.engineNames = `${this.options.label}#${++storeCounter}`;
  }

  /** The variable `name`, created from `spec` on first use; a later request with another shape is an error. */
  get(name: string, spec: ParamSpec): tf.Variable {
    const existing = this.vars.get(name);
    if (existing) {
      if (!sameShape(existing.shape, spec.shape)) {
        throw new StudioError('BAD_INPUT', `parameter "${name}" has shape [${existing.shape}] but the layer asks for [${spec.shape}]`);
      }
      return existing;
    }
    const values = initialValues(spec, deriveSeed(this.options.seed, name));
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, spec.shape, 'float32'), true, `${this.engineNames}/${name}`));
    this.vars.set(name, variable);
    return variable;
  }

  has(name: string): boolean {
    return this.vars.has(name);
  }

  /** Parameter names (in creation order), optionally only those starting with `prefix`. */
  names(prefix = ''): string[] {
    return [...this.vars.keys()].filter((n) => n.startsWith(prefix));
  }

  variables(prefix = ''): tf.Variable[] {
    return this.names(prefix).map((n) => this.vars.get(n)!);
  }

  variable(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new StudioError('NOT_FOUND', `no parameter named "${name}"`);
    return v;
  }

  /** Number of scalar parameters (under `prefix`). */
  count(prefix = ''): number {
    return this.variables(prefix).reduce((sum, v) => sum + v.size, 0);
  }

  /** Copies of every parameter (under `prefix`), keyed by parameter name; the caller disposes them. */
  snapshot(prefix = ''): tf.NamedTensorMap {
    const out: tf.NamedTensorMap = {};
    for (const name of this.names(prefix)) out[name] = tf.clone(this.vars.get(name)!);
    return out;
  }

  /**
   * Sets parameters from `map` (which stays owned by the caller). Existing parameters must have the same shape;
   * missing ones are created, so a fresh store can be loaded before the model is built.
   */
  load(map: tf.NamedTensorMap): void {
    for (const [name, tensor] of Object.entries(map)) {
      const existing = this.vars.get(name);
      if (tensor.dtype !== 'float32') {
        throw new StudioError('BAD_INPUT', `parameter "${name}" is ${tensor.dtype}, expected float32`);
      }
      if (existing && !sameShape(existing.shape, tensor.shape)) {
        throw new StudioError('BAD_INPUT', `parameter "${name}" has shape [${existing.shape}] but the checkpoint has [${tensor.shape}]`);
      }
    }
    for (const [name, tensor] of Object.entries(map)) {
      const existing = this.vars.get(name);
      if (existing) existing.assign(tensor);
      else this.vars.set(name, tf.variable(tensor, true, `${this.engineNames}/${name}`));
    }
  }

  /**
   * Value and gradients of `lossFn` with respect to the parameters under `prefix`, keyed by parameter name.
   * Parameters first created inside `lossFn` (an unbuilt model) get their gradients from a second pass.
   * The caller disposes `loss` and `grads`.
   */
  gradients(lossFn: () => tf.Scalar, prefix = ''): { loss: tf.Scalar; grads: tf.NamedTensorMap } {
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = this.vars.size;
      const names = this.names(prefix);
      const vars = names.map((n) => this.vars.get(n)!);
      const byEngineName = new Map(vars.map((v, i) => [v.name, names[i]!]));
      const result = vars.length > 0 ? tf.variableGrads(lossFn, vars) : { value: tf.tidy(lossFn), grads: {} as tf.NamedTensorMap };
      const built = this.vars.size > before && this.names(prefix).length > names.length;
      if (built && attempt === 0) {
        result.value.dispose();
        tf.dispose(result.grads);
        continue;
      }
      const grads: tf.NamedTensorMap = {};
      for (const [engineName, grad] of Object.entries(result.grads)) grads[byEngineName.get(engineName)!] = grad;
      return { loss: result.value, grads };
    }
    throw new StudioError('INTERNAL', 'unreachable');
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Fan-in/fan-out of a dense [in, out] or conv [...kernel, in, out] weight. */
export function defaultFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) return { fanIn: shape[0] ?? 1, fanOut: shape[0] ?? 1 };
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { fanIn: receptive * shape[shape.length - 2]!, fanOut: receptive * shape[shape.length - 1]! };
}

function initialValues(spec: ParamSpec, seed: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const fans = defaultFans(spec.shape);
  const fanIn = spec.fanIn ?? fans.fanIn;
  const fanOut = spec.fanOut ?? fans.fanOut;
  switch (spec.init) {
    case 'zeros':
      return new Float32Array(size);
    case 'ones':
      return new Float32Array(size).fill(1);
    case 'normal':
      return new Rng(seed).normalArray(size);
    case 'he':
      return new Rng(seed).normalArray(size, (spec.gain ?? Math.SQRT2) / Math.sqrt(fanIn));
    case 'glorot': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return new Rng(seed).uniformArray(size, -limit, limit);
    }
  }
}
