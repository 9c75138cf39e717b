/**
 * How many pitch classes each pitched track uses in a sounding bar, and the feature-matching loss that holds the
 * generator's mean to the data's.
 *
 * The critic sees each bar's pitch classes (critic.barChroma), yet the shipped lite model still scattered notes
 * over 8-9 pitch classes per piano and guitar bar against the data's 4-4.6 (MuseGAN's UPC; worse than the paper's
 * hybrid model on three tracks). A WGAN critic ranks; it does not say "too many". Feature matching (Salimans et al.
 * 2016) on this one statistic does: the loss below is the relative gap between the mean used pitch classes per
 * sounding bar of the generated batch and of the training data, per pitched track. Which pitch classes, and in
 * which bars, stays the critic's call.
 */
import { tf } from '../ml/tf.js';
import { constantOf } from '../ml/constant.js';
import { cellsPerBarOf, forEachOnCell, type PackedPhrases } from './phrase-data.js';
import { SEMITONES, type LoopSpec } from './spec.js';

/**
 * Mean number of distinct pitch classes per sounding bar (a bar with at least one note) for each track in the spec's
 * order, as in MuseGAN's UPC; null for drums (their "pitches" are instruments) and for a track that never sounds.
 */
export function usedPitchClassesPerBar(packed: PackedPhrases, spec: LoopSpec): (number | null)[] {
  const tracks = spec.tracks.length;
  const cellsPerBar = cellsPerBarOf(packed, spec);
  const classesUsed = new Float64Array(tracks);
  const soundingBars = new Float64Array(tracks);
  // One 12-bit mask of pitch classes per (bar, track) of the current phrase.
  const masks = new Uint16Array(spec.bars * tracks);
  for (let i = 0; i < packed.count; i++) {
    masks.fill(0);
    forEachOnCell(packed, i, (cell) => {
      // Channels-last [bar][step][pitch][track]: the track is the fastest axis, then the pitch.
      const pitch = Math.floor(cell / tracks) % spec.pitchCount;
      masks[Math.floor(cell / cellsPerBar) * tracks + (cell % tracks)]! |= 1 << ((spec.lowestPitch + pitch) % SEMITONES);
    });
    for (let k = 0; k < masks.length; k++) {
      if (masks[k] === 0) continue;
      soundingBars[k % tracks]! += 1;
      classesUsed[k % tracks]! += bitCount(masks[k]!);
    }
  }
  return spec.tracks.map((track, t) => (track === 'drums' || soundingBars[t] === 0 ? null : classesUsed[t]! / soundingBars[t]!));
}

function bitCount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

/**
 * Which bars the feature-matching mean is over, [n, tracks] (no gradient): open bars the generator painted itself
 * (openPaintedBars) that hold a note. `painted` [n, steps, pitches, tracks] are the notes' binary neurons (or
 * probabilities, read at 0.5).
 */
export function countedBars(painted: tf.Tensor4D, openPainted: tf.Tensor2D): tf.Tensor2D {
  return constantOf(tf.tidy(() => tf.mul(tf.cast(tf.greater(tf.max(painted, [1, 2]), 0.5), 'float32'), openPainted)));
}

/**
 * Slack either side of the data's mean before the loss pushes: a track near its target is left to the critic (pushed
 * down to the target, bass lines lost their short notes, not strays, and a third of their bars).
 */
export const PITCH_CLASS_TOLERANCE = 0.2;

/** Fewer on-cells than this in a bar makes a pitch class a stray: shorter than an eighth note in all. */
export function strayClassCells(spec: LoopSpec): number {
  return spec.stepsPerBar / (spec.beatsPerBar * 2);
}

/**
 * Value of `hard`, gradient of `soft`: the loss reads the true count of pitch classes and learns through a surrogate.
 */
const hardValueSoftGradient = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [soft, hard] = inputs as [tf.Tensor, tf.Tensor];
  return { value: tf.clone(hard), gradFunc: (dy: tf.Tensor) => [dy, tf.zerosLike(dy)] };
}) as (soft: tf.Tensor, hard: tf.Tensor) => tf.Tensor;

/** 1 where a class has fewer cells than the bar's strongest class, else 0: [n, 12, tracks], no gradient. */
function notStrongest(cells: tf.Tensor3D): tf.Tensor3D {
  return constantOf(tf.tidy(() => tf.cast(tf.less(cells, tf.max(cells, 1, true)), 'float32')));
}

/**
 * Feature-matching loss: sum over the tracks with a target of the distance of g_t outside the band
 * [(1 - tol)·target_t, (1 + tol)·target_t], over target_t, with tol = PITCH_CLASS_TOLERANCE, where g_t (`means`) is
 * the mean over counted bars of the distinct pitch classes in the bar (NaN where no bar is counted). Inside the band a
 * track is left alone: fewer or more classes there is the critic's business.
 *
 * `painted` [n, steps, pitches, tracks] are the notes' binary neurons with their straight-through gradients (not
 * gated: the loss must not close gates, that is the gate rate loss's job). The count's gradient comes from sum over
 * classes of min(1, cells / strayCells): only a class with fewer than `strayCells` on-cells in the bar (a stray blip,
 * not a held note) and fewer than the bar's strongest class is pushed down (or, below the band, grown). Pushing every
 * used class down instead (the gradient of max) thinned all notes, and the generator made up the density by opening
 * nearly every gate (73% -> 98% in 50 steps). `counted` from countedBars. Targets: one per track, null = not matched
 * (drums).
 */
export function pitchClassMatching(
  painted: tf.Tensor4D,
  counted: tf.Tensor2D,
  targets: readonly (number | null)[],
  strayCells: number,
): { loss: tf.Scalar; means: tf.Tensor1D } {
  return tf.tidy(() => {
    const [n, , pitches, tracks] = painted.shape;
    if (targets.length !== tracks) throw new RangeError(`pitchClassMatching: ${targets.length} targets for ${tracks} tracks`);
    if (pitches % SEMITONES !== 0) throw new RangeError('pitchClassMatching: pitches must be whole octaves');
    // Pitch class = index mod 12 up to a fixed rotation (lowestPitch), which does not change how many are used.
    const perPitch = tf.sum(painted, 1); // [n, pitches, tracks]: on-cells per pitch
    const cells = tf.sum(tf.reshape(perPitch, [n, pitches / SEMITONES, SEMITONES, tracks]), 1) as tf.Tensor3D; // [n, 12, tracks]
    const hard = tf.sum(tf.minimum(cells, 1), 1); // [n, tracks]: classes used (binary cells: exact)
    // A bar's strongest class is never a stray, so the loss cannot empty a bar of short notes (a bass line of 16ths).
    const weaker = notStrongest(cells);
    const soft = tf.sum(tf.mul(tf.minimum(tf.div(cells, strayCells), 1), weaker), 1);
    const used = hardValueSoftGradient(soft, hard);
    const barsCounted = tf.sum(counted, 0); // [tracks]
    const mean = tf.div(tf.sum(tf.mul(used, counted), 0), tf.maximum(barsCounted, 1)); // [tracks]
    // Tracks without a target, or with no counted bar in this batch (nothing measured), add nothing.
    const matched = tf.mul(tf.tensor1d(targets.map((t) => (t === null || t <= 0 ? 0 : 1))), constantOf(tf.tidy(() => tf.cast(tf.greater(barsCounted, 0), 'float32'))));
    const target = tf.tensor1d(targets.map((t) => (t === null || t <= 0 ? 1 : t)));
    const gap = tf.div(tf.add(tf.relu(tf.sub(mean, tf.mul(target, 1 + PITCH_CLASS_TOLERANCE))), tf.relu(tf.sub(tf.mul(target, 1 - PITCH_CLASS_TOLERANCE), mean))), target);
    const loss = tf.sum(tf.mul(gap, matched)) as tf.Scalar;
    const means = tf.where(tf.greater(barsCounted, 0), mean, tf.fill([tracks], NaN)) as tf.Tensor1D;
    return { loss, means };
  });
}
