/**
 * `studio generate loop`: a thin wrapper over LoopModel, rollToMidi and the stem renderer. Every option is
 * checked, and the loop generated, before any file is written; files are written atomically.
 */
import type { Command } from 'commander';
import * as path from 'node:path';
import { initBackend } from '../ml/backend.js';
import { resolveModelDir } from '../checkpoints/resolve.js';
import { isTrackFamily, TRACK_FAMILIES, type TrackFamily } from '../music/families.js';
import { rollToMidi } from '../music/midi-out.js';
import { familiesPresent } from '../music/roll.js';
import { LoopModel } from '../musegan/loop-model.js';
import { MAX_LOOP_BARS, type LoopGenerateOptions } from '../musegan/generate.js';
import { readMidiForLoop } from '../musegan/midi-input.js';
import { parseKey, parseScale } from '../musegan/scale.js';
import { renderStems } from '../musegan/stems.js';
import { writeFileAtomic } from '../util/atomic.js';
import { StudioError } from '../util/errors.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseNumberOption } from './generate-note.js';

interface GenerateLoopFlags {
  model?: string;
  bars: string;
  tempo: string;
  seed: string;
  threshold: string;
  tracks?: string;
  condition?: string;
  track?: string;
  from?: string;
  regenerate?: string;
  key?: string;
  scale?: string;
  out?: string;
  stems?: string;
  json?: boolean;
}

export function parseTrackList(name: string, raw: string): TrackFamily[] {
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) throw new StudioError('BAD_INPUT', `${name} needs at least one track (${TRACK_FAMILIES.join(', ')})`);
  for (const p of parts) if (!isTrackFamily(p)) throw new StudioError('BAD_INPUT', `${name}: unknown track "${p}"; tracks are ${TRACK_FAMILIES.join(', ')}`);
  return [...new Set(parts)] as TrackFamily[];
}

/** Everything that can be checked without the model: numbers, names, paths, combinations. */
function parseFlags(flags: GenerateLoopFlags) {
  if (!flags.model) throw new StudioError('BAD_INPUT', 'say which model: --model DIR or --model ID (a folder under models/)');
  if (!flags.out) throw new StudioError('BAD_INPUT', 'say where to write: --out FILE.mid');
  if (!/\.midi?$/i.test(flags.out)) throw new StudioError('BAD_INPUT', `--out must name a .mid file, got ${flags.out}`);
  const options: Partial<LoopGenerateOptions> = {
    bars: parseIntegerOption('--bars', flags.bars, 1, MAX_LOOP_BARS),
    tempoBpm: parseNumberOption('--tempo', flags.tempo, 0, 400),
    seed: parseIntegerOption('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER),
    threshold: parseNumberOption('--threshold', flags.threshold, 0, 0.999999),
  };
  if (options.tempoBpm! < 20) throw new StudioError('BAD_INPUT', `--tempo must be at least 20 bpm, got ${options.tempoBpm}`);
  if (flags.tracks !== undefined) options.tracks = parseTrackList('--tracks', flags.tracks);
  if ((flags.condition === undefined) !== (flags.track === undefined)) throw new StudioError('BAD_INPUT', '--condition FILE.mid and --track NAME go together');
  const conditionTrack = flags.track === undefined ? undefined : parseTrackList('--track', flags.track);
  if (conditionTrack && conditionTrack.length !== 1) throw new StudioError('BAD_INPUT', '--track names one track');
  if ((flags.from === undefined) !== (flags.regenerate === undefined)) throw new StudioError('BAD_INPUT', '--from FILE.mid and --regenerate TRACKS go together');
  if (flags.from !== undefined && flags.condition !== undefined) throw new StudioError('BAD_INPUT', 'use one of --condition (one given track) and --from (keep all but the regenerated tracks)');
  const regenerate = flags.regenerate === undefined ? undefined : parseTrackList('--regenerate', flags.regenerate);
  if ((flags.key === undefined) !== (flags.scale === undefined)) throw new StudioError('BAD_INPUT', '--key and --scale go together (e.g. --key C --scale major)');
  if (flags.key !== undefined) {
    parseKey(flags.key);
    parseScale(flags.scale!);
    options.key = flags.key;
    options.scale = flags.scale;
  }
  return {
    model: flags.model,
    out: path.resolve(flags.out),
    stems: flags.stems === undefined ? undefined : path.resolve(flags.stems),
    options,
    condition: flags.condition === undefined ? undefined : { file: path.resolve(flags.condition), track: conditionTrack![0]! },
    from: flags.from === undefined ? undefined : { file: path.resolve(flags.from), regenerate: regenerate! },
  };
}

async function generateLoopCommand(flags: GenerateLoopFlags): Promise<void> {
  const parsed = parseFlags(flags);
  const dir = resolveModelDir(parsed.model);
  await initBackend();
  const model = await LoopModel.load(dir);
  try {
    const options = { ...parsed.options };
    const bars = options.bars!;
    if (parsed.condition) {
      const roll = await readMidiForLoop(parsed.condition.file, model.spec, { bars, requireTracks: [parsed.condition.track] });
      options.condition = { roll, track: parsed.condition.track };
    }
    if (parsed.from) {
      const roll = await readMidiForLoop(parsed.from.file, model.spec, { bars, requireTracks: [] });
      const locked = model.spec.tracks.filter((t) => !parsed.from!.regenerate.includes(t));
      if (locked.length === 0) throw new StudioError('BAD_INPUT', '--regenerate names every track; drop --from to generate a whole new loop');
      options.locked = { roll, tracks: locked };
    }
    const roll = model.generate(options);
    const midi = rollToMidi(roll, { name: `studio loop seed ${options.seed}` });
    const stems = parsed.stems ? await renderStems(roll) : {};
    await writeFileAtomic(parsed.out, midi);
    for (const [name, bytes] of Object.entries(stems)) await writeFileAtomic(path.join(parsed.stems!, name), bytes);
    const summary = { out: parsed.out, model: dir, bars: roll.bars, tempoBpm: roll.tempoBpm, seed: options.seed, tracks: familiesPresent(roll), stems: Object.keys(stems).map((n) => path.join(parsed.stems!, n)) };
    if (flags.json) console.log(JSON.stringify(summary, null, 2));
    else console.error(`studio: wrote ${parsed.out} (${roll.bars} bars, ${summary.tracks.join(', ') || 'no notes'})${summary.stems.length ? ` and ${summary.stems.length} stems in ${parsed.stems}` : ''}`);
  } finally {
    model.dispose();
  }
}

export function registerGenerateLoop(program: Command): void {
  commandGroup(program, 'generate')
    .command('loop')
    .description('generate a multitrack MIDI loop (drums, bass, piano, guitar, strings) with a loop model')
    .option('--model <dir|id>', 'model folder, or a model id under models/ (e.g. loops-default)')
    .option('--bars <n>', `loop length in bars (1-${MAX_LOOP_BARS}; past 4, phrases chain along a smooth latent walk)`, '4')
    .option('--tempo <bpm>', 'tempo written to the MIDI file', '120')
    .option('--seed <n>', 'same seed and options, same file', '0')
    .option('--threshold <t>', 'note-on probability threshold (0-1): lower = more notes', '0.5')
    .option('--tracks <list>', `tracks to play, e.g. drums,bass (default all: ${TRACK_FAMILIES.join(',')})`)
    .option('--condition <file.mid>', 'a MIDI file with a part to accompany (with --track)')
    .option('--track <name>', 'the track of --condition to keep and fit the others to')
    .option('--from <file.mid>', 'a loop to keep, except the tracks named by --regenerate')
    .option('--regenerate <list>', 'tracks of --from to generate anew, the others stay as they are')
    .option('--key <name>', 'key of the pitched tracks, e.g. C, F#, Bb (with --scale)')
    .option('--scale <name>', 'major, minor, harmonic-minor, dorian, mixolydian, major-pentatonic, minor-pentatonic, blues')
    .option('--out <file.mid>', 'MIDI file to write')
    .option('--stems <dir>', 'also write one WAV per track and mix.wav into this folder (GM SoundFont render)')
    .option('--json', 'print a JSON summary on stdout')
    .action(generateLoopCommand);
}
