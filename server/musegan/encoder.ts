/**
 * Track-conditional encoder (MuseGAN's track-conditional variant, generalised to any set of given tracks):
 * encodes the given tracks of a phrase, bar by bar, into feature maps at the bar generator's three coarse
 * resolutions, which every bar generator instance reads beside its own features (U-Net-like skips). Which
 * tracks are given reaches the generator separately as a mask, so "given and silent" differs from "not given".
 */
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { leakyRelu } from '../ml/layers/activations.js';
import { reducePitch, reduceTime, type Grid } from './block-layers.js';
import { SEMITONES, SIXTEENTHS_PER_BEAT, loopShape, type LoopSpec } from './spec.js';

export interface ConditionFeatures {
  /** [n*stepsPerBar*octaves, c0]: read by the generator's time-then-pitch stream. */
  steps: tf.Tensor2D;
  /** [n*sixteenths*octaves, c1]. */
  sixteenths: tf.Tensor2D;
  /** [n*beats*octaves, c2]. */
  beats: tf.Tensor2D;
}

/** given [n, stepsPerBar, pitchCount, tracks] (zeros on tracks not given) -> features at three resolutions. */
export function encodeCondition(p: ParamStore, spec: LoopSpec, given: tf.Tensor4D): ConditionFeatures {
  const shape = loopShape(spec);
  const [c0, c1, c2] = spec.conditioning.channels;
  const [n] = given.shape;
  const x = tf.reshape(given, [n * spec.stepsPerBar * spec.pitchCount, shape.tracks]) as tf.Tensor2D;
  const grid: Grid = { n, h: spec.stepsPerBar, w: spec.pitchCount };
  const steps = reducePitch(p, 'encoder/octaves', 1, [x], grid, SEMITONES, c0); // [n*48*7, c0]
  const stepsY = leakyRelu(steps.y[0]!);
  const sixteenths = reduceTime(p, 'encoder/sixteenths', 1, [stepsY], steps.grid, shape.stepsPerSixteenth, c1); // [n*16*7, c1]
  const sixteenthsY = leakyRelu(sixteenths.y[0]!);
  const beats = reduceTime(p, 'encoder/beats', 1, [sixteenthsY], sixteenths.grid, SIXTEENTHS_PER_BEAT, c2); // [n*4*7, c2]
  return { steps: stepsY, sixteenths: sixteenthsY, beats: leakyRelu(beats.y[0]!) };
}
