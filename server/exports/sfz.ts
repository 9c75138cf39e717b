/**
 * SFZ text for a sampler instrument: one region per rendered pitch (and velocity layer), key ranges split between
 * neighbouring samples, each sample played at its own pitch centre and released with a short fade (no loops).
 * Pure: returns text; writing files is instrument.ts's job.
 */
export interface SfzSample {
  midiPitch: number;
  velocity: number;
  /** Path relative to the .sfz file, '/' separated. */
  file: string;
}

export interface SfzOptions {
  /** First line comment: what made this instrument. */
  comment?: string;
  /** Release time after note-off, seconds (a fade, since samples do not loop). */
  releaseSeconds?: number;
  /** Keys below the lowest / above the highest sample are mapped to the nearest sample when true. */
  extendKeyRange?: boolean;
}

export const sfzDefaults: Required<SfzOptions> = { comment: '', releaseSeconds: 0.3, extendKeyRange: false };

/** Velocity ranges for layers rendered at `velocities`: boundaries halfway between neighbours, covering 1-127. */
export function velocityRanges(velocities: number[]): { velocity: number; low: number; high: number }[] {
  const sorted = [...new Set(velocities)].sort((a, b) => a - b);
  return sorted.map((velocity, i) => ({
    velocity,
    low: i === 0 ? 1 : Math.floor((sorted[i - 1]! + velocity) / 2) + 1,
    high: i === sorted.length - 1 ? 127 : Math.floor((velocity + sorted[i + 1]!) / 2),
  }));
}

/** Key ranges for samples at `pitches`: each sample covers the keys nearer to it than to its neighbours. */
export function keyRanges(pitches: number[], extend: boolean): { midiPitch: number; low: number; high: number }[] {
  const sorted = [...new Set(pitches)].sort((a, b) => a - b);
  return sorted.map((midiPitch, i) => ({
    midiPitch,
    low: i === 0 ? (extend ? 0 : midiPitch) : Math.floor((sorted[i - 1]! + midiPitch) / 2) + 1,
    high: i === sorted.length - 1 ? (extend ? 127 : midiPitch) : Math.floor((midiPitch + sorted[i + 1]!) / 2),
  }));
}

export function buildSfz(samples: SfzSample[], options: SfzOptions = {}): string {
  const { comment, releaseSeconds, extendKeyRange } = { ...sfzDefaults, ...options };
  if (samples.length === 0) throw new Error('an instrument needs at least one sample');
  const layers = velocityRanges(samples.map((s) => s.velocity));
  const lines: string[] = [];
  for (const line of comment.split('\n').filter(Boolean)) lines.push(`// ${line}`);
  lines.push('<control>', '<global>', 'loop_mode=no_loop', `ampeg_release=${round(releaseSeconds)}`);
  // One layer: the sampler scales level by velocity. Several layers: each is rendered at its velocity already.
  lines.push(`amp_veltrack=${layers.length === 1 ? 100 : 0}`);
  for (const layer of layers) {
    const inLayer = samples.filter((s) => s.velocity === layer.velocity);
    const keys = keyRanges(inLayer.map((s) => s.midiPitch), extendKeyRange);
    lines.push('', `<group> lovel=${layer.low} hivel=${layer.high}`);
    for (const key of keys) {
      const sample = inLayer.find((s) => s.midiPitch === key.midiPitch)!;
      lines.push(`<region> sample=${sample.file} lokey=${key.low} hikey=${key.high} pitch_keycenter=${key.midiPitch}`);
    }
  }
  return lines.join('\n') + '\n';
}

function round(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}
