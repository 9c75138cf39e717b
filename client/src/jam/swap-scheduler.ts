/**
 * When a jam loop takes over: pure bookkeeping over bar numbers on the client's transport (bars since it started,
 * fractional while playing), following the timing contract in server/protocol.ts. The server names the bar line a
 * loop is for (`forBar`); the client keeps it when that bar line is still far enough ahead to be scheduled without a
 * glitch, and otherwise takes the next bar line that is. Loops whose sequence is not newer than the last one taken
 * are stale and dropped. A newer loop cancels every pending swap at or after its own bar line.
 */

export interface SwapSchedulerOptions {
  /**
   * Seconds between deciding and the bar line, at least: the audio engine schedules notes this far ahead
   * (Tone.js looks ahead ~0.1 s), so a swap closer than this could drop the first notes.
   */
  safetySeconds?: number;
}

export const swapSchedulerDefaults: Required<SwapSchedulerOptions> = { safetySeconds: 0.15 };

/** A loop the server pushed (the fields of JamNext the decision needs). */
export interface IncomingLoop {
  sequence: number;
  /** The bar line the server asked for. */
  forBar: number;
  /** Its length in bars: it repeats every `bars` bars from the bar it starts at. */
  bars: number;
}

export interface TransportNow {
  /** Position in bars since the transport started (fractional). */
  bar: number;
  tempoBpm: number;
  beatsPerBar: number;
  /** False while stopped: a loop then simply becomes the one that starts at bar 0. */
  playing: boolean;
}

export type SwapDecision =
  | { kind: 'stale'; sequence: number; lastSequence: number }
  | {
      kind: 'swap';
      sequence: number;
      /** The bar line where the loop starts (from its own beginning). */
      atBar: number;
      /** True when `forBar` was too close or already past and the next safe bar line was taken instead. */
      late: boolean;
      /** Sequences of swaps scheduled earlier that this one replaces before they played. */
      cancels: number[];
    };

export interface ScheduledSwap {
  sequence: number;
  atBar: number;
  bars: number;
}

export function secondsPerBar(tempoBpm: number, beatsPerBar: number): number {
  return (beatsPerBar * 60) / tempoBpm;
}

/** The first bar line at or after `forBar` that is at least `safetySeconds` after `now`. */
export function safeSwapBar(forBar: number, now: TransportNow, safetySeconds: number): { atBar: number; late: boolean } {
  if (!now.playing) return { atBar: Math.max(0, Math.round(forBar)), late: false };
  const earliest = now.bar + safetySeconds / secondsPerBar(now.tempoBpm, now.beatsPerBar);
  const wanted = Math.round(forBar);
  if (wanted >= earliest) return { atBar: wanted, late: false };
  // Tolerance: a position a hair below a bar line (float drift) still counts as before it.
  return { atBar: Math.ceil(earliest - 1e-9), late: true };
}

/** The swaps of one jam session: which loop plays at which bar, and what a newly arrived loop does to that. */
export class SwapPlan {
  private readonly options: Required<SwapSchedulerOptions>;
  private swaps: ScheduledSwap[] = [];
  private lastSequence = 0;

  constructor(options: SwapSchedulerOptions = {}) {
    this.options = { ...swapSchedulerDefaults, ...options };
  }

  /** Decides what the incoming loop does, and records it when it is taken. */
  accept(incoming: IncomingLoop, now: TransportNow): SwapDecision {
    if (incoming.sequence <= this.lastSequence) {
      return { kind: 'stale', sequence: incoming.sequence, lastSequence: this.lastSequence };
    }
    this.lastSequence = incoming.sequence;
    if (!now.playing) {
      // Nothing is sounding: the newest loop simply replaces everything and starts with the transport.
      const cancels = this.swaps.map((s) => s.sequence);
      this.swaps = [{ sequence: incoming.sequence, atBar: 0, bars: incoming.bars }];
      return { kind: 'swap', sequence: incoming.sequence, atBar: 0, late: false, cancels };
    }
    const { atBar, late } = safeSwapBar(incoming.forBar, now, this.options.safetySeconds);
    const cancels = this.swaps.filter((s) => s.atBar >= atBar).map((s) => s.sequence);
    this.swaps = this.swaps.filter((s) => s.atBar < atBar);
    this.swaps.push({ sequence: incoming.sequence, atBar, bars: incoming.bars });
    this.forgetPlayedOut(now.bar);
    return { kind: 'swap', sequence: incoming.sequence, atBar, late, cancels };
  }

  /** The swap whose loop sounds at `bar` (null before the first one starts). */
  playingAt(bar: number): ScheduledSwap | null {
    let found: ScheduledSwap | null = null;
    for (const swap of this.swaps) if (swap.atBar <= bar + 1e-9) found = swap;
    return found;
  }

  /** Which bar of its own loop is sounding at transport `bar` (0-based, fractional), or null. */
  loopBarAt(bar: number): number | null {
    const swap = this.playingAt(bar);
    if (!swap) return null;
    return (bar - swap.atBar) % swap.bars;
  }

  /** Swaps not yet started at `bar`. */
  pendingAfter(bar: number): ScheduledSwap[] {
    return this.swaps.filter((s) => s.atBar > bar + 1e-9);
  }

  get scheduled(): readonly ScheduledSwap[] {
    return this.swaps;
  }

  /** The transport starts again from bar 0: the newest loop taken plays from there; pending swaps are dropped. */
  restart(): ScheduledSwap | null {
    const newest = this.swaps.reduce<ScheduledSwap | null>((a, s) => (!a || s.sequence > a.sequence ? s : a), null);
    this.swaps = newest ? [{ ...newest, atBar: 0 }] : [];
    return this.swaps[0] ?? null;
  }

  /** Forgets everything (a new jam session; its sequences start again at 1). */
  reset(): void {
    this.swaps = [];
    this.lastSequence = 0;
  }

  /** Keeps the swap playing now and everything after it; older ones can never sound again. */
  private forgetPlayedOut(bar: number): void {
    const current = this.playingAt(bar);
    if (current) this.swaps = this.swaps.filter((s) => s.atBar >= current.atBar);
  }
}
