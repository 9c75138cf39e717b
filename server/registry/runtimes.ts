/**
 * Adapters from the model classes (server/gansynth NoteModel, server/musegan LoopModel) to what the server needs:
 * batches of items in, encoded files out. The HTTP and socket code never sees a model class; this file is the only
 * server module that does, and it runs inside the inference worker.
 */
import { NoteModel } from '../gansynth/note-model.js';
import { latentForSeed } from '../gansynth/latent.js';
import { withTimbreClass } from '../gansynth/timbre-classes.js';
import type { NoteModelSpec } from '../gansynth/spec.js';
import { encodeWav } from '../audio/wav.js';
import { resample } from '../audio/resample.js';
import { LoopModel } from '../musegan/loop-model.js';
import { midiBytesForLoop } from '../musegan/midi-input.js';
import type { LoopSpec } from '../musegan/spec.js';
import type { LoopGenerateOptions } from '../musegan/generate.js';
import { rollToMidi } from '../music/midi-out.js';
import { assertRollShape, type MultitrackRoll } from '../music/roll.js';
import { StudioError } from '../util/errors.js';
import { rollToJson } from './roll-json.js';
import { settleEach, type Settled } from './settle.js';
import { AUDIO_FORMAT_BITS } from '../protocol.js';
import type { LockedTracks, LoopItem, LoopResult, NoteItem, NoteResult, RuntimeInfo, RuntimeKind } from './inference-messages.js';

/** Each generates a batch in as few forward passes as it can; a bad item fails alone (see settle.ts). */
export interface NoteRuntime {
  kind: 'notes';
  info: RuntimeInfo;
  generate(items: NoteItem[]): Settled<NoteResult>[];
  dispose(): void;
}

export interface LoopRuntime {
  kind: 'loops';
  info: RuntimeInfo;
  generate(items: LoopItem[]): Settled<LoopResult>[];
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
      // The latent is made (and the instrument checked) per item, so a bad one fails alone.
      const prepare = (item: NoteItem): { item: NoteItem; latent: Float32Array } => {
        if (item.midiPitch < spec.midiPitchMin || item.midiPitch > spec.midiPitchMax) {
          throw new StudioError('BAD_INPUT', `pitch ${item.midiPitch} is outside this model's range ${spec.midiPitchMin}-${spec.midiPitchMax}`);
        }
        if (item.latent && item.latent.length !== spec.latentSize) {
          throw new StudioError('BAD_INPUT', `latent has ${item.latent.length} values; this model's latent size is ${spec.latentSize}`);
        }
        return { item, latent: latentOf(item, spec) };
      };
      return settleEach(items, prepare, (ok) => {
        // Level and length are applied after decoding, so items that differ only in timbre and pitch share a pass.
        const results = new Array<NoteResult>(ok.length);
        for (const group of groupBy(ok, (p) => `${p.item.velocity}|${p.item.seconds ?? ''}`)) {
          const first = ok[group[0]!]!.item;
          const audio = model.generate({
            pitches: group.map((g) => ok[g]!.item.midiPitch),
            latents: group.map((g) => ok[g]!.latent),
            velocity: first.velocity,
            seconds: first.seconds ?? undefined,
          });
          group.forEach((g, k) => {
            results[g] = encodeNote(audio[k]!, model.sampleRate, ok[g]!.item);
          });
        }
        return results;
      });
    },
    dispose: () => model.dispose(),
  };
}

/** The item's latent (given, or its seed's), moved into the named instrument's timbre class when it names one. */
function latentOf(item: NoteItem, spec: NoteModelSpec): Float32Array {
  const latent = item.latent ? Float32Array.from(item.latent) : latentForSeed(item.seed ?? 0, spec.latentSize);
  return item.instrument == null ? latent : withTimbreClass(spec, latent, item.instrument);
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
      // The user's MIDI and the locked tracks are read per item; then one forward pass for all.
      const prepare = (item: LoopItem): Partial<LoopGenerateOptions> & { title: string } => ({
        title: item.title,
        bars: item.bars,
        seed: item.seed,
        threshold: item.threshold,
        tempoBpm: item.tempo,
        tracks: item.tracks ?? undefined,
        key: item.key ?? undefined,
        scale: item.scale ?? undefined,
        locked: item.locked ? { roll: lockedRoll(spec, item.locked, item.tempo), tracks: item.locked.tracks } : undefined,
        condition: item.condition
          ? { roll: midiBytesForLoop(item.condition.midi, 'condition MIDI', spec, { bars: item.bars, requireTracks: [item.condition.track] }), track: item.condition.track }
          : undefined,
      });
      return settleEach(items, prepare, (ready) =>
        model.generateMany(ready).map((roll, i) => ({ midi: rollToMidi(roll, { name: ready[i]!.title }), roll: rollToJson(roll), data: roll.data })),
      );
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
