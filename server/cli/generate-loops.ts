/**
 * `studio generate loops`: a batch export of loops from consecutive seeds into one folder (one .mid per loop,
 * optional stems, and a zip of it all). It is what the server's `render-loops` job runs. Every option is checked
 * before the model loads; the folder is built beside its target and swapped in, so a stopped run leaves no half.
 */
import type { Command } from 'commander';
import { promises as fs, existsSync } from 'node:fs';
import * as path from 'node:path';
import { zipSync } from 'fflate';
import { initBackend } from '../ml/backend.js';
import { resolveModelDir } from '../checkpoints/resolve.js';
import { rollToMidi } from '../music/midi-out.js';
import { familiesPresent } from '../music/roll.js';
import { LoopModel } from '../musegan/loop-model.js';
import { MAX_LOOP_BARS, type LoopGenerateOptions } from '../musegan/generate.js';
import { parseKey, parseScale } from '../musegan/scale.js';
import { renderStems } from '../musegan/stems.js';
import { writeDirAtomic } from '../util/atomic.js';
import { ProgressBar } from '../util/progress.js';
import { StudioError } from '../util/errors.js';
import { commandGroup } from './groups.js';
import { parseIntegerOption, parseNumberOption } from './generate-note.js';
import { parseTrackList } from './generate-loop.js';

interface GenerateLoopsFlags {
  model?: string;
  count: string;
  seed: string;
  bars: string;
  tempo: string;
  threshold: string;
  tracks?: string;
  key?: string;
  scale?: string;
  stems?: boolean;
  name?: string;
  out?: string;
  force?: boolean;
  quiet?: boolean;
}

const MAX_COUNT = 256;

async function generateLoopsCommand(flags: GenerateLoopsFlags): Promise<void> {
  if (!flags.model) throw new StudioError('BAD_INPUT', 'say which model: --model DIR or --model ID (a folder under models/)');
  if (!flags.out) throw new StudioError('BAD_INPUT', 'say where to write: --out DIR');
  const out = path.resolve(flags.out);
  const count = parseIntegerOption('--count', flags.count, 1, MAX_COUNT);
  const firstSeed = parseIntegerOption('--seed', flags.seed, 0, Number.MAX_SAFE_INTEGER - MAX_COUNT);
  const options: Partial<LoopGenerateOptions> = {
    bars: parseIntegerOption('--bars', flags.bars, 1, MAX_LOOP_BARS),
    tempoBpm: parseNumberOption('--tempo', flags.tempo, 19.999, 400),
    threshold: parseNumberOption('--threshold', flags.threshold, 0, 0.999999),
  };
  if (flags.tracks !== undefined) options.tracks = parseTrackList('--tracks', flags.tracks);
  if ((flags.key === undefined) !== (flags.scale === undefined)) throw new StudioError('BAD_INPUT', '--key and --scale go together (e.g. --key C --scale major)');
  if (flags.key !== undefined) {
    parseKey(flags.key);
    parseScale(flags.scale!);
    options.key = flags.key;
    options.scale = flags.scale;
  }
  const name = flags.name ?? path.basename(out);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new StudioError('BAD_INPUT', `--name must be a plain file name, got ${JSON.stringify(name)}`);
  if (existsSync(out) && !flags.force) {
    const entries = await fs.readdir(out).catch(() => null);
    if (entries === null) throw new StudioError('CONFLICT', `${out} exists and is not a folder`);
    if (entries.length > 0 && !entries.includes('loops.json')) throw new StudioError('CONFLICT', `${out} already holds other files; choose another --out or pass --force`);
  }

  const dir = resolveModelDir(flags.model);
  await initBackend();
  const model = await LoopModel.load(dir);
  const bar = new ProgressBar({ quiet: flags.quiet });
  try {
    const files: Record<string, Uint8Array> = {};
    const loops: { seed: number; file: string; tracks: string[]; stems: string[] }[] = [];
    for (let i = 0; i < count; i++) {
      bar.update({ done: i, total: count, phase: 'rendering' });
      const seed = firstSeed + i;
      const roll = model.generate({ ...options, seed });
      const file = `${name}-seed${seed}.mid`;
      files[file] = rollToMidi(roll, { name: `studio loop seed ${seed}` });
      const stems = flags.stems ? await renderStems(roll) : {};
      for (const [stem, bytes] of Object.entries(stems)) files[`stems/seed${seed}/${stem}`] = bytes;
      loops.push({ seed, file, tracks: familiesPresent(roll), stems: Object.keys(stems).map((s) => `stems/seed${seed}/${s}`) });
    }
    bar.update({ done: count, total: count, phase: 'writing' });
    const summary = { model: dir, name, bars: options.bars, tempoBpm: options.tempoBpm, threshold: options.threshold, loops };
    files['loops.json'] = new TextEncoder().encode(JSON.stringify(summary, null, 2) + '\n');
    const zip = zipSync(Object.fromEntries(Object.entries(files).map(([rel, bytes]) => [`${name}/${rel}`, bytes])));
    await writeDirAtomic(out, async (tmp) => {
      for (const [rel, bytes] of Object.entries(files)) {
        await fs.mkdir(path.dirname(path.join(tmp, rel)), { recursive: true });
        await fs.writeFile(path.join(tmp, rel), bytes);
      }
      await fs.writeFile(path.join(tmp, `${name}.zip`), zip);
    });
    bar.stop();
    console.log(JSON.stringify({ dir: out, zip: path.join(out, `${name}.zip`), loops: loops.length }, null, 2));
  } finally {
    bar.stop();
    model.dispose();
  }
}

export function registerGenerateLoops(program: Command): void {
  commandGroup(program, 'generate')
    .command('loops')
    .description('render a batch of loops (consecutive seeds) into a folder: one .mid each, optional stems, and a zip')
    .option('--model <dir|id>', 'model folder, or a model id under models/ (e.g. loops-default)')
    .option('--count <n>', `loops to render (1-${MAX_COUNT})`, '8')
    .option('--seed <n>', 'seed of the first loop; the others follow (seed+1, seed+2, ...)', '0')
    .option('--bars <n>', `loop length in bars (1-${MAX_LOOP_BARS})`, '4')
    .option('--tempo <bpm>', 'tempo written to the MIDI files', '120')
    .option('--threshold <t>', 'note-on probability threshold (0-1): lower = more notes', '0.5')
    .option('--tracks <list>', 'tracks to play, e.g. drums,bass (default all)')
    .option('--key <name>', 'key of the pitched tracks, e.g. C, F#, Bb (with --scale)')
    .option('--scale <name>', 'scale (with --key), e.g. major, minor, dorian')
    .option('--stems', 'also render one WAV per track and a mix per loop (GM SoundFont render; slow)')
    .option('--name <name>', 'base name of the files and the zip (default: the --out folder name)')
    .option('--out <dir>', 'folder to write')
    .option('--force', 'replace --out even if it holds other files')
    .option('--quiet', 'no progress bar')
    .action(generateLoopsCommand);
}
