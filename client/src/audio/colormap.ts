/** A perceptually ordered dark-to-bright colour ramp (close to "inferno") for spectrograms. Pure. */
const STOPS: readonly [number, number, number, number][] = [
  [0.0, 0, 0, 4],
  [0.2, 40, 11, 84],
  [0.4, 101, 21, 110],
  [0.6, 159, 42, 99],
  [0.75, 212, 72, 66],
  [0.88, 245, 125, 21],
  [1.0, 252, 255, 164],
];

/** The colour at t in [0, 1] (clamped), as [r, g, b] bytes. */
export function rampColor(t: number): [number, number, number] {
  const x = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : 0;
  for (let i = 1; i < STOPS.length; i++) {
    const [t1, r1, g1, b1] = STOPS[i]!;
    if (x <= t1) {
      const [t0, r0, g0, b0] = STOPS[i - 1]!;
      const f = (x - t0) / (t1 - t0);
      return [Math.round(r0 + f * (r1 - r0)), Math.round(g0 + f * (g1 - g0)), Math.round(b0 + f * (b1 - b0))];
    }
  }
  const last = STOPS[STOPS.length - 1]!;
  return [last[1], last[2], last[3]];
}
