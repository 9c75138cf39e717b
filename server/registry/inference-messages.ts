/**
 * Messages between the server's event loop and the inference worker (which owns every loaded model).
 * Plain data only: typed arrays travel as transferables.
 */
import type { AudioFormat, ErrorBody, LoopRollJson, TrackName } from '../protocol.js';

export type RuntimeKind = 'notes' | 'loops';

/** What the loaded model can do (read from its spec). */
export interface RuntimeInfo {
  kind: RuntimeKind;
  /** notes: output rate, length, latent size and pitch range. */
  sampleRate?: number;
  seconds?: number;
  latentSize?: number;
  midiPitchMin?: number;
  midiPitchMax?: number;
  /** loops: the model's own phrase length and grid. */
  bars?: number;
  stepsPerBar?: number;
}

export interface NoteItem {
  midiPitch: number;
  velocity: number;
  /** Exactly one of seed and latent. */
  seed: number | null;
  latent: number[] | null;
  /** One of the model's timbre classes: the latent is moved into it (timbre-classes.ts withTimbreClass); null = as is. */
  instrument: string | null;
  seconds: number | null;
  format: AudioFormat;
  /** Output rate; null = the model's own. */
  sampleRate: number | null;
  /** 'wav': an encoded file (format, sampleRate); 'raw': the samples at the model's rate (for instrument packing). */
  output: 'wav' | 'raw';
}

export interface NoteResult {
  /** The encoded WAV file (output 'wav'). */
  wav: Uint8Array | null;
  /** Samples at `sampleRate` (output 'raw'). */
  audio: Float32Array | null;
  sampleRate: number;
  seconds: number;
}

/** Notes rendered for an instrument, packed by server/exports/instrument.ts into WAVs + .sfz + zip. */
export interface InstrumentPack {
  name: string;
  comment: string;
  sampleRate: number;
  outputSampleRate: number;
  bitDepth: 16 | 24 | 32;
  notes: { midiPitch: number; velocity: number; audio: Float32Array }[];
}

/** Tracks carried over from an earlier loop (jam locking): its channels-last roll data and which tracks to keep. */
export interface LockedTracks {
  data: Uint8Array;
  bars: number;
  tracks: TrackName[];
}

export interface LoopItem {
  /** Written as the MIDI file's name (its conductor track). */
  title: string;
  bars: number;
  tempo: number;
  seed: number;
  threshold: number;
  tracks: TrackName[] | null;
  key: string | null;
  scale: string | null;
  condition: { midi: Uint8Array; track: TrackName } | null;
  locked: LockedTracks | null;
}

export interface LoopResult {
  midi: Uint8Array;
  roll: LoopRollJson;
  /** Channels-last roll data, kept by jam sessions for locking tracks. */
  data: Uint8Array;
}

export type WorkerRequest =
  | { id: number; op: 'load'; key: string; kind: RuntimeKind; dir: string }
  | { id: number; op: 'unload'; key: string }
  | { id: number; op: 'notes'; key: string; items: NoteItem[] }
  | { id: number; op: 'loops'; key: string; items: LoopItem[] }
  | { id: number; op: 'instrument'; pack: InstrumentPack }
  | { id: number; op: 'memory' };

/** The worker's tensor count and heap: tests check that generation leaks no tensors. */
export interface WorkerMemory {
  numTensors: number;
  numBytes: number;
  heapUsedMb: number;
}

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ErrorBody };

/** The first message a worker sends: its tfjs backend is up. */
export interface WorkerReady {
  ready: true;
  backend: string;
}
