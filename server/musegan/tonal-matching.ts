/**
 * Feature matching of MuseGAN's tonal distance (TD) between pitched tracks: how far apart, per beat, two tracks'
 * pitch classes sit on Harte et al.'s tonal centroid (fifths, minor and major thirds).
 *
 * With the pitch-class loss the shipped lite model matched the data on every intra-track figure, but its tracks
 * still ignored each other harmonically: TD 1.5-1.7 on every pair against the data's 0.7-1.2 (the paper's hybrid
 * model sat 13-23% *below* its data). The critic sees all tracks of a bar together, but a WGAN critic ranks; this
 * loss says which way. It is the metric itself, differentiable: each beat's chroma (on-cells per pitch class,
 * normalised to sum 1) through the 6 x 12 tonal matrix, the Euclidean distance per pair over beats where both tracks
 * sound, and a penalty on the batch mean outside a band around the data's (the slack each way), relative to the data's.
 * Given tracks take part as they are, so in track-conditional batches the generated tracks learn to fit them.
 *
 * In track-conditional batches a pair with a given track and a pair of two generated tracks are matched apart: as
 * one batch mean, the given pairs (a generated part against a real one, further apart) let the generated pairs sit
 * well below the data's, and free generation, which has only generated pairs, came out 15-17% under on the bass pairs.
 *
 * Two-sided: it was one-sided at first (a lower TD reads as a closer harmonic fit), but at weight 3 the bass pairs
 * then fell to 0.83-0.86 against the data's 1.14-1.24, as far from the data as the paper's hybrid model was.
 */
import { tf } from '../ml/tf.js';
import { evaluateLoops, tonalMatrix, TONAL_DISTANCE_PAIRS } from '../music/metrics.js';
import type { MultitrackRoll } from '../music/roll.js';
import { constantOf } from '../ml/constant.js';
import { phraseSource, type PackedPhrases } from './phrase-data.js';
import { SEMITONES, type LoopSpec } from './spec.js';

/** Slack either side of the data's TD before the loss pushes (the paper's hybrid model was 13-23% off its data). */
export const TONAL_DISTANCE_TOLERANCE = 0.05;

/** Pairs of track indices (spec order) whose TD is matched: MuseGAN's pitched pairs. */
export function tonalPairs(spec: LoopSpec): [number, number][] {
  return TONAL_DISTANCE_PAIRS.map(([a, b]) => [spec.tracks.indexOf(a), spec.tracks.indexOf(b)] as [number, number]).filter(([a, b]) => a >= 0 && b >= 0);
}

/** "bass-piano" etc. for each tonalPairs entry: the metric's (and metadata's) names of the pairs. */
export function tonalPairNames(spec: LoopSpec): string[] {
  return tonalPairs(spec).map(([a, b]) => `${spec.tracks[a]}-${spec.tracks[b]}`);
}

/** The data's TD per pair of tonalPairs (null where the pair never sounds together), as the eval measures it. */
export function dataTonalDistances(packed: PackedPhrases, spec: LoopSpec): (number | null)[] {
  const source = phraseSource(packed);
  const rolls = function* (): Generator<MultitrackRoll> {
    for (let i = 0; i < source.count; i++) {
      yield { bars: spec.bars, stepsPerBar: spec.stepsPerBar, lowestPitch: spec.lowestPitch, pitchCount: spec.pitchCount, beatsPerBar: spec.beatsPerBar, tempoBpm: 120, data: source.get(i) };
    }
  };
  const { tonalDistance } = evaluateLoops(rolls());
  return tonalPairNames(spec).map((pair) => tonalDistance[pair] ?? null);
}

/**
 * The loss and the batch's mean TD per pair between generated tracks (NaN where no such pair sounds together in the
 * batch). `roll` [n, steps, pitches, tracks] is the generated batch as the critic sees it (given tracks put back;
 * binary cells with straight-through gradients); `targets` one per tonalPairs entry (null = not matched);
 * `givenMask` [phrases, tracks] (1 = the track was given) when some are: pairs of two generated tracks and pairs with
 * one given track are each held to the target, and pairs of two given tracks left out.
 */
export function tonalDistanceMatching(
  roll: tf.Tensor4D,
  spec: LoopSpec,
  targets: readonly (number | null)[],
  givenMask?: tf.Tensor2D,
): { loss: tf.Scalar; means: tf.Tensor1D } {
  return tf.tidy(() => {
    const [n, steps, pitches, tracks] = roll.shape;
    const pairs = tonalPairs(spec);
    if (targets.length !== pairs.length) throw new RangeError(`tonalDistanceMatching: ${targets.length} targets for ${pairs.length} pairs`);
    const beats = n * spec.beatsPerBar;
    // On-cells per pitch class in each beat: [beats, 12, tracks]. The pitch class is the index mod 12 up to a fixed
    // rotation (lowestPitch), which turns every centroid by the same angles and leaves distances as they are.
    const perPitch = tf.sum(tf.reshape(roll, [beats, steps / spec.beatsPerBar, pitches, tracks]), 1);
    const chroma = tf.sum(tf.reshape(perPitch, [beats, pitches / SEMITONES, SEMITONES, tracks]), 1);
    const total = tf.sum(chroma, 1, true); // [beats, 1, tracks]
    const sounding = constantOf(tf.tidy(() => tf.cast(tf.greater(tf.squeeze(total, [1]), 0), 'float32'))); // [beats, tracks]
    const normalised = tf.div(chroma, tf.maximum(total, 1e-6));
    // Per beat and track, 1 where the track is generated: [beats, tracks].
    const generated = givenMask
      ? tf.reshape(tf.tile(tf.reshape(tf.sub(1, givenMask), [-1, 1, tracks]), [1, spec.bars * spec.beatsPerBar, 1]), [beats, tracks])
      : tf.ones([beats, tracks]);
    const matrix = tf.tensor2d(tonalMatrix()); // [6, 12]
    // [beats, tracks, 12] x [12, 6] -> [beats, tracks, 6]
    const centroids = tf.reshape(tf.matMul(tf.reshape(tf.transpose(normalised, [0, 2, 1]), [beats * tracks, SEMITONES]), matrix, false, true), [beats, tracks, 6]);
    const losses: tf.Scalar[] = [];
    const means: tf.Scalar[] = [];
    pairs.forEach(([a, b], i) => {
      const both = tf.mul(tf.slice(sounding, [0, a], [beats, 1]), tf.slice(sounding, [0, b], [beats, 1])); // [beats, 1]
      const diff = tf.sub(tf.slice(centroids, [0, a, 0], [beats, 1, 6]), tf.slice(centroids, [0, b, 0], [beats, 1, 6]));
      // The epsilon keeps the gradient of sqrt finite where two chromas coincide.
      const distance = tf.sqrt(tf.add(tf.sum(tf.square(diff), 2), 1e-8)); // [beats, 1]
      const generatedA = tf.slice(generated, [0, a], [beats, 1]);
      const generatedB = tf.slice(generated, [0, b], [beats, 1]);
      const bothGenerated = tf.mul(generatedA, generatedB);
      // With given tracks, a second group: pairs with exactly one of the two given.
      const groups = givenMask ? [bothGenerated, tf.sub(tf.add(generatedA, generatedB), tf.mul(bothGenerated, 2))] : [bothGenerated];
      const target = targets[i];
      groups.forEach((group, g) => {
        const weights = tf.mul(both, group);
        const counted = tf.sum(weights);
        const mean = tf.div(tf.sum(tf.mul(distance, weights)), tf.maximum(counted, 1)) as tf.Scalar;
        const measured = constantOf(tf.tidy(() => tf.cast(tf.greater(counted, 0), 'float32')));
        if (target !== null && target !== undefined && target > 0) {
          const above = tf.relu(tf.sub(mean, target * (1 + TONAL_DISTANCE_TOLERANCE)));
          const below = tf.relu(tf.sub(target * (1 - TONAL_DISTANCE_TOLERANCE), mean));
          losses.push(tf.mul(tf.div(tf.add(above, below), target), measured) as tf.Scalar);
        }
        if (g === 0) means.push(tf.where(tf.greater(counted, 0), mean, tf.scalar(NaN)) as tf.Scalar);
      });
    });
    const loss = (losses.length ? tf.addN(losses) : tf.scalar(0)) as tf.Scalar;
    return { loss, means: tf.stack(means) as tf.Tensor1D };
  });
}
