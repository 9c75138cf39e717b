/**
 * Gate calibration: after training, one logit offset per track moves the activity gates' threshold so that free
 * generation sounds as many bars of each track as the training data does (metadata `dataset.soundingBarShare`).
 * Training balances the gates against the critic on batches where other tracks are often given; left alone, free
 * generation kept 78% of bass bars sounding against the data's 88%. The offsets are found on generated loops of a
 * stream of their own (not the eval's seeds): a bar sounds when its shifted gate is open and it has a note above the
 * threshold, and the note logits do not depend on the gate, so each offset is a quantile of that track's gate logits.
 * They live in metadata.json (`gateCalibration`), not in the weights: `--resume` trains the raw weights exactly,
 * and a checkpoint written by further training drops them (they belong to the weights they were measured on).
 */
import { z } from 'zod';
import { tf } from '../ml/tf.js';
import type { ParamStore } from '../ml/params.js';
import { Rng } from '../ml/random.js';
import { StudioError } from '../util/errors.js';
import { generatorParts, noGivenTracks } from './generator.js';
import { disposeLatentTensors, latentTensors, sampleLatent } from './latents.js';
import type { LoopSpec } from './spec.js';

export const gateCalibrationSchema = z.object({
  /** Model step the offsets were measured at. */
  step: z.number().int().min(0),
  loops: z.number().int().positive(),
  threshold: z.number().gt(0).lt(1),
  tracks: z.array(
    z.object({
      track: z.string(),
      /** Added to every bar's gate logit of this track. */
      offset: z.number().finite(),
      /** Share of bars that sound: the data's, and free generation's before and after the offset. */
      target: z.number().min(0).max(1),
      before: z.number().min(0).max(1),
      after: z.number().min(0).max(1),
    }),
  ),
});
export type GateCalibration = z.infer<typeof gateCalibrationSchema>;

export const gateCalibrationDefaults = { loops: 512, seed: 0, threshold: 0.5, batch: 32 };

/** Offsets beyond this (logits) would mean the gate no longer decides anything; the calibration stops there. */
const MAX_OFFSET = 8;

/** Per track, every generated bar's gate logit and whether it has a note above the threshold. */
interface BarGates {
  gate: Float32Array;
  hasNote: Uint8Array;
}

function measureBarGates(store: ParamStore, spec: LoopSpec, loops: number, seed: number, threshold: number, batch: number): BarGates[] {
  if (!spec.generator.activityGate) throw new StudioError('BAD_INPUT', 'this loop model has no activity gate to calibrate');
  const tracks = spec.tracks.length;
  const bars = loops * spec.bars;
  const out = spec.tracks.map(() => ({ gate: new Float32Array(bars), hasNote: new Uint8Array(bars) }));
  const rng = new Rng(`gate-calibration:${seed}`);
  const noteLogitThreshold = Math.log(threshold / (1 - threshold));
  for (let done = 0; done < loops; done += batch) {
    const n = Math.min(batch, loops - done);
    const z = latentTensors(spec, Array.from({ length: n }, () => sampleLatent(spec, rng)));
    try {
      const [gates, maxNotes] = tf.tidy(() => {
        const parts = generatorParts(store, spec, z, noGivenTracks(spec, n));
        return [tf.reshape(parts.gate!, [n * spec.bars, tracks]), tf.max(parts.notes, [1, 2])]; // [bars, tracks] each
      });
      const g = gates.dataSync();
      const m = maxNotes.dataSync();
      tf.dispose([gates, maxNotes]);
      for (let b = 0; b < n * spec.bars; b++) {
        for (let t = 0; t < tracks; t++) {
          out[t]!.gate[done * spec.bars + b] = g[b * tracks + t]!;
          out[t]!.hasNote[done * spec.bars + b] = m[b * tracks + t]! > noteLogitThreshold ? 1 : 0;
        }
      }
    } finally {
      disposeLatentTensors(z);
    }
  }
  return out;
}

function soundingShare(bars: BarGates, offset: number): number {
  let sounding = 0;
  for (let i = 0; i < bars.gate.length; i++) if (bars.hasNote[i] && bars.gate[i]! + offset > 0) sounding++;
  return sounding / bars.gate.length;
}

/**
 * The offset whose sounding share is nearest `target`: the bars with notes, sorted by gate logit, open from the top
 * until the share is reached; the offset sits halfway between the last bar opened and the first kept shut.
 */
export function offsetForTarget(bars: BarGates, target: number): number {
  const withNotes = bars.gate.filter((_, i) => bars.hasNote[i] === 1).sort((a, b) => b - a);
  const wanted = Math.round(target * bars.gate.length);
  let offset: number;
  if (withNotes.length === 0) offset = 0;
  else if (wanted <= 0) offset = -withNotes[0]! - 1e-3;
  else if (wanted >= withNotes.length) offset = -withNotes[withNotes.length - 1]! + 1e-3;
  else offset = -(withNotes[wanted - 1]! + withNotes[wanted]!) / 2;
  return Math.max(-MAX_OFFSET, Math.min(MAX_OFFSET, offset));
}

/** Measures free generation and returns the offsets that bring each track's sounding share to the data's. */
export function calibrateGates(
  store: ParamStore,
  spec: LoopSpec,
  targets: Record<string, number>,
  options: Partial<typeof gateCalibrationDefaults> & { step: number },
): GateCalibration {
  const { loops, seed, threshold, batch } = { ...gateCalibrationDefaults, ...options };
  for (const track of spec.tracks) {
    const target = targets[track];
    if (typeof target !== 'number' || !(target >= 0 && target <= 1)) throw new StudioError('BAD_INPUT', `no sounding-bar share of the data for track "${track}" to calibrate to`);
  }
  const measured = measureBarGates(store, spec, loops, seed, threshold, batch);
  return {
    step: options.step,
    loops,
    threshold,
    tracks: spec.tracks.map((track, t) => {
      const bars = measured[t]!;
      const offset = offsetForTarget(bars, targets[track]!);
      return { track, offset, target: targets[track]!, before: soundingShare(bars, 0), after: soundingShare(bars, offset) };
    }),
  };
}

/** The offsets in the spec's track order, from metadata (undefined when the model has none). */
export function gateOffsetsOf(spec: LoopSpec, metadata: Record<string, unknown>, source: string): number[] | undefined {
  if (metadata.gateCalibration === undefined) return undefined;
  const parsed = gateCalibrationSchema.safeParse(metadata.gateCalibration);
  if (!parsed.success) throw new StudioError('BAD_FILE', `${source}: gateCalibration: ${parsed.error.issues[0]!.message}`);
  const byTrack = new Map(parsed.data.tracks.map((t) => [t.track, t.offset]));
  return spec.tracks.map((track) => {
    const offset = byTrack.get(track);
    if (offset === undefined) throw new StudioError('BAD_FILE', `${source}: gateCalibration has no offset for track "${track}"`);
    return offset;
  });
}
