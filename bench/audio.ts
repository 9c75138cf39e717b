/**
 * `npm run bench -- audio [--preset lite] [--program 0]`: speed of the audio core, one thread. Prints
 * {render: {notesPerSecond}, forward: {framesPerSecond, notesPerSecond}, inverse: {...}, instrument61: {...}, ...}
 * Every figure has wall-clock and CPU time (the machine is shared: wall time alone reads other people's load).
 */
import { Command } from 'commander';
import { loadavg } from 'node:os';
import { loadSoundBank, resolveSoundFont } from '../server/data/notes/fonts.js';
import { NoteRenderer } from '../server/data/notes/render.js';
import { audioToIfMel, ifMelToAudio } from '../server/spectral/ifmel.js';
import { getSpectralPreset } from '../server/spectral/presets.js';
import { estimateF0 } from '../server/audio/f0.js';
import { resample } from '../server/audio/resample.js';
import { decodeWav, encodeWav } from '../server/audio/wav.js';

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

interface Timed {
  wallMs: number;
  cpuMs: number;
}

async function timed(work: () => Promise<void> | void): Promise<Timed> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Rate per second by wall clock and by CPU time. */
function rate(count: number, t: Timed): { perSecondWall: number; perSecondCpu: number } {
  return { perSecondWall: round((count * 1000) / t.wallMs), perSecondCpu: round((count * 1000) / t.cpuMs) };
}

export async function main(args: string[]): Promise<unknown> {
  const program = new Command('audio')
    .option('--preset <name>', 'spectral preset', 'lite')
    .option('--program <n>', 'GM program of the instrument', '0')
    .exitOverride();
  program.parse(args, { from: 'user' });
  const opts = program.opts<{ preset: string; program: string }>();
  const preset = getSpectralPreset(opts.preset);
  const gmProgram = Number(opts.program);
  const pitches = Array.from({ length: 61 }, (_, i) => 24 + i);

  log(`rendering 61 notes of program ${gmProgram} (${preset.seconds} s at ${preset.sampleRate} Hz)...`);
  const renderer = new NoteRenderer(loadSoundBank(resolveSoundFont('MuseScore_General_Lite')));
  const note = (pitch: number): Promise<Float32Array> =>
    renderer.render({ program: gmProgram, pitch, velocity: 100, seconds: preset.seconds, holdSeconds: preset.seconds * 0.75, sampleRate: preset.sampleRate, gain: 4 });
  // First pass decodes the font's samples (cached afterwards): timed separately.
  const cold = await timed(async () => {
    for (const p of pitches) await note(p);
  });
  const notes: Float32Array[] = [];
  const render = await timed(async () => {
    for (const p of pitches) notes.push(await note(p));
  });

  log('IF-Mel forward and inverse...');
  const specs: Float32Array[] = [];
  const forward = await timed(() => {
    for (const n of notes) specs.push(audioToIfMel(n, preset));
  });
  const audio: Float32Array[] = [];
  const inverse = await timed(() => {
    for (const s of specs) audio.push(ifMelToAudio(s, preset));
  });
  const frames = notes.length * preset.frames;
  const audioSeconds = notes.length * preset.seconds;

  log('f0, resampling, WAV...');
  const f0 = await timed(() => {
    for (const n of notes) estimateF0(n, preset.sampleRate);
  });
  const resampleTime = await timed(() => {
    for (const n of notes.slice(0, 20)) resample(resample(n, preset.sampleRate, 44100), 44100, preset.sampleRate);
  });
  const wavs: Uint8Array[] = [];
  const encode = await timed(() => {
    for (const n of notes) wavs.push(encodeWav(n, { sampleRate: preset.sampleRate }));
  });
  const decode = await timed(() => {
    for (const w of wavs) decodeWav(w, 'bench.wav');
  });

  return {
    preset: { name: preset.name, shape: [preset.frames, preset.melBins, 2], seconds: preset.seconds, sampleRate: preset.sampleRate },
    program: gmProgram,
    loadAverage: loadavg().map((l) => round(l, 2)),
    render: { notes: notes.length, notesPerSecond: rate(notes.length, render), firstPassNotesPerSecond: rate(notes.length, cold) },
    forward: { framesPerSecond: rate(frames, forward), notesPerSecond: rate(notes.length, forward) },
    inverse: { framesPerSecond: rate(frames, inverse), notesPerSecond: rate(notes.length, inverse) },
    instrument61: {
      audioSeconds,
      toAudioMs: { wall: round(inverse.wallMs), cpu: round(inverse.cpuMs) },
      realTimeFactor: { wall: round((audioSeconds * 1000) / inverse.wallMs), cpu: round((audioSeconds * 1000) / inverse.cpuMs) },
    },
    f0: { notesPerSecond: rate(notes.length, f0) },
    resample: { secondsOfAudioPerSecond: rate(20 * preset.seconds * 2, resampleTime), what: `${preset.sampleRate} -> 44100 -> ${preset.sampleRate} Hz` },
    wav: { encodePerSecond: rate(wavs.length, encode), decodePerSecond: rate(wavs.length, decode) },
  };
}
