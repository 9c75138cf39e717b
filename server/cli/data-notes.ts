import type { Command } from 'commander';
import * as path from 'node:path';
import { StudioError } from '../util/errors.js';
import { ProgressBar } from '../util/progress.js';
import { buildNoteDataset, noteDatasetDefaults, type NoteLevelling } from '../data/notes/build.js';
import { importNoteFolder } from '../data/notes/import.js';
import { builtinSoundFontNames } from '../data/notes/fonts.js';
import { commandGroup } from './groups.js';

interface DataNotesFlags {
  from?: string;
  out?: string;
  font: string;
  programs?: string;
  pitches: string;
  velocities: string;
  seconds: string;
  hold?: string;
  rate: string;
  bitDepth: string;
  level: string;
  quiet?: boolean;
  json?: boolean;
}

const SHOWN_SKIPS = 20;

function intList(value: string, flag: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new StudioError('BAD_INPUT', `${flag} must be comma-separated whole numbers, got ${JSON.stringify(value)}`);
  return parts.map(Number);
}

function pitchRange(value: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value.trim());
  if (!m) throw new StudioError('BAD_INPUT', `--pitches must look like 24-84 (or one pitch), got ${JSON.stringify(value)}`);
  return [Number(m[1]), Number(m[2] ?? m[1])];
}

function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || value.trim() === '') throw new StudioError('BAD_INPUT', `${flag} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

export function registerDataNotes(program: Command): void {
  commandGroup(program, 'data')
    .command('notes')
    .description('build an NSynth-like note dataset by rendering a General MIDI SoundFont, or import a folder (--from) of NSynth or WAV notes')
    .option('--from <dir>', 'import instead: an NSynth folder (examples.json + audio/) or any folder of WAVs (pitch from the name, else estimated)')
    .option('--out <dir>', 'output folder (default: audio-data/notes-default, or audio-data/notes-<name of the --from folder>)')
    .option('--font <name>', `SoundFont: ${builtinSoundFontNames.join(', ')}, or a .sf2/.sf3 path`, noteDatasetDefaults.font)
    .option('--programs <list>', 'GM programs, comma-separated (default: the 20 programs in tune on all keys)')
    .option('--pitches <range>', 'MIDI pitch range', `${noteDatasetDefaults.pitchMin}-${noteDatasetDefaults.pitchMax}`)
    .option('--velocities <list>', 'MIDI velocities, comma-separated', noteDatasetDefaults.velocities.join(','))
    .option('--seconds <s>', 'note length (hold + release), seconds', String(noteDatasetDefaults.seconds))
    .option('--hold <s>', 'key held for this long, seconds (default: 3/4 of the note)')
    .option('--rate <hz>', 'sample rate, Hz', String(noteDatasetDefaults.sampleRate))
    .option('--bit-depth <bits>', 'WAV format: 16 or 24 (PCM) or 32 (float)', String(noteDatasetDefaults.bitDepth))
    .option('--level <how>', 'levelling: program (one gain per program), note (each note to the peak), none', noteDatasetDefaults.level)
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: DataNotesFlags) => {
      const bar = new ProgressBar({ quiet: flags.quiet });
      try {
        if (flags.from) {
          const summary = await importNoteFolder({ from: flags.from, out: flags.out }, bar.update);
          bar.stop();
          if (flags.json) {
            console.log(JSON.stringify(summary, null, 2));
            return;
          }
          console.log(`imported ${summary.imported} notes (${summary.kind} folder) into ${summary.dir}`);
          if (summary.skipped.length > 0) {
            console.log(`skipped ${summary.skipped.length} files:`);
            for (const s of summary.skipped.slice(0, SHOWN_SKIPS)) console.log(`  ${s.file}: ${s.reason}`);
            if (summary.skipped.length > SHOWN_SKIPS) console.log(`  ... and ${summary.skipped.length - SHOWN_SKIPS} more`);
            console.log(`every skipped file with its reason: ${path.join(summary.dir, 'skipped.jsonl')}`);
          }
          return;
        }
        const [pitchMin, pitchMax] = pitchRange(flags.pitches);
        const bitDepth = Number(flags.bitDepth);
        if (bitDepth !== 16 && bitDepth !== 24 && bitDepth !== 32) throw new StudioError('BAD_INPUT', `--bit-depth must be 16, 24 or 32, got ${flags.bitDepth}`);
        const summary = await buildNoteDataset(
          {
            font: flags.font,
            programs: flags.programs ? intList(flags.programs, '--programs') : undefined,
            pitchMin,
            pitchMax,
            velocities: intList(flags.velocities, '--velocities'),
            seconds: positiveNumber(flags.seconds, '--seconds'),
            holdSeconds: flags.hold === undefined ? undefined : Number(flags.hold),
            sampleRate: positiveNumber(flags.rate, '--rate'),
            bitDepth,
            level: flags.level as NoteLevelling,
            out: flags.out,
          },
          bar.update,
        );
        bar.stop();
        if (flags.json) {
          console.log(JSON.stringify(summary, null, 2));
          return;
        }
        console.log(`wrote ${summary.notes} notes from ${summary.programs} programs of ${summary.font} to ${summary.dir}`);
        console.log(`  ${summary.seconds} s at ${summary.sampleRate} Hz, ${(summary.audioBytes / 1024 / 1024).toFixed(1)} MiB of WAV`);
        if (summary.skipped.length > 0) {
          console.log(`skipped ${summary.skipped.length} notes:`);
          for (const s of summary.skipped.slice(0, SHOWN_SKIPS)) console.log(`  ${s.noteStr}: ${s.reason}`);
          if (summary.skipped.length > SHOWN_SKIPS) console.log(`  ... and ${summary.skipped.length - SHOWN_SKIPS} more (see dataset.json)`);
        }
      } finally {
        bar.stop();
      }
    });
}
