/**
 * One client's jam: the current controls, the loop playing, and a model of the client's transport clock, so each
 * new loop is pushed (`jam:next`) with the bar line it is for, ahead of that bar line (see the timing contract in
 * protocol.ts). Generation requests made while one runs are coalesced: only the newest controls are generated, and
 * a result made stale by newer controls is dropped instead of pushed.
 */
import { performance } from 'node:perf_hooks';
import { describeThrown } from '../util/errors.js';
import type { ErrorBody, JamNext, JamState, TrackName } from '../protocol.js';
import { jamStartSchema, jamUpdateSchema } from '../protocol.js';
import type { z } from 'zod';
import type { GenerationService, LoopOutcome } from './generation.js';
import { randomSeed } from './generation.js';
import { toErrorBody } from './errors.js';

export interface JamSessionOptions {
  /** A loop is never scheduled for a bar line closer than this to the moment it is sent. */
  leadSeconds?: number;
  /** In evolve mode, start making the next variation this many bars before the loop's cycle ends. */
  evolveAheadBars?: number;
}

export const jamSessionDefaults = { leadSeconds: 0.25, evolveAheadBars: 1 };

type JamStartParsed = z.output<typeof jamStartSchema>;
type JamUpdateParsed = z.output<typeof jamUpdateSchema>;

interface Clock {
  bar: number;
  atMs: number;
}

interface Playing {
  sequence: number;
  forBar: number;
  bars: number;
  beatsPerBar: number;
  data: Uint8Array;
}

/** Where a session sends its pushes (the client's socket). */
export interface JamOutlet {
  next(payload: JamNext): void;
  error(payload: ErrorBody & { sessionId: string }): void;
}

export class JamSession {
  private state: JamState;
  private clock: Clock | null = null;
  private playing: Playing | null = null;
  private sequence = 0;
  /** Bumped by every change that asks for a new loop; a result is pushed only if it is still the newest. */
  private wanted = 0;
  private generating = false;
  private evolveTimer: NodeJS.Timeout | null = null;
  /** Set for an evolve variation: it lands on a cycle boundary whatever swapAt says, so a loop always plays through. */
  private swapOverride: 'loop' | null = null;
  private stopped = false;
  private readonly options: Required<JamSessionOptions>;

  constructor(
    readonly sessionId: string,
    private readonly generation: GenerationService,
    private readonly outlet: JamOutlet,
    start: JamStartParsed,
    options: JamSessionOptions = {},
  ) {
    this.options = { ...jamSessionDefaults, ...options };
    const model = generation.registry.resolve(start.model, 'loops').id;
    this.state = {
      sessionId,
      model,
      bars: start.bars,
      tempo: start.tempo,
      seed: start.seed ?? randomSeed(),
      threshold: start.threshold,
      tracks: start.tracks ?? null,
      key: start.key ?? null,
      scale: start.scale ?? null,
      locked: uniqueTracks(start.locked),
      swapAt: start.swapAt,
      evolve: start.evolve,
    };
    if (start.transport) this.clock = { bar: start.transport.bar, atMs: performance.now() };
    this.request();
  }

  get view(): JamState {
    return structuredClone(this.state);
  }

  update(patch: JamUpdateParsed): JamState {
    const now = performance.now();
    // Re-anchor the clock before a tempo change so the bars already played keep their old length.
    if (this.clock && patch.tempo !== undefined && !patch.transport) this.clock = { bar: this.barAt(now)!, atMs: now };
    if (patch.transport) this.clock = { bar: patch.transport.bar, atMs: now };
    if (patch.model !== undefined) this.state.model = this.generation.registry.resolve(patch.model, 'loops').id;
    const musical = ['model', 'bars', 'tempo', 'seed', 'threshold', 'tracks', 'key', 'scale'] as const;
    const changed = musical.some((k) => patch[k] !== undefined && patch[k] !== this.state[k]) || patch.regenerate === true;
    if (patch.bars !== undefined) this.state.bars = patch.bars;
    if (patch.tempo !== undefined) this.state.tempo = patch.tempo;
    if (patch.threshold !== undefined) this.state.threshold = patch.threshold;
    if (patch.tracks !== undefined) this.state.tracks = patch.tracks;
    if (patch.key !== undefined) this.state.key = patch.key;
    if (patch.scale !== undefined) this.state.scale = patch.scale;
    if (patch.locked !== undefined) this.state.locked = uniqueTracks(patch.locked);
    if (patch.swapAt !== undefined) this.state.swapAt = patch.swapAt;
    if (patch.evolve !== undefined) this.state.evolve = patch.evolve;
    if (patch.seed !== undefined) this.state.seed = patch.seed;
    else if (patch.regenerate) this.state.seed = randomSeed();
    if ((this.state.key === null) !== (this.state.scale === null)) {
      // A key without a scale (or the reverse) means no constraint rather than an error mid-jam.
      this.state.key = null;
      this.state.scale = null;
    }
    if (changed) this.request();
    else this.scheduleEvolve();
    return this.view;
  }

  stop(): void {
    this.stopped = true;
    if (this.evolveTimer) clearTimeout(this.evolveTimer);
    this.evolveTimer = null;
  }

  /** The client's position in bars now, extrapolated from its last report (null before it reported one). */
  barAt(nowMs: number): number | null {
    if (!this.clock) return null;
    return this.clock.bar + (nowMs - this.clock.atMs) / 1000 / this.secondsPerBar();
  }

  private secondsPerBar(): number {
    return ((this.playing?.beatsPerBar ?? 4) * 60) / this.state.tempo;
  }

  private request(): void {
    this.wanted++;
    this.swapOverride = null;
    if (this.evolveTimer) clearTimeout(this.evolveTimer);
    this.evolveTimer = null;
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.generating || this.stopped) return;
    this.generating = true;
    try {
      while (!this.stopped) {
        const ticket = this.wanted;
        const controls = structuredClone(this.state);
        const started = performance.now();
        let outcome: LoopOutcome | null = null;
        try {
          outcome = await this.generation.loop(
            { model: controls.model, bars: controls.bars, tempo: controls.tempo, seed: controls.seed, threshold: controls.threshold, tracks: controls.tracks ?? undefined, key: controls.key ?? undefined, scale: controls.scale ?? undefined, condition: undefined },
            this.lockedTracks(controls.locked, controls.bars),
          );
        } catch (err) {
          if (!this.stopped) this.outlet.error({ sessionId: this.sessionId, ...toErrorBody(err) });
        }
        if (this.stopped) return;
        if (ticket !== this.wanted) continue; // newer controls arrived meanwhile: make those instead
        if (outcome) this.push(outcome, performance.now() - started);
        break;
      }
    } catch (err) {
      this.outlet.error({ sessionId: this.sessionId, code: 'INTERNAL', message: describeThrown(err) });
    } finally {
      this.generating = false;
    }
    this.scheduleEvolve();
  }

  private lockedTracks(locked: TrackName[], bars: number): { data: Uint8Array; bars: number; tracks: TrackName[] } | null {
    if (locked.length === 0 || !this.playing || this.playing.bars !== bars) return null;
    return { data: this.playing.data, bars, tracks: locked };
  }

  private push(outcome: LoopOutcome, generationMs: number): void {
    const now = performance.now();
    const barNow = this.barAt(now);
    const forBar = this.chooseBar(barNow, this.swapOverride ?? this.state.swapAt);
    this.swapOverride = null;
    this.sequence++;
    this.playing = { sequence: this.sequence, forBar, bars: outcome.bars, beatsPerBar: outcome.roll.beatsPerBar, data: outcome.data };
    const { data: _data, ...loop } = outcome;
    this.outlet.next({
      sessionId: this.sessionId,
      sequence: this.sequence,
      forBar,
      sentAtBar: barNow ?? 0,
      seed: outcome.seed,
      bars: outcome.bars,
      tempo: outcome.tempo,
      generationMs: Math.round(generationMs),
      loop,
    });
  }

  /**
   * The bar line for a loop sent now: the first one at least leadSeconds away ('bar'), or the first end of the
   * playing loop's cycle that far away ('loop'). Without a clock (not playing yet) the loop starts at bar 0, or
   * replaces the playing one at its own start bar.
   */
  private chooseBar(barNow: number | null, swapAt: 'bar' | 'loop'): number {
    if (barNow === null) return this.playing?.forBar ?? 0;
    const earliest = barNow + this.options.leadSeconds / this.secondsPerBar();
    if (swapAt === 'bar' || !this.playing) return Math.ceil(earliest - 1e-9);
    const { forBar, bars } = this.playing;
    if (earliest <= forBar) return forBar;
    return forBar + Math.ceil((earliest - forBar) / bars - 1e-9) * bars;
  }

  /** Evolve mode: the next variation (seed + 1) is made a bar before the playing loop's cycle ends. */
  private scheduleEvolve(): void {
    if (this.evolveTimer) clearTimeout(this.evolveTimer);
    this.evolveTimer = null;
    if (!this.state.evolve || this.stopped || !this.playing || this.generating) return;
    const barNow = this.barAt(performance.now());
    if (barNow === null) return;
    const { forBar, bars } = this.playing;
    const cycleEnd = forBar + Math.max(1, Math.ceil((barNow - forBar) / bars + 1e-9)) * bars;
    const startAt = cycleEnd - this.options.evolveAheadBars;
    const delayMs = Math.max(0, (startAt - barNow) * this.secondsPerBar() * 1000);
    this.evolveTimer = setTimeout(() => {
      this.evolveTimer = null;
      this.state.seed = (this.state.seed + 1) % 2 ** 31;
      this.wanted++;
      this.swapOverride = 'loop';
      void this.run();
    }, delayMs);
    this.evolveTimer.unref();
  }
}

function uniqueTracks(tracks: TrackName[]): TrackName[] {
  return [...new Set(tracks)];
}
