/**
 * The WGAN critic. Each bar's roll and its note onsets are read in patches of a sixteenth x an octave (MuseGAN
 * reads them with two thin streams, pitch-then-time and time-then-pitch; one patch layer sees the same cells and
 * runs several times faster here), beside a chroma (pitch classes per beat: harmony) and a rhythm (note starts and
 * ends per step) stream and each bar's pitch classes per track, giving one embedding per bar; the bars of a phrase are then judged together. For the jamming design every track has
 * its own critic that sees only its own track (MuseGAN: one discriminator per generator) and the scores add up;
 * composer and hybrid share one critic over all tracks.
 *
 * No normalisation (WGAN-GP penalises per-sample gradients). Rank <= 4 throughout; every op has second-order
 * gradients for the penalty.
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { instanceDense, leakyAll, reducePatch, reducePitch, reduceTime, type Grid } from './block-layers.js';
import { SEMITONES, SIXTEENTHS_PER_BEAT, loopShape, type LoopSpec } from './spec.js';

/**
 * Scores for flat phrases: x [batch, bars*stepsPerBar*pitchCount*tracks] (the channels-last roll, flattened so
 * the gradient penalty sees one row per sample) -> [batch].
 */
export function criticScores(p: ParamStore, spec: LoopSpec, x: tf.Tensor2D): tf.Tensor1D {
  const shape = loopShape(spec);
  const c = spec.critic;
  const batch = x.shape[0];
  const n = batch * spec.bars;
  const instances = shape.criticInstances;
  const tracksPerInstance = shape.tracks / instances;
  const fine = n * spec.stepsPerBar * spec.pitchCount;
  // One [n*steps*pitches, tracks/I] input per instance.
  const cells = tf.reshape(x, [fine, shape.tracks]) as tf.Tensor2D;
  let input: tf.Tensor2D[];
  if (instances === 1) input = [cells];
  else {
    const trackMajor = tf.transpose(cells); // [tracks, fine]
    input = Array.from({ length: instances }, (_, t) => tf.reshape(tf.slice(trackMajor, [t, 0], [1, fine]), [fine, 1]) as tf.Tensor2D);
  }
  const grid: Grid = { n, h: spec.stepsPerBar, w: spec.pitchCount };
  const I = instances;

  // Note onsets per cell (1 where a note starts): the critic sees rhythm and fragmented notes directly.
  const stepsOf = (xi: tf.Tensor2D) => tf.reshape(xi, [n, spec.stepsPerBar, spec.pitchCount * tracksPerInstance]) as tf.Tensor3D;
  const previousStep = (steps: tf.Tensor3D) =>
    tf.concat([tf.zeros([n, 1, spec.pitchCount * tracksPerInstance]), tf.slice(steps, [0, 0, 0], [n, spec.stepsPerBar - 1, -1])], 1);
  const onsets = input.map((xi) => {
    const steps = stepsOf(xi);
    return tf.reshape(tf.relu(tf.sub(steps, previousStep(steps))), [fine, tracksPerInstance]) as tf.Tensor2D;
  });

  // Roll and onsets in patches of a sixteenth x an octave -> [n*16*7] -> per beat [n*4*7].
  const patches = reducePatch(p, 'critic/patches', I, [input, onsets], grid, shape.stepsPerSixteenth, SEMITONES, c.patchChannels);
  const merged = leakyAll(instanceDense(p, 'critic/merged', I, [leakyAll(patches.y)], c.mergedChannels));
  const beats = reduceTime(p, 'critic/beats', I, [merged], patches.grid, SIXTEENTHS_PER_BEAT, c.beatChannels); // [n*4*7]

  // Chroma: sum the octaves -> [n*48*12, tracks/I] -> per beat -> per bar.
  const chroma = input.map(
    (xi) => tf.reshape(tf.sum(tf.reshape(xi, [n * spec.stepsPerBar, shape.octaves, SEMITONES * tracksPerInstance]), 1), [n * spec.stepsPerBar * SEMITONES, tracksPerInstance]) as tf.Tensor2D,
  );
  const c1 = reduceTime(p, 'critic/chroma/beat', I, [chroma], { n, h: spec.stepsPerBar, w: SEMITONES }, shape.stepsPerBeat, c.chromaChannels); // [n*4*12]
  const c2 = reducePitch(p, 'critic/chroma/classes', I, [leakyAll(c1.y)], c1.grid, SEMITONES, c.chromaChannels); // [n*4*1]

  // Rhythm: note starts and ends per step, summed over pitch -> [n*48, 2*tracks/I] -> per sixteenth -> per beat.
  const rhythm = input.map((xi, i) => {
    const steps = stepsOf(xi);
    const ends = tf.relu(tf.sub(previousStep(steps), steps));
    const perPitch = (t: tf.Tensor) => tf.sum(tf.reshape(t, [n * spec.stepsPerBar, spec.pitchCount, tracksPerInstance]), 1);
    return tf.concat([perPitch(onsets[i]!), perPitch(ends)], 1) as tf.Tensor2D; // [n*48, 2*tracks/I]
  });
  const o1 = reduceTime(p, 'critic/onset/sixteenth', I, [rhythm], { n, h: spec.stepsPerBar, w: 1 }, shape.stepsPerSixteenth, c.onsetChannels);
  const o2 = reduceTime(p, 'critic/onset/beat', I, [leakyAll(o1.y)], o1.grid, SIXTEENTHS_PER_BEAT, c.onsetChannels); // [n*4*1]

  // Each bar's pitch classes per track: note cells per class over the bar, saturated as k/(1+k) -> [n, 12*tracks/I].
  // A held chord tone reads ~1 and a one-step blip 0.5, and the gradient (1/(1+k)²) is largest on the sparse
  // blips that inflate a bar's pitch-class count; all zeros is an empty bar. (k/(1+k), not 1 - exp(-k): second-order
  // gradients through Exp are wrong in tfjs, see losses.ts.)
  const barChroma = c.barChroma
    ? chroma.map((ci) => {
        const counts = tf.sum(tf.reshape(ci, [n, spec.stepsPerBar, SEMITONES * tracksPerInstance]), 1);
        return tf.div(counts, tf.add(counts, 1)) as tf.Tensor2D;
      })
    : null;

  // One embedding per bar, then the phrase.
  const perBar = (ts: tf.Tensor2D[]) => leakyAll(ts).map((t) => tf.reshape(t, [n, t.size / n]) as tf.Tensor2D);
  const barInputs = [perBar(beats.y), perBar(c2.y), perBar(o2.y), ...(barChroma ? [barChroma] : [])];
  const bars = leakyAll(instanceDense(p, 'critic/bar', I, barInputs, c.barEmbedding)); // [n, e]
  const phrase = bars.map((b) => tf.reshape(b, [batch, spec.bars * c.barEmbedding]) as tf.Tensor2D);
  const hidden = leakyAll(instanceDense(p, 'critic/phrase', I, [phrase], c.phraseHidden));
  const scores = instanceDense(p, 'critic/score', I, [hidden], 1); // [batch, 1] each
  return tf.reshape(scores.length === 1 ? scores[0]! : tf.addN(scores), [batch]);
}
