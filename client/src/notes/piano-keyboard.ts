/**
 * The on-screen piano: white and black keys over a pitch range, played with the mouse or a touch. Keys show the
 * computer-keyboard letter that plays them at the current octave; keys being played light up.
 */
import { h, replaceChildren } from '../dom/h.js';
import { isBlackKey, keyCodeForPitch, keyLabel, pitchName } from '../music/pitch.js';

export interface PianoKeyboardEvents {
  press(midiPitch: number): void;
  release(midiPitch: number): void;
}

export class PianoKeyboard {
  readonly element: HTMLElement;
  private minPitch = 36;
  private maxPitch = 84;
  private octave = 4;
  private selected: number | null = null;
  private readonly keys = new Map<number, HTMLElement>();
  private held: number | null = null;

  constructor(private readonly events: PianoKeyboardEvents) {
    this.element = h('div', { class: 'piano', role: 'group', 'aria-label': 'Piano keyboard' });
    this.element.addEventListener('pointerdown', (event) => {
      const pitch = this.pitchAt(event);
      if (pitch === null) return;
      event.preventDefault();
      this.element.setPointerCapture(event.pointerId);
      this.held = pitch;
      events.press(pitch);
    });
    // Sliding across keys with the button down plays each key in turn, like a glissando.
    this.element.addEventListener('pointermove', (event) => {
      if (this.held === null) return;
      const pitch = this.pitchAtPoint(event.clientX, event.clientY);
      if (pitch === null || pitch === this.held) return;
      events.release(this.held);
      this.held = pitch;
      events.press(pitch);
    });
    const end = () => {
      if (this.held === null) return;
      events.release(this.held);
      this.held = null;
    };
    this.element.addEventListener('pointerup', end);
    this.element.addEventListener('pointercancel', end);
    this.render();
  }

  setRange(minPitch: number, maxPitch: number): void {
    if (minPitch === this.minPitch && maxPitch === this.maxPitch) return;
    this.minPitch = minPitch;
    this.maxPitch = maxPitch;
    this.render();
  }

  setOctave(octave: number): void {
    this.octave = octave;
    this.labelKeys();
  }

  setActive(midiPitch: number, active: boolean): void {
    this.keys.get(midiPitch)?.classList.toggle('active', active);
  }

  setSelected(midiPitch: number | null): void {
    if (this.selected !== null) this.keys.get(this.selected)?.classList.remove('selected');
    this.selected = midiPitch;
    if (midiPitch !== null) this.keys.get(midiPitch)?.classList.add('selected');
  }

  private render(): void {
    this.keys.clear();
    // Start and end on white keys so the outline is clean.
    let low = this.minPitch;
    while (isBlackKey(low)) low--;
    let high = this.maxPitch;
    while (isBlackKey(high)) high++;
    const whites: HTMLElement[] = [];
    const blacks: HTMLElement[] = [];
    let whiteIndex = 0;
    const whiteCount = Array.from({ length: high - low + 1 }, (_, i) => low + i).filter((p) => !isBlackKey(p)).length;
    for (let pitch = low; pitch <= high; pitch++) {
      const black = isBlackKey(pitch);
      const playable = pitch >= this.minPitch && pitch <= this.maxPitch;
      const key = h('div', {
        class: `key ${black ? 'black' : 'white'}${playable ? '' : ' disabled'}`,
        'data-pitch': pitch,
        title: pitchName(pitch),
        'aria-label': pitchName(pitch),
      });
      if (black) {
        key.style.left = `${(whiteIndex / whiteCount) * 100 - 0.3 * (100 / whiteCount)}%`;
        key.style.width = `${0.6 * (100 / whiteCount)}%`;
        blacks.push(key);
      } else {
        key.style.left = `${(whiteIndex / whiteCount) * 100}%`;
        key.style.width = `${100 / whiteCount}%`;
        if (pitch % 12 === 0) key.append(h('span', { class: 'octave-name' }, pitchName(pitch)));
        whites.push(key);
        whiteIndex++;
      }
      if (playable) this.keys.set(pitch, key);
    }
    replaceChildren(this.element, ...whites, ...blacks);
    this.labelKeys();
    this.setSelected(this.selected);
  }

  private labelKeys(): void {
    for (const [pitch, key] of this.keys) {
      key.querySelector('.key-hint')?.remove();
      const code = keyCodeForPitch(pitch, this.octave);
      if (code) key.append(h('span', { class: 'key-hint' }, keyLabel(code)));
    }
  }

  private pitchAt(event: PointerEvent): number | null {
    const target = (event.target as HTMLElement).closest<HTMLElement>('.key');
    if (!target || target.classList.contains('disabled')) return null;
    return Number(target.dataset.pitch);
  }

  private pitchAtPoint(x: number, y: number): number | null {
    const target = document.elementFromPoint(x, y)?.closest<HTMLElement>('.key');
    if (!target || !this.element.contains(target) || target.classList.contains('disabled')) return null;
    return Number(target.dataset.pitch);
  }
}
