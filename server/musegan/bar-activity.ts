/**
 * How often each track plays in a bar, and the loss that holds the generator's activity gates to it.
 *
 * A WGAN critic barely penalises a piano that never rests (real loops leave a third of piano bars empty): the
 * gates opened early and saturated (logits 5-8, sigmoid gradients ~0), and the shipped model left 1% of piano
 * bars empty against the data's 30%. The pinball (quantile) loss below fixes each track's share of open gates
 * at the data's share of sounding bars without saying which bars: that stays the critic's call.
 */
import { tf } from '../ml/tf.js';
import { constantOf } from '../ml/constant.js';
import { cellsPerBarOf, forEachOnCell, type PackedPhrases } from './phrase-data.js';
import type { LoopSpec } from './spec.js';
import { repeatPerBar } from './temporal.js';

/**
 * Share of (phrase, bar) pairs in which each track has at least one note, in the spec's track order, read from the
 * packed bits.
 */
export function soundingBarShares(packed: PackedPhrases, spec: LoopSpec): number[] {
  const tracks = spec.tracks.length;
  const cellsPerBar = cellsPerBarOf(packed, spec);
  const sounding = new Float64Array(tracks);
  const seen = new Uint8Array(spec.bars * tracks);
  for (let i = 0; i < packed.count; i++) {
    seen.fill(0);
    // Channels-last [bar][step][pitch][track]: the track is the fastest axis.
    forEachOnCell(packed, i, (cell) => (seen[Math.floor(cell / cellsPerBar) * tracks + (cell % tracks)] = 1));
    for (let k = 0; k < seen.length; k++) sounding[k % tracks]! += seen[k]!;
  }
  return Array.from(sounding, (n) => n / (packed.count * spec.bars));
}

/**
 * Pinball loss of the gate logits [n, 1, 1, tracks] at the threshold 0, per track t with target share s_t:
 * mean over bars of (1 - s_t)·relu(x) + s_t·relu(-x), summed over tracks. Its gradient is (1 - s_t) on every open
 * gate and -s_t on every closed one, so its push on the gates cancels exactly when a share s_t of them is open,
 * and unlike a loss on sigmoid(x) it does not fade once the logits saturate. A mean over bars.
 */
export function gateRateLoss(gateLogits: tf.Tensor4D, shares: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const tracks = gateLogits.shape[3];
    if (shares.length !== tracks) throw new RangeError(`gateRateLoss: ${shares.length} shares for ${tracks} tracks`);
    const x = tf.reshape(gateLogits, [-1, tracks]);
    const open = tf.tensor1d([...shares]);
    const perGate = tf.add(tf.mul(tf.relu(x), tf.sub(1, open)), tf.mul(tf.relu(tf.neg(x)), open));
    return tf.sum(tf.mean(perGate, 0));
  });
}

/**
 * Bars the generator paints and opens, [n, tracks] (no gradient): gate open (logit > 0; every bar without a gate) and
 * the track not given. `gate` [n, 1, 1, tracks] logits or null, `givenMask` [batch, tracks] with n = batch * bars.
 */
export function openPaintedBars(gate: tf.Tensor4D | null, givenMask: tf.Tensor2D, n: number): tf.Tensor2D {
  return constantOf(
    tf.tidy(() => {
      const notGiven = repeatPerBar(tf.sub(1, givenMask) as tf.Tensor2D, n / givenMask.shape[0]);
      return gate ? (tf.mul(tf.cast(tf.greater(tf.reshape(gate, notGiven.shape), 0), 'float32'), notGiven) as tf.Tensor2D) : notGiven;
    }),
  );
}

/**
 * The gates' targets for this batch: each track's share of sounding bars in the data, raised by the share of its open,
 * painted bars that came out silent (every note below threshold), so that open gates minus silent bars match the
 * data's sounding bars, which is what empty bars (EB) measure. Without it the pitch-class loss's slimmer bars left 17%
 * of open bass bars silent, and bass bars went empty behind the gates' back. `open` from openPaintedBars, `sounding`
 * the open painted bars that hold a note (countedBars); both [n, tracks], no gradient.
 */
export function soundingGateTargets(shares: readonly number[], open: tf.Tensor2D, sounding: tf.Tensor2D): number[] {
  const [openBars, soundingBars] = tf.tidy(() => [tf.sum(open, 0).dataSync(), tf.sum(sounding, 0).dataSync()]);
  return shares.map((share, t) => {
    const heard = openBars[t]! > 0 ? soundingBars[t]! / openBars[t]! : 1;
    return Math.min(1, share / Math.max(heard, 1e-3));
  });
}
