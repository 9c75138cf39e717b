/**
 * Sample diversity, the mode-collapse alarm: the mean pairwise distance between notes generated from different
 * latents at one pitch, divided by the same figure for real notes (different instruments) at that pitch.
 * Near 1: as varied as the data. Near 0: every latent gives the same note (collapse).
 */
export function meanPairwiseDistance(samples: Float32Array[]): number {
  if (samples.length < 2) return 0;
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < samples.length; i++) {
    for (let j = i + 1; j < samples.length; j++) {
      const a = samples[i]!;
      const b = samples[j]!;
      let s = 0;
      for (let k = 0; k < a.length; k++) {
        const d = a[k]! - b[k]!;
        s += d * d;
      }
      total += Math.sqrt(s / a.length);
      pairs++;
    }
  }
  return total / pairs;
}

/** Generated-vs-real diversity ratio per pitch and its mean; pitches with fewer than two real notes are skipped. */
export function diversityRatio(
  generatedByPitch: Map<number, Float32Array[]>,
  realByPitch: Map<number, Float32Array[]>,
): { ratio: number; byPitch: Record<number, number> } {
  const byPitch: Record<number, number> = {};
  const ratios: number[] = [];
  for (const [pitch, generated] of generatedByPitch) {
    const real = realByPitch.get(pitch);
    if (!real || real.length < 2) continue;
    const realSpread = meanPairwiseDistance(real);
    if (realSpread === 0) continue;
    const r = meanPairwiseDistance(generated) / realSpread;
    byPitch[pitch] = r;
    ratios.push(r);
  }
  return { ratio: ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : NaN, byPitch };
}

/** Below this ratio the trainer warns of mode collapse. */
export const COLLAPSE_WARNING_RATIO = 0.25;
