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
  seconds: number | null;
  format: AudioFormat;
  /** Output rate; null = the model's own. */
  sampleRate: number | null;
}

export interface NoteResult {
  /** The encoded WAV file. */
  wav: Uint8Array;
  sampleRate: number;
  seconds: number;
}

/** Tracks carried over from an earlier loop (jam locking): its channels-last roll data and which tracks to keep. */
export interface LockedTracks {
  data: Uint8Array;
  bars: number;
  tracks: TrackName[];
}

export interface LoopItem {
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

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

export type WorkerRequest =
  | { id: number; op: 'load'; key: string; kind: RuntimeKind; dir: string }
  | { id: number; op: 'unload'; key: string }
  | { id: number; op: 'notes'; key: string; items: NoteItem[] }
  | { id: number; op: 'loops'; key: string; items: LoopItem[] }
  | { id: number; op: 'zip'; entries: ZipEntry[] };

export type WorkerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: ErrorBody };

/** The first message a worker sends: its tfjs backend is up. */
export interface WorkerReady {
  ready: true;
  backend: string;
}
