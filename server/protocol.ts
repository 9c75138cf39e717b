/**
 * The studio's public protocol: socket.io event names, their payload schemas (zod) and reply types, shared by the
 * server and the web client. Imports nothing but zod, so the client bundles it as is.
 *
 * Conventions: requests are `noun:verb` and are answered through the socket.io acknowledgement with
 * `{ok: true, data} | {ok: false, error: {code, message}}`; pushes are `noun:past` (`job:progress`, `jam:next`).
 * Binary data (audio, MIDI, zips) travels as socket.io binary attachments: send a Uint8Array, receive an
 * ArrayBuffer in browsers (a Buffer in Node). HTTP request bodies use the same schemas, with MIDI as base64.
 */
import { z } from 'zod';

// ---- limits (the client uses them for its controls too) ----
export const LIMITS = {
  minMidiPitch: 24,
  maxMidiPitch: 84,
  minTempoBpm: 30,
  maxTempoBpm: 300,
  minBars: 1,
  maxBars: 16,
  maxSeed: 2 ** 32 - 1,
  maxLatentSize: 1024,
  maxNoteSeconds: 8,
  maxVelocityLayers: 5,
  /** Pitches x velocity layers of one instrument. */
  maxInstrumentSamples: 200,
  maxConditionMidiBytes: 1024 * 1024,
  /** A note model's instrument (timbre class) name. */
  maxInstrumentNameLength: 128,
  /** One file put on the shared-file shelf (POST /api/files). */
  maxSharedFileBytes: 64 * 1024 * 1024,
  sampleRates: [16000, 22050, 32000, 44100, 48000] as const,
} as const;

export const TRACK_NAMES = ['drums', 'bass', 'piano', 'guitar', 'strings'] as const;
export const KEY_NAMES = ['C', 'C#', 'Db', 'D', 'D#', 'Eb', 'E', 'F', 'F#', 'Gb', 'G', 'G#', 'Ab', 'A', 'A#', 'Bb', 'B'] as const;
export const SCALE_NAMES = ['major', 'minor', 'harmonic-minor', 'dorian', 'mixolydian', 'pentatonic', 'minor-pentatonic', 'blues', 'chromatic'] as const;
export const AUDIO_FORMATS = ['wav16', 'wav24', 'f32'] as const;
/** WAV sample format of each audio format: 16- and 24-bit integer PCM, 32-bit float. */
export const AUDIO_FORMAT_BITS = { wav16: 16, wav24: 24, f32: 32 } as const;
export const JOB_TYPES = ['train-notes', 'train-loops', 'data-notes', 'data-loops', 'render-instrument', 'render-loops'] as const;
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export const ERROR_CODES = ['BAD_INPUT', 'BAD_FILE', 'NOT_FOUND', 'UNAVAILABLE', 'TOO_LARGE', 'CONFLICT', 'UNAUTHORIZED', 'RATE_LIMITED', 'INTERNAL'] as const;

export type TrackName = (typeof TRACK_NAMES)[number];
export type KeyName = (typeof KEY_NAMES)[number];
export type ScaleName = (typeof SCALE_NAMES)[number];
export type AudioFormat = (typeof AUDIO_FORMATS)[number];
export type JobType = (typeof JOB_TYPES)[number];
export type JobState = (typeof JOB_STATES)[number];
export type ErrorCode = (typeof ERROR_CODES)[number];

// ---- replies ----
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };
export type AckCallback<T> = (reply: Ack<T>) => void;

// ---- shared field schemas ----
/** A model id is a folder name under models/ (same rule as server/checkpoints/resolve.ts MODEL_ID_PATTERN). */
export const MODEL_ID_SOURCE = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
export const modelIdSchema = z
  .string()
  .regex(new RegExp(MODEL_ID_SOURCE), 'a model id is a folder name: letters, digits, ".", "-", "_" (no paths)')
  .refine((s) => !s.includes('..'), 'a model id cannot contain ".."');
/** Dataset folder names under audio-data/ or midi-data/ follow the same rule. */
export const datasetNameSchema = modelIdSchema;

const sampleRateSchema = z.literal(LIMITS.sampleRates);
const seedSchema = z.number().int().min(0).max(LIMITS.maxSeed);
const midiPitchSchema = z.number().int().min(LIMITS.minMidiPitch).max(LIMITS.maxMidiPitch);
const velocitySchema = z.number().int().min(1).max(127);
const tempoSchema = z.number().min(LIMITS.minTempoBpm).max(LIMITS.maxTempoBpm);
const barsSchema = z.number().int().min(LIMITS.minBars).max(LIMITS.maxBars);
const thresholdSchema = z.number().gt(0).lt(1);
const trackSchema = z.enum(TRACK_NAMES);
/**
 * One of a note model's timbre classes (its capabilities.instruments, e.g. `mallet_msgl_012`): the timbre of the seed
 * or latent moved into that instrument. Names come from the training data's labels, so only the length is bounded here;
 * the model refuses a name it does not know (BAD_INPUT, listing the ones it does).
 */
const instrumentNameSchema = z.string().min(1).max(LIMITS.maxInstrumentNameLength);
const tracksSchema = z.array(trackSchema).min(1).max(TRACK_NAMES.length).refine((t) => new Set(t).size === t.length, 'tracks must not repeat');

/** Binary over the socket (Uint8Array/Buffer/ArrayBuffer) or base64 text over HTTP; always a Uint8Array after parsing. */
export const binarySchema = z
  .union([
    z.instanceof(Uint8Array),
    z.instanceof(ArrayBuffer).transform((b) => new Uint8Array(b)),
    z.base64().transform((s) => base64ToBytes(s)),
  ])
  .refine((b) => b.byteLength > 0, 'must not be empty');

function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

// ---- generation requests ----
export const noteRequestSchema = z.strictObject({
  model: modelIdSchema.optional(),
  pitch: midiPitchSchema,
  velocity: velocitySchema.default(100),
  seed: seedSchema.optional(),
  /** A timbre vector instead of a seed; its length must be the model's latent size. */
  latent: z.array(z.number().finite()).min(1).max(LIMITS.maxLatentSize).optional(),
  /** The seed's (or latent's) timbre within this instrument: one of the model's capabilities.instruments. */
  instrument: instrumentNameSchema.optional(),
  duration: z.number().gt(0).max(LIMITS.maxNoteSeconds).optional(),
  format: z.enum(AUDIO_FORMATS).default('wav16'),
  sampleRate: sampleRateSchema.optional(),
});
export type NoteRequest = z.input<typeof noteRequestSchema>;
export type NoteRequestParsed = z.output<typeof noteRequestSchema>;

export const instrumentRequestSchema = z.strictObject({
  model: modelIdSchema.optional(),
  seed: seedSchema,
  /** The seed's timbre within this instrument: one of the model's capabilities.instruments. */
  instrument: instrumentNameSchema.optional(),
  pitchRange: z
    .strictObject({ min: midiPitchSchema, max: midiPitchSchema })
    .refine((r) => r.min <= r.max, 'pitchRange.min must not exceed pitchRange.max')
    .default({ min: LIMITS.minMidiPitch, max: LIMITS.maxMidiPitch }),
  velocities: z.array(velocitySchema).min(1).max(LIMITS.maxVelocityLayers).default([100]),
  format: z.enum(AUDIO_FORMATS).default('wav24'),
  sampleRate: sampleRateSchema.optional(),
});
export type InstrumentRequest = z.input<typeof instrumentRequestSchema>;
export type InstrumentRequestParsed = z.output<typeof instrumentRequestSchema>;

const loopControlsShape = {
  model: modelIdSchema.optional(),
  bars: barsSchema.default(4),
  tempo: tempoSchema.default(120),
  seed: seedSchema.optional(),
  threshold: thresholdSchema.default(0.5),
  tracks: tracksSchema.optional(),
  key: z.enum(KEY_NAMES).optional(),
  scale: z.enum(SCALE_NAMES).optional(),
};

export const conditionSchema = z.strictObject({
  midi: binarySchema.refine((b) => b.byteLength <= LIMITS.maxConditionMidiBytes, `MIDI must be at most ${LIMITS.maxConditionMidiBytes} bytes`),
  track: trackSchema,
});

export const loopRequestSchema = z
  .strictObject({ ...loopControlsShape, condition: conditionSchema.optional() })
  .refine((r) => !(r.key && !r.scale) && !(r.scale && !r.key), 'key and scale go together');
export type LoopRequest = z.input<typeof loopRequestSchema>;
export type LoopRequestParsed = z.output<typeof loopRequestSchema>;

// ---- generation replies ----
export interface ModelSummary {
  id: string;
  kind: 'notes' | 'loops';
  preset: string;
  /** Training steps done. */
  step: number;
  metrics: Record<string, unknown>;
  updatedAt: string;
  /**
   * What the model can do, from its spec (sampleRate, noteSeconds, latentSize for notes; bars, tracks for loops).
   * Note models trained with timbre classes also list `instruments: string[]`, the names a note or instrument
   * request's `instrument` takes.
   */
  capabilities: Record<string, unknown>;
}

export interface NoteReply {
  model: string;
  pitch: number;
  velocity: number;
  seed: number | null;
  /** The instrument asked for, or null (the timbre's own). */
  instrument: string | null;
  format: AudioFormat;
  sampleRate: number;
  seconds: number;
  filename: string;
  mimeType: string;
  audio: Uint8Array;
}

export interface InstrumentReply {
  model: string;
  seed: number;
  /** The instrument asked for, or null (the timbre's own). */
  instrument: string | null;
  filename: string;
  mimeType: string;
  samples: number;
  zip: Uint8Array;
}

/** A loop as note lists, for drawing and playing without parsing MIDI. Steps are 1/stepsPerBar of a bar. */
export interface LoopRollJson {
  bars: number;
  stepsPerBar: number;
  beatsPerBar: number;
  tempoBpm: number;
  lowestPitch: number;
  pitchCount: number;
  tracks: { name: TrackName; program: number; isDrum: boolean; notes: { pitch: number; startStep: number; endStep: number; velocity: number }[] }[];
}

export interface LoopReply {
  model: string;
  seed: number;
  bars: number;
  tempo: number;
  filename: string;
  mimeType: string;
  midi: Uint8Array;
  roll: LoopRollJson;
}

// ---- jobs ----
const presetSchema = z.enum(['tiny', 'lite', 'paper']);
const trainOptionsSchema = z.strictObject({
  /** The model folder written under models/ (a new id, or an existing one to train further). */
  model: modelIdSchema,
  preset: presetSchema.default('lite'),
  steps: z.number().int().min(1).max(10_000_000).optional(),
  /** Dataset folder name under audio-data/ (notes) or midi-data/ (loops); the trainer's default when absent. */
  data: datasetNameSchema.optional(),
  seed: seedSchema.optional(),
  batchSize: z.number().int().min(1).max(1024).optional(),
  checkpointEvery: z.number().int().min(1).max(1_000_000).optional(),
  /** Continue training an existing model folder from its checkpoint instead of refusing the taken id. */
  resume: z.boolean().optional(),
});
const dataNotesOptionsSchema = z.strictObject({
  out: datasetNameSchema.optional(),
  font: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  programs: z.array(z.number().int().min(0).max(127)).min(1).max(128).optional(),
  pitches: z.strictObject({ min: z.number().int().min(0).max(127), max: z.number().int().min(0).max(127) }).optional(),
  velocities: z.array(velocitySchema).min(1).max(8).optional(),
  seconds: z.number().gt(0).max(8).optional(),
  rate: sampleRateSchema.optional(),
});
const dataLoopsOptionsSchema = z.strictObject({
  /** An absolute path to a folder of MIDI files on the server's machine (read only). */
  from: z.string().min(1).max(4096).refine((p) => p.startsWith('/') && !p.split('/').includes('..'), 'from must be an absolute folder path without ".."'),
  out: datasetNameSchema.optional(),
  bars: z.number().int().min(1).max(16).optional(),
  minTracks: z.number().int().min(1).max(5).optional(),
});

/** An export folder name under the server's exports/ (same rule as model ids). */
export const exportNameSchema = modelIdSchema;
/** A sampler instrument (WAVs + .sfz + .zip) rendered from a note model, written to exports/<name>/. */
const renderInstrumentOptionsSchema = z.strictObject({
  model: modelIdSchema,
  seed: seedSchema.default(0),
  pitchRange: z
    .strictObject({ min: midiPitchSchema, max: midiPitchSchema })
    .refine((r) => r.min <= r.max, 'pitchRange.min must not exceed pitchRange.max')
    .default({ min: LIMITS.minMidiPitch, max: LIMITS.maxMidiPitch }),
  /** Render every n-th pitch; the sampler repitches the keys between. */
  every: z.number().int().min(1).max(24).optional(),
  velocities: z.array(velocitySchema).min(1).max(LIMITS.maxVelocityLayers).default([127]),
  format: z.enum(AUDIO_FORMATS).default('wav24'),
  sampleRate: sampleRateSchema.optional(),
  /** The seed's timbre within this instrument: one of the model's capabilities.instruments. */
  instrument: instrumentNameSchema.optional(),
  /** Export folder (and .sfz/.zip) name; default `<model>-seed<seed>`, or `<model>-<instrument>-seed<seed>`. */
  name: exportNameSchema.optional(),
});
/** A batch of loops (consecutive seeds) as MIDI files (+ stems) and one zip, written to exports/<name>/. */
const renderLoopsOptionsSchema = z
  .strictObject({
    model: modelIdSchema,
    count: z.number().int().min(1).max(256).default(8),
    /** Seeds firstSeed, firstSeed+1, ... */
    firstSeed: seedSchema.default(0),
    bars: barsSchema.default(4),
    tempo: tempoSchema.default(120),
    threshold: thresholdSchema.default(0.5),
    tracks: tracksSchema.optional(),
    key: z.enum(KEY_NAMES).optional(),
    scale: z.enum(SCALE_NAMES).optional(),
    /** Also render one WAV per track and a mix (slow: a SoundFont render per loop). */
    stems: z.boolean().default(false),
    name: exportNameSchema.optional(),
  })
  .refine((r) => !(r.key && !r.scale) && !(r.scale && !r.key), 'key and scale go together');

export const jobRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('train-notes'), options: trainOptionsSchema }),
  z.strictObject({ type: z.literal('train-loops'), options: trainOptionsSchema }),
  z.strictObject({ type: z.literal('data-notes'), options: dataNotesOptionsSchema.default({}) }),
  z.strictObject({ type: z.literal('data-loops'), options: dataLoopsOptionsSchema }),
  z.strictObject({ type: z.literal('render-instrument'), options: renderInstrumentOptionsSchema }),
  z.strictObject({ type: z.literal('render-loops'), options: renderLoopsOptionsSchema }),
]);
export type JobRequest = z.input<typeof jobRequestSchema>;
export type JobRequestParsed = z.output<typeof jobRequestSchema>;

export const jobIdSchema = z.strictObject({ id: z.string().regex(/^[a-z0-9-]{1,64}$/, 'not a job id') });

export interface JobProgress {
  done: number;
  total: number;
  phase: string | null;
  /** Latest figures the job reported (losses, counts). */
  info: Record<string, number | string>;
}

export interface JobView {
  id: string;
  type: JobType;
  options: Record<string, unknown>;
  state: JobState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Runs started (a resumed job counts each run). */
  attempts: number;
  progress: JobProgress | null;
  /** The numeric figures of the latest progress event: losses and the like (note trainer: D, G, W, pitchAcc). */
  losses: Record<string, number>;
  /** Recent loss points, oldest first, at most 200. */
  lossHistory: ({ step: number } & Record<string, number>)[];
  etaSeconds: number | null;
  /** Work units per second over the current run. */
  rate: number | null;
  /** URLs of preview files of the model being trained (GET them from the same server). */
  previews: string[];
  /** The model id, dataset name or export folder (GET /api/exports/:name/:file) the job writes. */
  output: { model?: string; dataset?: string; export?: string };
  error: ErrorBody | null;
  /** Last lines the job printed on stderr. */
  logTail: string[];
  /** Whether POST /api/jobs/:id/resume (job:resume) can run it again. */
  resumable: boolean;
  /** The worker running (or last running) the job, in Redis mode (`studio worker` on host:pid). */
  worker?: string | null;
}

// ---- shared files (drag-out) ----
/**
 * Dragging a file out of the browser into a DAW or onto the desktop (Chromium's `DownloadURL` drag data,
 * `mime:filename:url`) needs a URL the browser can GET: blob: and data: URLs are refused. So a client holding a file
 * (a note, a loop, a stem cut from a loop, an instrument) puts it on the server's shelf:
 * `POST /api/files?filename=NAME` with the raw bytes as the body and the file's type as Content-Type (the one
 * SHARED_FILE_TYPES gives for NAME's extension), at most LIMITS.maxSharedFileBytes. The reply (201, JSON) is a
 * SharedFile whose `url` (`GET /api/files/:id/:filename`, no token needed beyond the usual `access_token` query)
 * serves the same bytes with that Content-Type and `Content-Disposition: attachment; filename="NAME"` for at least
 * SHARED_FILE_TTL_SECONDS. The shelf lives in memory; when full, its oldest files go first.
 */
export const SHARED_FILES_PATH = '/api/files';
export const SHARED_FILE_TTL_SECONDS = 3600;
export const SHARED_FILE_TYPES = { wav: 'audio/wav', mid: 'audio/midi', zip: 'application/zip', json: 'application/json' } as const;
export const sharedFileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}\.(wav|mid|zip|json)$/, 'a file name: letters, digits, ".", "-", "_", ending .wav, .mid, .zip or .json')
  .refine((s) => !s.includes('..'), 'a file name cannot contain ".."');

export interface SharedFile {
  id: string;
  /** Absolute path on this server (`/api/files/:id/:filename`). */
  url: string;
  filename: string;
  mimeType: string;
  bytes: number;
  expiresAt: string;
}

// ---- jam ----
/**
 * The jam timing contract. The client counts bars from 0 on its own transport and reports where it is
 * (`transport.bar`, fractional) whenever it sends a jam event, plus now and then on `jam:update` with no other field.
 * The server extrapolates the client's position with the session tempo, generates, and pushes `jam:next` with
 * `forBar`: the bar line (an integer on the client's transport) at which the client swaps to the new loop, chosen
 * at least `leadSeconds` after the push. The new loop starts from its own beginning at `forBar` and repeats every
 * `bars` bars until the next swap. A `jam:next` whose `forBar` has already passed on arrival is played from the next
 * bar line instead; one whose `sequence` is lower than the last one received is stale and dropped.
 */
export const transportSchema = z.strictObject({
  /** Current playback position in bars since the client's transport started (e.g. 3.25). */
  bar: z.number().min(0).max(1e7),
});
export const jamControlsShape = {
  ...loopControlsShape,
  /** Tracks kept from the current loop when a new one is generated. */
  locked: z.array(trackSchema).max(TRACK_NAMES.length).default([]),
  /** Swap at the next bar line ('bar') or only when the current loop has played through ('loop'). */
  swapAt: z.enum(['bar', 'loop']).default('bar'),
  /** Push a new variation (next seed) every loop cycle without being asked. */
  evolve: z.boolean().default(false),
};
export const jamStartSchema = z.strictObject({ ...jamControlsShape, transport: transportSchema.optional() });
export const jamUpdateSchema = z.strictObject({
  model: modelIdSchema.optional(),
  bars: barsSchema.optional(),
  tempo: tempoSchema.optional(),
  seed: seedSchema.optional(),
  threshold: thresholdSchema.optional(),
  tracks: tracksSchema.optional(),
  key: z.enum(KEY_NAMES).nullable().optional(),
  scale: z.enum(SCALE_NAMES).nullable().optional(),
  locked: z.array(trackSchema).max(TRACK_NAMES.length).optional(),
  swapAt: z.enum(['bar', 'loop']).optional(),
  evolve: z.boolean().optional(),
  /** Generate a new loop now (a new seed unless `seed` is given). */
  regenerate: z.boolean().optional(),
  transport: transportSchema.optional(),
});
export type JamStart = z.input<typeof jamStartSchema>;
export type JamUpdate = z.input<typeof jamUpdateSchema>;

export interface JamState {
  sessionId: string;
  model: string;
  bars: number;
  tempo: number;
  seed: number;
  threshold: number;
  tracks: TrackName[] | null;
  key: KeyName | null;
  scale: ScaleName | null;
  locked: TrackName[];
  swapAt: 'bar' | 'loop';
  evolve: boolean;
}

export interface JamNext {
  sessionId: string;
  /** Increases with every loop pushed in this session. */
  sequence: number;
  /** The bar line on the client's transport where this loop starts. */
  forBar: number;
  /** When the server sent it, and its estimate of the client's position then (bars). */
  sentAtBar: number;
  seed: number;
  bars: number;
  tempo: number;
  generationMs: number;
  loop: LoopReply;
}

// ---- events ----
export interface ClientToServerEvents {
  'models:list': (payload: unknown, ack: AckCallback<ModelSummary[]>) => void;
  'note:generate': (payload: NoteRequest, ack: AckCallback<NoteReply>) => void;
  'instrument:generate': (payload: InstrumentRequest, ack: AckCallback<InstrumentReply>) => void;
  'loop:generate': (payload: LoopRequest, ack: AckCallback<LoopReply>) => void;
  'job:start': (payload: JobRequest, ack: AckCallback<JobView>) => void;
  'job:list': (payload: unknown, ack: AckCallback<JobView[]>) => void;
  'job:get': (payload: { id: string }, ack: AckCallback<JobView>) => void;
  'job:cancel': (payload: { id: string }, ack: AckCallback<JobView>) => void;
  'job:resume': (payload: { id: string }, ack: AckCallback<JobView>) => void;
  /** Replies with the job now; then job:progress until job:done or job:failed. */
  'job:subscribe': (payload: { id: string }, ack: AckCallback<JobView>) => void;
  'job:unsubscribe': (payload: { id: string }, ack: AckCallback<null>) => void;
  'jam:start': (payload: JamStart, ack: AckCallback<JamState>) => void;
  'jam:update': (payload: JamUpdate, ack: AckCallback<JamState>) => void;
  'jam:stop': (payload: unknown, ack: AckCallback<null>) => void;
}

export interface ServerToClientEvents {
  'job:progress': (job: JobView) => void;
  'job:done': (job: JobView) => void;
  /** The job ended without success: state failed, cancelled or interrupted. */
  'job:failed': (job: JobView) => void;
  'jam:next': (next: JamNext) => void;
  /** A jam generation failed; the session keeps its last loop. */
  'jam:error': (error: ErrorBody & { sessionId: string }) => void;
}

export const CLIENT_EVENTS = [
  'models:list', 'note:generate', 'instrument:generate', 'loop:generate',
  'job:start', 'job:list', 'job:get', 'job:cancel', 'job:resume', 'job:subscribe', 'job:unsubscribe',
  'jam:start', 'jam:update', 'jam:stop',
] as const satisfies readonly (keyof ClientToServerEvents)[];

/** Headers of HTTP downloads carrying what the body alone does not say. */
export const HEADER_SEED = 'X-Studio-Seed';
export const HEADER_MODEL = 'X-Studio-Model';
