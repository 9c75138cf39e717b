/**
 * MuseGAN's convolutions all have kernel = stride along one axis (time x3, pitch x12, ...): each output block
 * depends on exactly one input cell. Such a (transposed) convolution is a matrix product plus a reshape, so here
 * they are written that way: only 2-D matMul, reshape and rank-4 transposes; no conv backprop kernels, and every
 * op has a gradient of its gradient (WGAN-GP).
 *
 * Several independent networks ("instances": MuseGAN's per-track private generators, or per-track critics) are
 * kept as arrays of 2-D tensors, one per instance, each [rows, channels] with rows enumerating a grid
 * [n, h, w] row-major (n = batch x bars, h = time, w = pitch). Keeping them apart avoids batched matmuls (a
 * scalar loop on wasm, ~8x slower than 2-D ones), unstack and tile. A layer's input may be several tensors
 * (per-instance lists, or one tensor shared by every instance): dense(concat(a, b)) is computed as a·Wa + b·Wb,
 * without the concat.
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { leakyRelu } from '../ml/layers/activations.js';
import { pixelNorm } from '../ml/layers/normalization.js';

export interface Grid {
  n: number;
  h: number;
  w: number;
}

/** One tensor per instance, or one tensor every instance reads. */
export type LayerInput = tf.Tensor2D[] | tf.Tensor2D;

function inputOf(input: LayerInput, instance: number): tf.Tensor2D {
  return Array.isArray(input) ? input[instance]! : input;
}

export interface DenseInit {
  /**
   * The output columns are this many blocks that start identical (ICNR, Aitken et al. 2017): a transposed
   * convolution initialised so that it begins as nearest-neighbour upsampling of one learned map.
   */
  tiedBlocks: number;
  /** Initial value of every bias (default 0). */
  bias?: number;
}

/**
 * [rows, in_j] per input j -> `instances` x [rows, units]: for instance i, sum_j input_j(i)·W[i][j] + b[i].
 * Parameters `scope/i<i>/kernel<j>` [in_j, units] (He init on the total fan-in) and `scope/i<i>/bias` [units].
 */
export function instanceDense(p: ParamStore, scope: string, instances: number, inputs: LayerInput[], units: number, init: DenseInit = { tiedBlocks: 1 }): tf.Tensor2D[] {
  const fanIn = inputs.reduce((sum, input) => sum + inputOf(input, 0).shape[1], 0);
  const out: tf.Tensor2D[] = [];
  for (let i = 0; i < instances; i++) {
    let y: tf.Tensor2D | null = null;
    inputs.forEach((input, j) => {
      const x = inputOf(input, i);
      const name = `${scope}/i${i}/kernel${j}`;
      const fresh = !p.has(name);
      const variable = p.get(name, { shape: [x.shape[1], units], init: 'he', fanIn });
      if (fresh && init.tiedBlocks > 1) tieBlocks(variable, init.tiedBlocks);
      const w = variable as unknown as tf.Tensor2D;
      const product = tf.matMul(x, w) as tf.Tensor2D;
      y = y ? (tf.add(y, product) as tf.Tensor2D) : product;
    });
    const biasName = `${scope}/i${i}/bias`;
    const freshBias = !p.has(biasName);
    const bias = p.get(biasName, { shape: [units], init: 'zeros' });
    if (freshBias && init.bias) bias.assign(tf.fill([units], init.bias));
    out.push(tf.add(y!, bias));
  }
  return out;
}

/** Copies the first of `blocks` column blocks of a new kernel over the others. */
function tieBlocks(w: tf.Variable, blocks: number): void {
  const [inputs, columns] = w.shape as [number, number];
  tf.tidy(() => w.assign(tf.tile(tf.slice(w, [0, 0], [inputs, columns / blocks]), [1, blocks])));
}

/**
 * Transposed conv, kernel = stride = factor along time: grid (n,h,w) -> (n,h*factor,w), `units` channels.
 * ICNR-initialised: the `factor` sub-steps start equal, so an untrained generator holds notes over whole
 * blocks instead of scattering one-step cells (which MuseGAN's metrics count as unqualified notes).
 */
export function expandTime(p: ParamStore, scope: string, instances: number, inputs: LayerInput[], grid: Grid, factor: number, units: number): { y: tf.Tensor2D[]; grid: Grid } {
  const out = { n: grid.n, h: grid.h * factor, w: grid.w };
  const y = instanceDense(p, scope, instances, inputs, factor * units, { tiedBlocks: factor }).map((yi) => {
    const blocks = tf.reshape(yi, [grid.n * grid.h, grid.w, factor, units]);
    return tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [out.n * out.h * out.w, units]) as tf.Tensor2D; // time-major blocks
  });
  return { y, grid: out };
}

/** Transposed conv, kernel = stride = factor along pitch: grid (n,h,w) -> (n,h,w*factor). A reshape suffices. */
export function expandPitch(p: ParamStore, scope: string, instances: number, inputs: LayerInput[], grid: Grid, factor: number, units: number): { y: tf.Tensor2D[]; grid: Grid } {
  const out = { n: grid.n, h: grid.h, w: grid.w * factor };
  const y = instanceDense(p, scope, instances, inputs, factor * units).map((yi) => tf.reshape(yi, [out.n * out.h * out.w, units]) as tf.Tensor2D);
  return { y, grid: out };
}

/** [rows, c] on grid (n,h,w) -> [rows/factor, factor*c]: each time block of `factor` steps gathered into one row. */
function gatherTime(x: tf.Tensor2D, grid: Grid, factor: number): tf.Tensor2D {
  const channels = x.shape[1];
  const blocks = tf.reshape(x, [grid.n * (grid.h / factor), factor, grid.w, channels]);
  return tf.reshape(tf.transpose(blocks, [0, 2, 1, 3]), [(grid.n * grid.h * grid.w) / factor, factor * channels]) as tf.Tensor2D;
}

/** Conv, kernel = stride = factor along time: grid (n,h,w) -> (n,h/factor,w). Several inputs add up (no concat). */
export function reduceTime(p: ParamStore, scope: string, instances: number, inputs: LayerInput[], grid: Grid, factor: number, units: number): { y: tf.Tensor2D[]; grid: Grid } {
  const gathered = inputs.map((input) => (Array.isArray(input) ? input.map((xi) => gatherTime(xi, grid, factor)) : gatherTime(input, grid, factor)));
  return { y: instanceDense(p, scope, instances, gathered, units), grid: { n: grid.n, h: grid.h / factor, w: grid.w } };
}

/** Conv, kernel = stride = factor along pitch: grid (n,h,w) -> (n,h,w/factor). A reshape suffices. */
export function reducePitch(p: ParamStore, scope: string, instances: number, inputs: LayerInput[], grid: Grid, factor: number, units: number): { y: tf.Tensor2D[]; grid: Grid } {
  const rows = (grid.n * grid.h * grid.w) / factor;
  const gather = (xi: tf.Tensor2D) => tf.reshape(xi, [rows, factor * xi.shape[1]]) as tf.Tensor2D;
  const gathered = inputs.map((input) => (Array.isArray(input) ? input.map(gather) : gather(input)));
  return { y: instanceDense(p, scope, instances, gathered, units), grid: { n: grid.n, h: grid.h, w: grid.w / factor } };
}

/**
 * Conv over patches of timeFactor steps x pitchFactor pitches (kernel = stride on both axes): grid (n,h,w) ->
 * (n, h/timeFactor, w/pitchFactor). One product with a long inner dimension: the shape wasm's matmul likes, where
 * a pitch-then-time pair of thin layers on full-resolution input is mostly memory traffic.
 */
export function reducePatch(p: ParamStore, scope: string, instances: number, inputs: LayerInput[], grid: Grid, timeFactor: number, pitchFactor: number, units: number): { y: tf.Tensor2D[]; grid: Grid } {
  const pitchGrid = { n: grid.n, h: grid.h, w: grid.w / pitchFactor };
  const gather = (xi: tf.Tensor2D) => gatherTime(tf.reshape(xi, [grid.n * grid.h * pitchGrid.w, pitchFactor * xi.shape[1]]) as tf.Tensor2D, pitchGrid, timeFactor);
  const gathered = inputs.map((input) => (Array.isArray(input) ? input.map(gather) : gather(input)));
  return { y: instanceDense(p, scope, instances, gathered, units), grid: { n: grid.n, h: grid.h / timeFactor, w: pitchGrid.w } };
}

/** Leaky ReLU then pixel norm: the generator's activation (batch-independent, so a loop does not depend on its batch). */
export function generatorActivation(xs: tf.Tensor2D[]): tf.Tensor2D[] {
  return xs.map((x) => pixelNorm(leakyRelu(x)));
}

export function leakyAll(xs: tf.Tensor2D[]): tf.Tensor2D[] {
  return xs.map((x) => leakyRelu(x));
}
