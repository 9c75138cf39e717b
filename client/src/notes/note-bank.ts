/**
 * Generated notes, asked for once: a note is fetched from the server (note:generate) the first time a
 * (model, pitch, velocity, timbre, instrument) is played and replayed from memory after that, so the keyboard answers
 * at once.
 */
import type { NoteReply, NoteRequest } from '../../../server/protocol.js';
import { decodeWav, monoMix, type DecodedWav } from '../audio/wav-decode.js';
import { asBytes, type StudioConnection } from '../net/studio-connection.js';
import type { ClientFile } from '../net/file-shelf.js';
import { blendLatents, timbreLatent, type PadPoint } from './timbre.js';
import { instrumentLabel } from './instrument-names.js';

export type Timbre =
  | { kind: 'seed'; seed: number }
  | { kind: 'pad'; seeds: [number, number, number, number]; point: PadPoint };

export interface NoteKey {
  model: string;
  midiPitch: number;
  velocity: number;
  timbre: Timbre;
  /** One of the model's instruments (capabilities.instruments): the timbre moved into it; null = the timbre's own. */
  instrument: string | null;
}

export interface GeneratedNote {
  key: NoteKey;
  reply: Omit<NoteReply, 'audio'>;
  wav: DecodedWav;
  mono: Float32Array;
  file: ClientFile;
  /** How long the server took, milliseconds (0 when it came from memory). */
  fetchMs: number;
}

const MAX_NOTES = 96;

export class NoteBank {
  private readonly notes = new Map<string, Promise<GeneratedNote>>();

  constructor(
    private readonly connection: StudioConnection,
    /** The model's latent size (from its capabilities), needed for pad timbres. */
    private readonly latentSizeOf: (model: string) => number | undefined,
  ) {}

  get(key: NoteKey, format: NoteRequest['format'] = 'wav16'): Promise<GeneratedNote> {
    const id = `${keyString(key)}|${format}`;
    const held = this.notes.get(id);
    if (held) {
      // Most recently used last, so the oldest note is the one forgotten.
      this.notes.delete(id);
      this.notes.set(id, held);
      return held.then((note) => ({ ...note, fetchMs: 0 }));
    }
    const pending = this.fetch(key, format);
    this.notes.set(id, pending);
    pending.catch(() => this.notes.delete(id));
    while (this.notes.size > MAX_NOTES) this.notes.delete(this.notes.keys().next().value!);
    return pending;
  }

  /** The request payload for a note (a seed, or the pad's blended latent). */
  requestFor(key: NoteKey, format: NoteRequest['format'] = 'wav16'): NoteRequest {
    const base = { model: key.model, pitch: key.midiPitch, velocity: key.velocity, format, ...(key.instrument === null ? {} : { instrument: key.instrument }) };
    if (key.timbre.kind === 'seed') return { ...base, seed: key.timbre.seed };
    const size = this.latentSizeOf(key.model);
    if (!size) throw new Error(`model ${key.model} does not report its latent size, so the timbre pad cannot blend for it; use a seed`);
    const corners = key.timbre.seeds.map((seed) => timbreLatent(seed, size));
    return { ...base, latent: Array.from(blendLatents(corners, key.timbre.point)) };
  }

  private async fetch(key: NoteKey, format: NoteRequest['format']): Promise<GeneratedNote> {
    const started = performance.now();
    const { audio, ...reply } = await this.connection.request('note:generate', this.requestFor(key, format));
    const bytes = asBytes(audio);
    const wav = decodeWav(bytes, reply.filename);
    const filename = key.timbre.kind === 'pad' ? reply.filename.replace(/_latent(?=[_.])/, `_${padLabel(key.timbre)}`) : reply.filename;
    return { key, reply, wav, mono: monoMix(wav), file: { filename, mimeType: reply.mimeType, bytes }, fetchMs: performance.now() - started };
  }
}

/** `pad-7-8-9-10-x0.25-y0.60`: the corner seeds and the point, enough to make the timbre again. */
export function padLabel(timbre: Extract<Timbre, { kind: 'pad' }>): string {
  return `pad-${timbre.seeds.join('-')}-x${timbre.point.x.toFixed(2)}-y${timbre.point.y.toFixed(2)}`;
}

/** `seed 7`, `pad 1/2/3/4 at (0.50, 0.25)`; with an instrument, `seed 7 · mallet 012`. */
export function timbreText(timbre: Timbre, instrument: string | null = null): string {
  const text = timbre.kind === 'seed' ? `seed ${timbre.seed}` : `pad ${timbre.seeds.join('/')} at (${timbre.point.x.toFixed(2)}, ${timbre.point.y.toFixed(2)})`;
  return instrument === null ? text : `${text} · ${instrumentLabel(instrument)}`;
}

function keyString(key: NoteKey): string {
  const t = key.timbre;
  const timbre = t.kind === 'seed' ? `s${t.seed}` : `p${t.seeds.join(',')}@${t.point.x.toFixed(3)},${t.point.y.toFixed(3)}`;
  // JSON, so no instrument name can pass for another key.
  return `${key.model}|${key.midiPitch}|${key.velocity}|${timbre}|${JSON.stringify(key.instrument)}`;
}
