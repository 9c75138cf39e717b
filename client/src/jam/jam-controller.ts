/**
 * The loops panel's line to its jam session on the server (jam:start / jam:update / jam:stop, pushes of jam:next).
 * Every loop arrives with the bar line it is for; the SwapPlan decides where it really starts (that bar line, or the
 * next safe one if it came late, or nowhere if a newer loop already arrived) and the LoopPlayer schedules it there.
 * While playing, the transport position is reported every couple of seconds so the server's bar estimate stays true.
 */
import type { JamNext, JamStart, JamState, JamUpdate, LoopReply } from '../../../server/protocol.js';
import { RequestError, type StudioConnection } from '../net/studio-connection.js';
import type { LoopPlayer, SwapEvent } from '../loops/loop-player.js';
import { SwapPlan, type SwapDecision, type TransportNow } from './swap-scheduler.js';

/** What the jam log shows (and tests read): when a loop arrived, which bar it asked for and got, when it sounded. */
export interface JamLogEntry {
  /** The server's sequence number within its session. */
  sequence: number;
  /** The player's id for this loop (unique across sessions). */
  slotId: number;
  seed: number;
  forBar: number;
  arrivedAtBar: number;
  decision: SwapDecision;
  /** Audio-context time the bar line was expected (constant tempo), when playing. */
  expectedAt: number | null;
  /** Audio-context time the bar line was reached, once it is. */
  startedAt: number | null;
  /** Audio-context time of the loop's first note. */
  firstNoteAt: number | null;
  /** A newer loop replaced it before its bar line came. */
  cancelled: boolean;
}

export interface JamEvents {
  /** A loop starts sounding (or, while stopped, becomes the loop that will play). */
  loopShown(loop: LoopReply, sequence: number): void;
  /** The log changed (a loop arrived, was dropped, or started). */
  logChanged(entries: readonly JamLogEntry[]): void;
  /** The server could not make a loop (the session keeps its last one). */
  failed(error: unknown): void;
}

const REPORT_EVERY_MS = 2000;
const LOG_LENGTH = 12;

export class JamController {
  private session: JamState | null = null;
  private starting: Promise<JamState> | null = null;
  private readonly plan = new SwapPlan();
  /** Loops by player slot id. */
  private readonly loops = new Map<number, JamNext>();
  /** Player slot ids of this session's sequences (a new session counts from 1 again). */
  private slotIds = new Map<number, number>();
  private nextSlotId = 1;
  private readonly entries: JamLogEntry[] = [];
  private reportTimer: number | null = null;
  private unsubscribeSwap: (() => void) | null = null;

  constructor(
    private readonly connection: StudioConnection,
    private readonly player: LoopPlayer,
    private readonly events: JamEvents,
  ) {
    connection.on('jam:next', (next) => this.arrived(next));
    connection.on('jam:error', (error) => {
      if (error.sessionId === this.session?.sessionId) events.failed(new RequestError(error.code, error.message, 'jam:next'));
    });
    this.unsubscribeSwap = player.onSwap((event) => this.swapped(event));
    connection.onState((state) => {
      // The server forgets a session when the socket drops: start a new one with the same controls.
      if (state.kind !== 'connected' && this.session) this.session = null;
    });
  }

  get active(): boolean {
    return this.session !== null;
  }

  get state(): JamState | null {
    return this.session;
  }

  get log(): readonly JamLogEntry[] {
    return this.entries;
  }

  /** Starts a session with `controls` (replacing any other); its first loop arrives as jam:next. */
  async start(controls: JamStart): Promise<JamState> {
    this.plan.reset();
    this.slotIds = new Map();
    this.session = null;
    this.starting = this.connection.request('jam:start', { ...controls, transport: this.transportReport() });
    try {
      this.session = await this.starting;
      return this.session;
    } finally {
      this.starting = null;
    }
  }

  /** Sends a change (or a regenerate); restarts the session from `controls` if the server lost it. */
  async update(patch: JamUpdate, controls: () => JamStart): Promise<JamState> {
    if (!this.session) return this.start(controls());
    try {
      this.session = await this.connection.request('jam:update', { ...patch, transport: this.transportReport() });
      return this.session;
    } catch (err) {
      if (err instanceof RequestError && err.code === 'CONFLICT') return this.start(controls());
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopReporting();
    const had = this.session;
    this.session = null;
    if (had && this.connection.connected) await this.connection.request('jam:stop', {});
  }

  /** Starts playback from bar 0 with the newest loop, and starts reporting the transport. */
  play(): void {
    this.plan.restart();
    this.player.play();
    this.startReporting();
  }

  pause(): void {
    this.player.stop();
    this.stopReporting();
  }

  dispose(): void {
    this.stopReporting();
    this.unsubscribeSwap?.();
  }

  private transportNow(): TransportNow {
    return { bar: this.player.positionBars, tempoBpm: this.player.tempoBpm, beatsPerBar: this.player.beatsPerBar, playing: this.player.playing };
  }

  private transportReport(): { bar: number } | undefined {
    return this.player.playing ? { bar: Math.max(0, this.player.positionBars) } : undefined;
  }

  private arrived(next: JamNext): void {
    // A push for a session this page no longer runs (replaced, or stopped) is ignored.
    const current = this.session?.sessionId;
    if (current !== next.sessionId && !(this.starting && !current)) return;
    const now = this.transportNow();
    const decision = this.plan.accept({ sequence: next.sequence, forBar: next.forBar, bars: next.bars }, now);
    const slotId = this.nextSlotId++;
    const entry: JamLogEntry = {
      sequence: next.sequence,
      slotId,
      seed: next.seed,
      forBar: next.forBar,
      arrivedAtBar: now.playing ? now.bar : 0,
      decision,
      expectedAt: null,
      startedAt: null,
      firstNoteAt: null,
      cancelled: false,
    };
    if (decision.kind === 'swap') {
      for (const cancelled of decision.cancels) {
        const id = this.slotIds.get(cancelled);
        if (id !== undefined) this.player.cancel(id);
        const replaced = this.entries.find((e) => e.slotId === id);
        if (replaced) replaced.cancelled = true;
      }
      this.slotIds.set(next.sequence, slotId);
      this.loops.set(slotId, next);
      this.player.schedule(slotId, next.loop.roll, decision.atBar);
      if (now.playing) entry.expectedAt = this.player.timeOfBar(decision.atBar);
      if (!now.playing) this.events.loopShown(next.loop, next.sequence);
      for (const old of [...this.loops.keys()]) if (old < slotId - LOG_LENGTH) this.loops.delete(old);
    }
    this.entries.unshift(entry);
    this.entries.length = Math.min(this.entries.length, LOG_LENGTH);
    this.events.logChanged(this.entries);
  }

  private swapped(event: SwapEvent): void {
    const entry = this.entries.find((e) => e.slotId === event.id);
    const slot = this.player.slot(event.id);
    if (entry) {
      entry.startedAt = event.time;
      entry.firstNoteAt = slot?.firstNoteAt ?? null;
      this.events.logChanged(this.entries);
    }
    const next = this.loops.get(event.id);
    if (next) this.events.loopShown(next.loop, next.sequence);
  }

  private startReporting(): void {
    this.stopReporting();
    this.reportTimer = window.setInterval(() => {
      if (!this.session || !this.player.playing || !this.connection.connected) return;
      void this.connection.request('jam:update', { transport: { bar: this.player.positionBars } }).catch(() => undefined);
    }, REPORT_EVERY_MS);
    if (this.session && this.connection.connected) {
      void this.connection.request('jam:update', { transport: { bar: 0 } }).catch(() => undefined);
    }
  }

  private stopReporting(): void {
    if (this.reportTimer !== null) clearInterval(this.reportTimer);
    this.reportTimer = null;
  }
}
