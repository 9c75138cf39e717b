/**
 * The timbre pad: four timbres (seeds) at its corners, a puck whose position blends them. Drag the puck, click
 * anywhere on the pad, or focus it and use the arrow keys (Shift for fine steps). `change` fires when a move ends,
 * so a drag asks the server for one note, not hundreds.
 */
import { h } from '../dom/h.js';
import { PAD_CORNERS, type PadPoint } from './timbre.js';

export interface XyPadEvents {
  change(point: PadPoint): void;
}

export class XyPad {
  readonly element: HTMLElement;
  readonly surface: HTMLElement;
  private readonly puck: HTMLElement;
  private readonly readout: HTMLElement;
  readonly cornerInputs: HTMLInputElement[];
  private point: PadPoint = { x: 0.5, y: 0.5 };
  private dragging = false;

  constructor(
    cornerSeeds: [number, number, number, number],
    private readonly events: XyPadEvents,
  ) {
    this.puck = h('div', { class: 'puck', 'aria-hidden': 'true' });
    this.readout = h('span', { class: 'pad-readout' });
    this.surface = h('div', {
      class: 'pad-surface',
      tabindex: '0',
      role: 'slider',
      'aria-label': 'Timbre blend (arrow keys move, Shift for fine steps)',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
    }, this.puck);
    this.cornerInputs = PAD_CORNERS.map((corner, i) =>
      h('input', { type: 'number', class: `corner-seed ${corner}`, min: '0', step: '1', value: String(cornerSeeds[i]), 'aria-label': `Timbre seed at the ${corner.replace('-', ' ')} corner`, title: `Seed of the ${corner.replace('-', ' ')} timbre` }),
    );
    this.element = h('div', { class: 'xy-pad-box' }, h('div', { class: 'xy-pad' }, this.surface, ...this.cornerInputs), this.readout);

    this.surface.addEventListener('pointerdown', (event) => {
      this.dragging = true;
      this.surface.setPointerCapture(event.pointerId);
      this.moveTo(this.pointFromEvent(event), false);
    });
    this.surface.addEventListener('pointermove', (event) => {
      if (this.dragging) this.moveTo(this.pointFromEvent(event), false);
    });
    const end = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.events.change(this.point);
    };
    this.surface.addEventListener('pointerup', end);
    this.surface.addEventListener('pointercancel', end);
    this.surface.addEventListener('keydown', (event) => {
      const step = event.shiftKey ? 0.01 : 0.05;
      const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      event.stopPropagation();
      this.moveTo({ x: this.point.x + move[0], y: this.point.y + move[1] }, true);
    });
    this.moveTo(this.point, false);
  }

  get value(): PadPoint {
    return { ...this.point };
  }

  /** The corner seeds as typed (invalid entries read as 0). */
  get seeds(): [number, number, number, number] {
    return this.cornerInputs.map((input) => Math.max(0, Math.floor(Number(input.value) || 0))) as [number, number, number, number];
  }

  setEnabled(enabled: boolean): void {
    this.element.classList.toggle('disabled', !enabled);
    this.surface.setAttribute('aria-disabled', String(!enabled));
  }

  moveTo(point: PadPoint, notify: boolean): void {
    this.point = { x: clamp01(point.x), y: clamp01(point.y) };
    this.puck.style.left = `${this.point.x * 100}%`;
    this.puck.style.top = `${this.point.y * 100}%`;
    const text = `x ${this.point.x.toFixed(2)} · y ${this.point.y.toFixed(2)}`;
    this.readout.textContent = text;
    this.surface.setAttribute('aria-valuetext', text);
    this.surface.dataset.x = this.point.x.toFixed(3);
    this.surface.dataset.y = this.point.y.toFixed(3);
    if (notify) this.events.change(this.point);
  }

  private pointFromEvent(event: PointerEvent): PadPoint {
    const rect = this.surface.getBoundingClientRect();
    return { x: (event.clientX - rect.left) / rect.width, y: (event.clientY - rect.top) / rect.height };
  }
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0.5));
}
