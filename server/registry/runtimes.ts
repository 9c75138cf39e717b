/**
 * Adapters from the model classes (server/gansynth NoteModel, server/musegan LoopModel) to what the server needs:
 * batches of items in, encoded files out. The HTTP and socket code never sees a model class; this file is the only
 * server module that does, and it runs inside the inference worker.
 */
import { NoteModel } from '../gansynth/note-model.js';
import { latentForSeed } from '../gansynth/latent.js';
import { encodeWav } from '../audio/wav.js';
import { resample } from '../audio/resample.js';
import { LoopModel } from '../musegan/loop-model.js';
import type { LoopSpec } from '../musegan/spec.js';
import { midiToPhrases } from '../music/midi-in.js';
import { rollToMidi } from '../music/midi-out.js';
import { assertRollShape, trackIsEmpty, type MultitrackRoll } from '../music/roll.js';
import { StudioError } from '../util/errors.js';
import { rollToJson } from './roll-json.js';
import { AUDIO_FORMAT_BITS, type TrackName } from '../protocol.js';
import type { LockedTracks, LoopItem, LoopResult, NoteItem, NoteResult, RuntimeInfo, RuntimeKind } from './inference-messages.js';

export interface NoteRuntime {
  kind: 'notes';
  info: RuntimeInfo;
  generate(items: NoteItem[]): NoteResult[];
  dispose(): void;
}

export interface LoopRuntime {
  kind: 'loops';
  info: RuntimeInfo;
  generate(items: LoopItem[]): LoopResult[];
  dispose(): void;
}

export type Runtime = NoteRuntime | LoopRuntime;

export async function loadRuntime(kind: RuntimeKind, dir: string): Promise<Runtime> {
  return kind === 'notes' ? loadNoteRuntime(dir) : loadLoopRuntime(dir);
}

async function loadNoteRuntime(dir: string): Promise<NoteRuntime> {
  const model = await NoteModel.load(dir);
  const { spec } = model;
  const info: RuntimeInfo = {
    kind: 'notes',
    sampleRate: model.sampleRate,
    seconds: spec.spectral.seconds,
    latentSize: spec.latentSize,
    midiPitchMin: spec.midiPitchMin,
    midiPitchMax: spec.midiPitchMax,
  };
  return {
    kind: 'notes',
    info,
    generate(items) {
      for (const item of items) {
        if (item.midiPitch < spec.midiPitchMin || item.midiPitch > spec.midiPitchMax) {
          throw new StudioError('BAD_INPUT', `pitch ${item.midiPitch} is outside this model's range ${spec.midiPitchMin}-${spec.midiPitchMax}`);
        }
        if (item.latent && item.latent.length !== spec.latentSize) {
          throw new StudioError('BAD_INPUT', `latent has ${item.latent.length} values; this model's latent size is ${spec.latentSize}`);
        }
      }
      // Level and length are applied after decoding, so items that differ only in timbre and pitch share a pass.
      const results = new Array<NoteResult>(items.length);
      for (const group of groupBy(items, (i) => `${i.velocity}|${i.seconds ?? ''}`)) {
        const first = items[group[0]!]!;
        const audio = model.generate({
          pitches: group.map((g) => items[g]!.midiPitch),
          latents: group.map((g) => latentOf(items[g]!, spec.latentSize)),
          velocity: first.velocity,
          seconds: first.seconds ?? undefined,
        });
        group.forEach((g, k) => {
          results[g] = encodeNote(audio[k]!, model.sampleRate, items[g]!);
        });
      }
      return results;
    },
    dispose: () => model.dispose(),
  };
}

function latentOf(item: NoteItem, latentSize: number): Float32Array {
  return item.latent ? Float32Array.from(item.latent) : latentForSeed(item.seed ?? 0, latentSize);
}

function encodeNote(audio: Float32Array, modelRate: number, item: NoteItem): NoteResult {
  if (item.output === 'raw') return { wav: null, audio, sampleRate: modelRate, seconds: audio.length / modelRate };
  const sampleRate = item.sampleRate ?? modelRate;
  const samples = sampleRate === modelRate ? audio : resample(audio, modelRate, sampleRate);
  return { wav: encodeWav(samples, { sampleRate, bitDepth: AUDIO_FORMAT_BITS[item.format] }), audio: null, sampleRate, seconds: samples.length / sampleRate };
}

/** Indices of `items` grouped by key, groups in order of first appearance. */
function groupBy<T>(items: T[], key: (item: T) => string): number[][] {
  const groups = new Map<string, number[]>();
  items.forEach((item, i) => {
    const k = key(item);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return [...groups.values()];
}

async function loadLoopRuntime(dir: string): Promise<LoopRuntime> {
  const model = await LoopModel.load(dir);
  const { spec } = model;
  const info: RuntimeInfo = { kind: 'loops', bars: spec.bars, stepsPerBar: spec.stepsPerBar };
  return {
    kind: 'loops',
    info,
    generate(items) {
      // One forward pass for all: LoopModel batches the phrases of every request.
      const rolls = model.generateMany(
        items.map((item) => ({
          bars: item.bars,
          seed: item.seed,
          threshold: item.threshold,
          tempoBpm: item.tempo,
          tracks: item.tracks ?? undefined,
          key: item.key ?? undefined,
          scale: item.scale ?? undefined,
          locked: item.locked ? { roll: lockedRoll(spec, item.locked, item.tempo), tracks: item.locked.tracks } : undefined,
          condition: item.condition ? { roll: conditionRoll(spec, item.condition.midi, item.condition.track, item.bars), track: item.condition.track } : undefined,
        })),
      );
      return rolls.map((roll, i) => ({ midi: rollToMidi(roll, { name: items[i]!.title }), roll: rollToJson(roll), data: roll.data }));
    },
    dispose: () => model.dispose(),
  };
}

/** The playing loop of a jam (this model's own output) as a roll again, to keep its locked tracks. */
function lockedRoll(spec: LoopSpec, locked: LockedTracks, tempoBpm: number): MultitrackRoll {
  const roll: MultitrackRoll = { bars: locked.bars, stepsPerBar: spec.stepsPerBar, lowestPitch: spec.lowestPitch, pitchCount: spec.pitchCount, tempoBpm, beatsPerBar: spec.beatsPerBar, data: locked.data };
  assertRollShape(roll, 'locked loop');
  return roll;
}

/**
 * The user's part from MIDI bytes, read as server/musegan/midi-input.ts reads a file for `studio generate loop
 * --condition`: the first stretch of the loop's length (else of the model's phrase length, then repeated) on the
 * file's own 4/4 bar lines in which `track` plays.
 */
function conditionRoll(spec: LoopSpec, midi: Uint8Array, track: TrackName, bars: number): MultitrackRoll {
  const name = 'condition MIDI';
  const grid = { stepsPerBar: spec.stepsPerBar, lowestPitch: spec.lowestPitch, pitchCount: spec.pitchCount, beatsPerBar: spec.beatsPerBar, minTracks: 1 };
  const skipped: string[] = [];
  for (const length of [...new Set([bars, spec.bars])]) {
    const result = midiToPhrases(midi, name, { ...grid, bars: length });
    const phrase = result.phrases.find((p) => !trackIsEmpty(p, track));
    if (phrase) return phrase;
    skipped.push(...result.skipped.map((s) => s.reason));
  }
  const why = skipped.length ? ` (skipped: ${[...new Set(skipped)].slice(0, 3).join('; ')})` : '';
  throw new StudioError('BAD_INPUT', `${name}: no ${spec.bars}-bar 4/4 stretch with a ${track} part${why}`);
}
