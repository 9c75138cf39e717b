import { tf } from '../tf.js';
import type { ParamStore } from '../params.js';
import { WEIGHT_DEFAULTS, addBias, bias, kernel, type WeightOptions } from './weights.js';

export interface DenseOptions extends Partial<WeightOptions> {
  units: number;
}

/** Fully connected layer: [batch, in] -> [batch, units]. Parameters `scope/kernel` [in, units], `scope/bias` [units]. */
export function dense(p: ParamStore, scope: string, x: tf.Tensor2D, options: DenseOptions): tf.Tensor2D {
  const o = { ...WEIGHT_DEFAULTS, ...options };
  const inputs = x.shape[1];
  const w = kernel(p, scope, [inputs, o.units], inputs, o);
  return addBias(tf.matMul(x, w as tf.Tensor2D), bias(p, scope, o.units, o));
}
