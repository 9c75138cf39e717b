/**
 * Generation as the API offers it, for both HTTP and socket handlers: resolves the model id against the registry,
 * fills defaults (a random seed is chosen and returned so any result can be made again), sends the work to the
 * inference pool and names the result.
 */
import { randomInt } from 'node:crypto';
import { instrumentDefaults } from '../exports/instrument.js';
import { StudioError } from '../util/errors.js';
import { AUDIO_FORMAT_BITS, LIMITS } from '../protocol.js';
import type { InstrumentReply, InstrumentRequestParsed, LoopReply, LoopRequestParsed, NoteReply, NoteRequestParsed } from '../protocol.js';
import type { ModelRegistry, RegistryEntry } from '../registry/registry.js';
import type { InferencePool } from '../registry/inference-pool.js';
import type { LockedTracks } from '../registry/inference-messages.js';
import { instrumentBaseName, loopFilename, noteFilename } from './filenames.js';

/** A loop reply plus its roll data, which jam sessions keep for locking tracks. */
export type LoopOutcome = LoopReply & { data: Uint8Array };

export class GenerationService {
  constructor(
    readonly registry: ModelRegistry,
    readonly pool: InferencePool,
  ) {}

  async note(request: NoteRequestParsed): Promise<NoteReply> {
    const entry = await this.registry.findOrDefault(request.model, 'notes');
    const seed = request.latent ? null : (request.seed ?? randomSeed());
    const instrument = request.instrument ?? null;
    const result = await asModel(entry, this.pool.note(entry, {
      midiPitch: request.pitch,
      velocity: request.velocity,
      seed,
      latent: request.latent ?? null,
      instrument,
      seconds: request.duration ?? null,
      format: request.format,
      sampleRate: request.sampleRate ?? null,
      output: 'wav',
    }));
    return {
      model: entry.id,
      pitch: request.pitch,
      velocity: request.velocity,
      seed,
      instrument,
      format: request.format,
      sampleRate: result.sampleRate,
      seconds: result.seconds,
      filename: noteFilename({ model: entry.id, midiPitch: request.pitch, velocity: request.velocity, seed, instrument, format: request.format }),
      mimeType: 'audio/wav',
      audio: result.wav!,
    };
  }

  /** Every pitch of the range at every velocity, packed as WAVs plus an .sfz mapping in one zip. */
  async instrument(request: InstrumentRequestParsed): Promise<InstrumentReply> {
    const entry = await this.registry.findOrDefault(request.model, 'notes');
    const info = await asModel(entry, this.pool.info(entry));
    const { min, max } = request.pitchRange;
    if (info.midiPitchMin !== undefined && info.midiPitchMax !== undefined && (min < info.midiPitchMin || max > info.midiPitchMax)) {
      throw new StudioError('BAD_INPUT', `pitchRange ${min}-${max} is outside model ${entry.id}'s range ${info.midiPitchMin}-${info.midiPitchMax}`);
    }
    const velocities = [...new Set(request.velocities)].sort((a, b) => a - b);
    const pitches = Array.from({ length: max - min + 1 }, (_, i) => min + i);
    const count = pitches.length * velocities.length;
    if (count > LIMITS.maxInstrumentSamples) {
      throw new StudioError('TOO_LARGE', `${count} samples (${pitches.length} pitches x ${velocities.length} velocities) is more than ${LIMITS.maxInstrumentSamples} per instrument`);
    }
    const instrument = request.instrument ?? null;
    const layout = velocities.flatMap((velocity) => pitches.map((midiPitch) => ({ midiPitch, velocity })));
    // Bulk priority: notes played meanwhile by anyone go first.
    const rendered = await Promise.all(
      layout.map((s) =>
        this.pool.note(entry, { ...s, seed: request.seed, latent: null, instrument, seconds: null, format: request.format, sampleRate: null, output: 'raw' }, 'bulk'),
      ),
    );
    const name = instrumentBaseName({ model: entry.id, seed: request.seed, instrument, minPitch: min, maxPitch: max });
    const zip = await this.pool.packInstrument({
      name,
      comment: `${name}: model ${entry.id} (${entry.summary.preset}, step ${entry.summary.step}), timbre seed ${request.seed}${instrument === null ? '' : `, instrument ${instrument}`}\nmade by Studio`,
      sampleRate: rendered[0]!.sampleRate,
      outputSampleRate: request.sampleRate ?? instrumentDefaults.outputSampleRate,
      bitDepth: AUDIO_FORMAT_BITS[request.format],
      notes: layout.map((s, i) => ({ ...s, audio: rendered[i]!.audio! })),
    });
    return { model: entry.id, seed: request.seed, instrument, filename: `${name}.zip`, mimeType: 'application/zip', samples: layout.length, zip };
  }

  async loop(request: LoopRequestParsed, locked: LockedTracks | null = null, entry?: RegistryEntry): Promise<LoopOutcome> {
    const model = entry ?? (await this.registry.findOrDefault(request.model, 'loops'));
    const seed = request.seed ?? randomSeed();
    const filename = loopFilename({ model: model.id, bars: request.bars, tempo: request.tempo, seed }, 'mid');
    const result = await asModel(model, this.pool.loop(model, {
      title: filename.replace(/\.mid$/, ''),
      bars: request.bars,
      tempo: request.tempo,
      seed,
      threshold: request.threshold,
      tracks: request.tracks ?? null,
      key: request.key ?? null,
      scale: request.scale ?? null,
      condition: request.condition ?? null,
      locked,
    }));
    return {
      model: model.id,
      seed,
      bars: request.bars,
      tempo: request.tempo,
      filename,
      mimeType: 'audio/midi',
      midi: result.midi,
      roll: result.roll,
      data: result.data,
    };
  }
}

/**
 * Errors from loading or running a model name its folder by absolute path; clients see the model id instead
 * (the server's file layout is none of a remote client's business).
 */
export async function asModel<T>(entry: RegistryEntry, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof StudioError && err.message.includes(entry.dir)) {
      throw new StudioError(err.code, err.message.split(entry.dir).join(`model ${entry.id}`), { cause: err });
    }
    throw err;
  }
}

export function randomSeed(): number {
  return randomInt(0, 2 ** 31 - 1);
}
