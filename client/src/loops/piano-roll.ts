/**
 * The loop's piano roll: every track in its own lane (drums, bass, piano, guitar, strings), bar and beat lines,
 * notes coloured by track with their velocity as opacity, silent tracks (muted, or not soloed) greyed out, and a
 * playhead that is an element moved by a CSS transform, so following the music costs no repainting at all.
 */
import type { LoopRollJson, TrackName } from '../../../server/protocol.js';
import { h } from '../dom/h.js';
import { fitCanvas } from '../notes/note-view.js';
import { barX, layoutRoll, noteRect, type RollLayout } from './roll-layout.js';

export const TRACK_COLORS: Record<TrackName, string> = {
  drums: '#f2b45a',
  bass: '#6ec1ff',
  piano: '#c58bff',
  guitar: '#7ee08a',
  strings: '#ff7b8a',
};

export class PianoRoll {
  readonly element: HTMLElement;
  private readonly notesCanvas: HTMLCanvasElement;
  private readonly head: HTMLElement;
  private roll: LoopRollJson | null = null;
  private audible: Set<TrackName> = new Set();
  private layout: RollLayout | null = null;

  constructor(id: string) {
    this.notesCanvas = h('canvas', { class: 'roll-notes', id, 'aria-label': 'Piano roll of the loop' });
    this.head = h('div', { class: 'roll-head', 'aria-hidden': 'true', hidden: true });
    this.element = h('div', { class: 'piano-roll' }, this.notesCanvas, this.head);
    new ResizeObserver(() => this.redraw()).observe(this.element);
  }

  show(roll: LoopRollJson | null, audible: Set<TrackName>): void {
    this.roll = roll;
    this.audible = audible;
    this.redraw();
  }

  /** Draws the playhead at `bar` (fractional, within the loop), or hides it (null). */
  playhead(bar: number | null): void {
    if (bar === null || !this.roll || !this.layout) {
      this.head.hidden = true;
      return;
    }
    this.head.hidden = false;
    this.head.style.transform = `translateX(${barX(this.layout, bar, this.roll.stepsPerBar).toFixed(1)}px)`;
  }

  redraw(): void {
    const canvas = this.notesCanvas;
    const ctx = fitCanvas(canvas);
    const scale = devicePixelRatio;
    const width = canvas.width / scale;
    const height = canvas.height / scale;
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    ctx.fillStyle = '#0f1218';
    ctx.fillRect(0, 0, width, height);
    const roll = this.roll;
    if (!roll) {
      ctx.fillStyle = '#8b95a7';
      ctx.font = '14px system-ui, sans-serif';
      ctx.fillText('No loop yet: press Generate loop.', 16, 28);
      this.layout = null;
      delete canvas.dataset.notes;
      return;
    }
    const layout = layoutRoll(roll, { width, height });
    this.layout = layout;
    let drawn = 0;
    for (const lane of layout.lanes) {
      const track = roll.tracks.find((t) => t.name === lane.track)!;
      const sounding = this.audible.has(lane.track);
      ctx.fillStyle = '#161b24';
      ctx.fillRect(layout.gutter, lane.top, width - layout.gutter, lane.height);
      // Black-key rows a shade darker, so pitches can be followed across the lane.
      if (!track.isDrum && lane.rowHeight >= 3) {
        ctx.fillStyle = '#12161e';
        for (let p = lane.lowPitch; p <= lane.highPitch; p++) {
          if ([1, 3, 6, 8, 10].includes(((p % 12) + 12) % 12)) ctx.fillRect(layout.gutter, lane.top + (lane.highPitch - p) * lane.rowHeight, width - layout.gutter, lane.rowHeight);
        }
      }
      ctx.fillStyle = sounding ? TRACK_COLORS[lane.track] : '#4a5160';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(lane.track, 6, lane.top + Math.min(lane.height - 4, 16));
      ctx.fillStyle = '#8b95a7';
      ctx.font = '10px system-ui, sans-serif';
      ctx.fillText(`${track.notes.length} notes`, 6, lane.top + Math.min(lane.height - 2, 30));
      for (const note of track.notes) {
        const r = noteRect(layout, lane, note);
        ctx.globalAlpha = sounding ? 0.45 + 0.55 * (note.velocity / 127) : 0.35;
        ctx.fillStyle = sounding ? TRACK_COLORS[lane.track] : '#5a6170';
        ctx.fillRect(r.x, r.y, r.w, r.h);
        drawn++;
      }
      ctx.globalAlpha = 1;
    }
    // Beat lines faint, bar lines strong.
    for (let beat = 0; beat <= roll.bars * roll.beatsPerBar; beat++) {
      const x = barX(layout, beat / roll.beatsPerBar, roll.stepsPerBar);
      ctx.fillStyle = beat % roll.beatsPerBar === 0 ? 'rgba(255,255,255,0.35)' : 'rgba(255,255,255,0.08)';
      ctx.fillRect(Math.round(x), 0, 1, height);
      if (beat % roll.beatsPerBar === 0 && beat < roll.bars * roll.beatsPerBar) {
        ctx.fillStyle = '#8b95a7';
        ctx.font = '10px system-ui, sans-serif';
        ctx.fillText(String(beat / roll.beatsPerBar + 1), x + 3, height - 3);
      }
    }
    canvas.dataset.notes = String(drawn);
    canvas.dataset.bars = String(roll.bars);
  }
}
