/**
 * Instruments as files: the zip the server's instrument export makes (WAVs + an .sfz mapping them), read back into
 * samples for the page's sampler, and the same layout written by the page for a timbre only it knows (an XY-pad
 * blend), so both kinds load the same way in a DAW. Pure: bytes in, bytes out.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { buildSfz } from '../../../server/exports/sfz.js';

export interface SfzRegion {
  /** Path relative to the .sfz file, '/' separated. */
  sample: string;
  midiPitch: number;
  lovel: number;
  hivel: number;
}

export interface PackagedSample {
  midiPitch: number;
  /** The velocity the sample was rendered at. */
  velocity: number;
  /** Path inside the zip. */
  path: string;
  bytes: Uint8Array;
}

export interface InstrumentPackage {
  /** The .sfz's path inside the zip. */
  sfzPath: string;
  samples: PackagedSample[];
}

/** The regions of an .sfz text: `<group>` opcodes apply to the regions after it, `<region>` opcodes to one. */
export function parseSfzRegions(text: string): SfzRegion[] {
  const regions: SfzRegion[] = [];
  let group: Record<string, string> = {};
  let current: Record<string, string> | null = null;
  const finish = () => {
    if (!current) return;
    const opcodes = { ...group, ...current };
    const sample = opcodes.sample;
    const pitch = intOr(opcodes.pitch_keycenter, intOr(opcodes.key, intOr(opcodes.lokey, NaN)));
    if (sample && Number.isFinite(pitch)) {
      regions.push({ sample: sample.replace(/\\/g, '/'), midiPitch: pitch, lovel: intOr(opcodes.lovel, 1), hivel: intOr(opcodes.hivel, 127) });
    }
    current = null;
  };
  const tokens = text.replace(/\/\/[^\n]*/g, ' ').split(/\s+/).filter(Boolean);
  for (const token of tokens) {
    const header = /^<(\w+)>$/.exec(token);
    if (header) {
      finish();
      if (header[1] === 'region') current = {};
      else if (header[1] === 'group' || header[1] === 'global' || header[1] === 'master') group = {};
      continue;
    }
    const eq = token.indexOf('=');
    if (eq <= 0) continue;
    (current ?? group)[token.slice(0, eq)] = token.slice(eq + 1);
  }
  finish();
  return regions;
}

/** The samples of an instrument zip, by its .sfz (the first one found). */
export function readInstrumentZip(zip: Uint8Array, label = 'instrument zip'): InstrumentPackage {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (err) {
    throw new Error(`${label}: not a readable zip (${err instanceof Error ? err.message : String(err)})`);
  }
  const sfzPath = Object.keys(files).sort().find((name) => name.toLowerCase().endsWith('.sfz'));
  if (!sfzPath) throw new Error(`${label}: has no .sfz file`);
  const folder = sfzPath.includes('/') ? sfzPath.slice(0, sfzPath.lastIndexOf('/') + 1) : '';
  const samples: PackagedSample[] = [];
  for (const region of parseSfzRegions(strFromU8(files[sfzPath]!))) {
    const path = folder + region.sample;
    const bytes = files[path];
    if (!bytes) throw new Error(`${label}: ${sfzPath} names ${region.sample}, which the zip does not hold`);
    samples.push({ midiPitch: region.midiPitch, velocity: renderedVelocity(region), path, bytes });
  }
  if (samples.length === 0) throw new Error(`${label}: ${sfzPath} maps no samples`);
  return { sfzPath, samples };
}

export interface InstrumentZipOptions {
  /** File-name stem of the folder and .sfz inside the zip (and of the zip itself). */
  name: string;
  /** First-line comment of the .sfz: what made it. */
  comment?: string;
}

/** A zip laid out like the server's: `<name>/<name>.sfz` and `<name>/samples/NNN_Name_vV.wav`. */
export function writeInstrumentZip(samples: { midiPitch: number; velocity: number; wav: Uint8Array }[], options: InstrumentZipOptions): Uint8Array {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(options.name)) throw new Error(`instrument name "${options.name}" must be letters, digits, ".", "_" or "-"`);
  const layout = samples.map((s) => ({ midiPitch: s.midiPitch, velocity: s.velocity, file: `samples/${sampleFileName(s.midiPitch, s.velocity)}`, wav: s.wav }));
  const sfz = buildSfz(layout, { comment: options.comment ?? '' });
  const entries: Record<string, Uint8Array> = { [`${options.name}/${options.name}.sfz`]: strToU8(sfz) };
  for (const s of layout) entries[`${options.name}/${s.file}`] = s.wav;
  // WAVs barely compress; storing them keeps building instant.
  return zipSync(entries, { level: 0 });
}

/** One sample per pitch: the layer rendered nearest to a firm touch (velocity 100). */
export function pickLayers<T extends { midiPitch: number; velocity: number }>(samples: readonly T[], preferredVelocity = 100): T[] {
  const byPitch = new Map<number, T>();
  for (const sample of samples) {
    const held = byPitch.get(sample.midiPitch);
    if (!held || Math.abs(sample.velocity - preferredVelocity) < Math.abs(held.velocity - preferredVelocity)) byPitch.set(sample.midiPitch, sample);
  }
  return [...byPitch.values()].sort((a, b) => a.midiPitch - b.midiPitch);
}

const NAMES = ['C', 'Cs', 'D', 'Ds', 'E', 'F', 'Fs', 'G', 'Gs', 'A', 'As', 'B'];

/** `060_C4_v100.wav`: sorts by pitch, says pitch and velocity (the server's naming). */
export function sampleFileName(midiPitch: number, velocity: number): string {
  return `${String(midiPitch).padStart(3, '0')}_${NAMES[midiPitch % 12]}${Math.floor(midiPitch / 12) - 1}_v${velocity}.wav`;
}

/** The velocity a sample was rendered at: from its name (`_v100.wav`), else the top of its velocity range. */
function renderedVelocity(region: SfzRegion): number {
  const named = /_v(\d{1,3})\.wav$/i.exec(region.sample);
  return named ? Number(named[1]) : region.hivel;
}

function intOr(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  return Number.isInteger(value) ? value : fallback;
}
