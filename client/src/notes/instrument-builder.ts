/**
 * "Build instrument": the current timbre (in the chosen instrument, if any) rendered at every pitch of a range, as a
 * sampler the page plays and as an SFZ instrument zip for a DAW. A seed timbre is rendered by the server's instrument
 * export (instrument:generate); a pad blend, which only the page knows, is rendered note by note and packaged here in
 * the same layout.
 */
import { decodeWav, type DecodedWav } from '../audio/wav-decode.js';
import { readInstrumentZip, writeInstrumentZip } from '../audio/instrument-package.js';
import { pitchName } from '../music/pitch.js';
import { asBytes, type StudioConnection } from '../net/studio-connection.js';
import type { ClientFile } from '../net/file-shelf.js';
import { padLabel, timbreText, type NoteBank, type Timbre } from './note-bank.js';

export interface InstrumentSample {
  midiPitch: number;
  velocity: number;
  wav: DecodedWav;
}

export interface BuiltInstrument {
  name: string;
  model: string;
  timbre: Timbre;
  /** The model's instrument (timbre class) the timbre was moved into, or null. */
  instrument: string | null;
  minPitch: number;
  maxPitch: number;
  file: ClientFile;
  samples: InstrumentSample[];
}

export interface BuildInstrumentOptions {
  model: string;
  timbre: Timbre;
  /** One of the model's instruments (capabilities.instruments); null = the timbre's own. */
  instrument: string | null;
  minPitch: number;
  maxPitch: number;
  velocity?: number;
  /** Called as samples arrive (pad timbres; the server's export reports only when done). */
  onProgress?: (done: number, total: number) => void;
}

/** Notes asked for at once when rendering a pad timbre note by note. */
const PARALLEL_NOTES = 4;

export async function buildInstrument(connection: StudioConnection, bank: NoteBank, options: BuildInstrumentOptions): Promise<BuiltInstrument> {
  const { model, timbre, instrument, minPitch, maxPitch } = options;
  const velocity = options.velocity ?? 100;
  const total = maxPitch - minPitch + 1;
  if (timbre.kind === 'seed') {
    options.onProgress?.(0, total);
    const reply = await connection.request('instrument:generate', {
      model,
      seed: timbre.seed,
      ...(instrument === null ? {} : { instrument }),
      pitchRange: { min: minPitch, max: maxPitch },
      velocities: [velocity],
      format: 'wav24',
    });
    const zip = asBytes(reply.zip);
    const unpacked = readInstrumentZip(zip, reply.filename);
    const samples = unpacked.samples.map((s) => ({ midiPitch: s.midiPitch, velocity: s.velocity, wav: decodeWav(s.bytes, s.path) }));
    options.onProgress?.(total, total);
    return { name: reply.filename.replace(/\.zip$/, ''), model, timbre, instrument, minPitch, maxPitch, file: { filename: reply.filename, mimeType: reply.mimeType, bytes: zip }, samples };
  }

  const pitches = Array.from({ length: total }, (_, i) => minPitch + i);
  const rendered: { midiPitch: number; velocity: number; wav: Uint8Array; decoded: DecodedWav }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < pitches.length) {
      const midiPitch = pitches[next++]!;
      const note = await bank.get({ model, midiPitch, velocity, timbre, instrument }, 'wav24');
      rendered.push({ midiPitch, velocity, wav: note.file.bytes, decoded: note.wav });
      options.onProgress?.(rendered.length, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_NOTES, total) }, worker));
  rendered.sort((a, b) => a.midiPitch - b.midiPitch);
  const head = `${model}_${padLabel(timbre)}`;
  const range = `_${fileNote(minPitch)}-${fileNote(maxPitch)}`;
  // writeInstrumentZip takes names of up to 128 characters: a long instrument name is cut to fit.
  const room = 128 - head.length - range.length;
  const name = `${head}${room > 1 ? instrumentWord(instrument).slice(0, room) : ''}${range}`;
  const about = `timbre ${timbreText(timbre)}${instrument === null ? '' : ` (instrument ${instrument})`}`;
  const zip = writeInstrumentZip(rendered, { name, comment: `${name}: model ${model}, ${about}\nmade by Studio (web client)` });
  return {
    name, model, timbre, instrument, minPitch, maxPitch,
    file: { filename: `${name}.zip`, mimeType: 'application/zip', bytes: zip },
    samples: rendered.map((r) => ({ midiPitch: r.midiPitch, velocity: r.velocity, wav: r.decoded })),
  };
}

/** `_mallet_msgl_012` as a file-name word (the server's filenames.ts rule), '' for none. */
function instrumentWord(instrument: string | null): string {
  if (instrument === null) return '';
  return `_${instrument.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'x'}`;
}

function fileNote(midiPitch: number): string {
  return pitchName(midiPitch).replace('#', 's');
}
