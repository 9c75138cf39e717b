/**
 * `studio eval notes`: how good a note model is, next to how good it could be. Real notes are split into a
 * reference set and a held-out set; generated notes get the held-out set's pitches and random timbres. Every figure is
 * computed for generated-vs-reference and for held-out-real-vs-reference, the ceiling it is read against.
 */
import { Rng } from '../../ml/random.js';
import type { NoteModel } from '../note-model.js';
import type { ProgressCallback } from '../../util/progress.js';
import { StudioError } from '../../util/errors.js';
import { noteFeatures, featureDefaults, type NoteFeatures } from './features.js';
import { NdbBins, type NdbResult } from './ndb.js';
import { featureStatistics, frechetDistance } from './frechet.js';
import { checkPitch, pitchAccuracy, PITCH_TOLERANCE_CENTS } from './pitch-accuracy.js';

export interface RealNote {
  audio: Float32Array;
  midiPitch: number;
  instrument: string;
}

export interface EvaluateNotesOptions {
  /** Share of real notes held out (the ceiling's test set). */
  heldOutShare?: number;
  /** Generated notes; default: as many as held out. */
  count?: number;
  /** NDB bins (k-means k). */
  k?: number;
  seed?: number;
  onProgress?: ProgressCallback;
}

export const evaluateDefaults = { heldOutShare: 0.2, k: 50, seed: 0 };

/** Targets of the shipped model (issue 4): pitch accuracy and NDB/k relative to the real-vs-real figure. */
export const QUALITY_TARGETS = { pitchAccuracy: 0.9, ndbOverKRatioMax: 3 };

export interface QualityFigures {
  count: number;
  pitchAccuracy: number;
  /** Median |cents| error over notes with an f0 estimate. */
  medianAbsCents: number | null;
  ndb: number;
  ndbOverK: number;
  frechetDistance: number;
}

export interface NotesEvaluation {
  k: number;
  pitchToleranceCents: number;
  counts: { reference: number; heldOut: number; generated: number };
  generated: QualityFigures;
  /** Held-out real notes measured the same way: the ceiling. */
  realHeldOut: QualityFigures;
  /** generated.ndbOverK / realHeldOut.ndbOverK (Infinity when real is 0 and generated is not). */
  ndbOverKRatio: number;
  targets: typeof QUALITY_TARGETS & { met: { pitchAccuracy: boolean; ndbOverK: boolean } };
  features: typeof featureDefaults;
  seconds: number;
}

export function evaluateNotes(model: NoteModel, realNotes: RealNote[], options: EvaluateNotesOptions = {}): NotesEvaluation {
  const started = performance.now();
  const { heldOutShare, k, seed } = { ...evaluateDefaults, ...options };
  const { spec } = model;
  const inRange = realNotes.filter((n) => n.midiPitch >= spec.midiPitchMin && n.midiPitch <= spec.midiPitchMax);
  const rng = new Rng(`eval:${seed}`);
  const order = rng.permutation(inRange.length);
  const heldOutCount = Math.round(inRange.length * heldOutShare);
  const heldOut = order.slice(0, heldOutCount).map((i) => inRange[i]!);
  const reference = order.slice(heldOutCount).map((i) => inRange[i]!);
  if (reference.length < k * 2 || heldOut.length < 10) {
    throw new StudioError('BAD_INPUT', `evaluation needs at least ${k * 2} reference and 10 held-out notes in MIDI ${spec.midiPitchMin}-${spec.midiPitchMax}; the data has ${inRange.length}`);
  }
  const count = options.count ?? heldOut.length;
  const progress = (done: number, phase: string) => options.onProgress?.({ done, total: 5, phase });

  progress(0, 'features of real notes');
  const rate = model.sampleRate;
  const referenceFeatures = reference.map((n) => noteFeatures(n.audio, rate));
  const heldOutFeatures = heldOut.map((n) => noteFeatures(n.audio, rate));

  progress(1, 'generating');
  const pitches = Array.from({ length: count }, (_, i) => heldOut[i % heldOut.length]!.midiPitch);
  const latents = pitches.map(() => rng.normalArray(spec.latentSize));
  const generatedAudio = model.generate({ pitches, latents, velocity: 100 });
  const generatedFeatures = generatedAudio.map((a) => noteFeatures(a, rate));

  progress(2, 'NDB/k bins (k-means)');
  const bins = new NdbBins(referenceFeatures.map((f) => f.bins), { k, seed });
  const referenceStats = featureStatistics(referenceFeatures.map((f) => f.summary));

  progress(3, 'pitch accuracy');
  const figures = (audio: Float32Array[], notePitches: number[], features: NoteFeatures[]): QualityFigures => {
    const checks = audio.map((a, i) => checkPitch(a, rate, notePitches[i]!));
    const cents = checks.flatMap((c) => (c.cents === null ? [] : [Math.abs(c.cents)])).sort((a, b) => a - b);
    const ndb: NdbResult = bins.score(features.map((f) => f.bins));
    return {
      count: audio.length,
      pitchAccuracy: pitchAccuracy(checks),
      medianAbsCents: cents.length ? cents[Math.floor(cents.length / 2)]! : null,
      ndb: ndb.ndb,
      ndbOverK: ndb.ndbOverK,
      frechetDistance: frechetDistance(referenceStats, featureStatistics(features.map((f) => f.summary))),
    };
  };
  const generated = figures(generatedAudio, pitches, generatedFeatures);
  const realHeldOut = figures(heldOut.map((n) => n.audio), heldOut.map((n) => n.midiPitch), heldOutFeatures);
  progress(5, 'done');

  const ndbOverKRatio = realHeldOut.ndbOverK > 0 ? generated.ndbOverK / realHeldOut.ndbOverK : generated.ndbOverK > 0 ? Infinity : 1;
  return {
    k,
    pitchToleranceCents: PITCH_TOLERANCE_CENTS,
    counts: { reference: reference.length, heldOut: heldOut.length, generated: count },
    generated,
    realHeldOut,
    ndbOverKRatio,
    targets: {
      ...QUALITY_TARGETS,
      met: {
        pitchAccuracy: generated.pitchAccuracy >= QUALITY_TARGETS.pitchAccuracy,
        ndbOverK: ndbOverKRatio <= QUALITY_TARGETS.ndbOverKRatioMax,
      },
    },
    features: featureDefaults,
    seconds: (performance.now() - started) / 1000,
  };
}
