/**
 * The loop generator's controls: tempo, bars (4, 8, 16), threshold, key and scale, seed, when a new loop swaps in,
 * and whether it evolves by itself. Reads them as the jam protocol's fields and says which one changed.
 */
import { KEY_NAMES, LIMITS, SCALE_NAMES, type JamStart, type JamUpdate, type KeyName, type ScaleName } from '../../../server/protocol.js';
import { field, h } from '../dom/h.js';

export type ControlName = 'tempo' | 'bars' | 'threshold' | 'key' | 'scale' | 'seed' | 'swapAt' | 'evolve';

export class LoopControls {
  readonly element: HTMLElement;
  readonly tempo: HTMLInputElement;
  private readonly tempoValue: HTMLOutputElement;
  readonly bars: HTMLSelectElement;
  readonly threshold: HTMLInputElement;
  private readonly thresholdValue: HTMLOutputElement;
  readonly key: HTMLSelectElement;
  readonly scale: HTMLSelectElement;
  readonly seed: HTMLInputElement;
  readonly swapAt: HTMLSelectElement;
  readonly evolve: HTMLInputElement;
  readonly live: HTMLInputElement;

  constructor(private readonly changed: (name: ControlName) => void) {
    this.tempo = h('input', { type: 'range', id: 'loop-tempo', min: '60', max: '200', step: '1', value: '120' });
    this.tempoValue = h('output', { for: 'loop-tempo' }, '120 bpm');
    this.bars = h('select', { id: 'loop-bars' }, ...[4, 8, 16].map((b) => h('option', { value: String(b) }, `${b} bars`)));
    this.threshold = h('input', { type: 'range', id: 'loop-threshold', min: '0.05', max: '0.95', step: '0.05', value: '0.5' });
    this.thresholdValue = h('output', { for: 'loop-threshold' }, '0.50');
    this.key = h('select', { id: 'loop-key' }, h('option', { value: '' }, 'any key'), ...KEY_NAMES.map((k) => h('option', { value: k }, k)));
    this.scale = h('select', { id: 'loop-scale' }, h('option', { value: '' }, 'any scale'), ...SCALE_NAMES.map((s) => h('option', { value: s }, s)));
    this.seed = h('input', { type: 'number', id: 'loop-seed', min: '0', max: String(LIMITS.maxSeed), step: '1', placeholder: 'random' });
    this.swapAt = h('select', { id: 'loop-swap-at' }, h('option', { value: 'bar' }, 'at the next bar'), h('option', { value: 'loop' }, 'when the loop ends'));
    this.evolve = h('input', { type: 'checkbox', id: 'loop-evolve' });
    this.live = h('input', { type: 'checkbox', id: 'loop-live', checked: true });

    const on = (element: HTMLElement, name: ControlName, event = 'change') => element.addEventListener(event, () => this.changed(name));
    this.tempo.addEventListener('input', () => (this.tempoValue.textContent = `${this.tempo.value} bpm`));
    this.threshold.addEventListener('input', () => (this.thresholdValue.textContent = Number(this.threshold.value).toFixed(2)));
    // Key and scale go together: choosing one fills in the other so the request is always valid.
    this.key.addEventListener('change', () => {
      if (this.key.value && !this.scale.value) this.scale.value = 'major';
      if (!this.key.value) this.scale.value = '';
    });
    this.scale.addEventListener('change', () => {
      if (this.scale.value && !this.key.value) this.key.value = 'C';
      if (!this.scale.value) this.key.value = '';
    });
    on(this.tempo, 'tempo');
    on(this.bars, 'bars');
    on(this.threshold, 'threshold');
    on(this.key, 'key');
    on(this.scale, 'scale');
    on(this.seed, 'seed');
    on(this.swapAt, 'swapAt');
    on(this.evolve, 'evolve');

    this.element = h('div', { class: 'toolbar' },
      field('Tempo', h('span', { class: 'inline' }, this.tempo, this.tempoValue)),
      field('Length', this.bars),
      field('Density threshold', h('span', { class: 'inline' }, this.threshold, this.thresholdValue), 'lower: more notes'),
      field('Key', h('span', { class: 'inline' }, this.key, this.scale)),
      field('Seed', this.seed, 'empty: a new one each time'),
      field('New loops start', this.swapAt),
      h('label', { class: 'field check' }, this.evolve, h('span', {}, 'Evolve'), h('small', { class: 'hint' }, 'a variation every cycle')),
      h('label', { class: 'field check' }, this.live, h('span', {}, 'Live'), h('small', { class: 'hint' }, 'changes regenerate at once')),
    );
  }

  /** The seed typed, or undefined for a random one. */
  get seedValue(): number | undefined {
    if (this.seed.value.trim() === '') return undefined;
    const seed = Number(this.seed.value);
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > LIMITS.maxSeed) throw new Error(`the loop seed must be a whole number from 0 to ${LIMITS.maxSeed}, or empty`);
    return seed;
  }

  /** Everything, as jam:start wants it. */
  start(model: string, locked: JamStart['locked']): JamStart {
    const key = (this.key.value || undefined) as KeyName | undefined;
    const scale = (this.scale.value || undefined) as ScaleName | undefined;
    return {
      model,
      tempo: Number(this.tempo.value),
      bars: Number(this.bars.value),
      threshold: Number(this.threshold.value),
      seed: this.seedValue,
      ...(key && scale ? { key, scale } : {}),
      locked,
      swapAt: this.swapAt.value as 'bar' | 'loop',
      evolve: this.evolve.checked,
    };
  }

  /** One control's change, as a jam:update patch. */
  patch(name: ControlName): JamUpdate {
    switch (name) {
      case 'tempo':
        return { tempo: Number(this.tempo.value) };
      case 'bars':
        return { bars: Number(this.bars.value) };
      case 'threshold':
        return { threshold: Number(this.threshold.value) };
      case 'key':
      case 'scale':
        return { key: (this.key.value || null) as KeyName | null, scale: (this.scale.value || null) as ScaleName | null };
      case 'seed': {
        const seed = this.seedValue;
        return seed === undefined ? { regenerate: true } : { seed };
      }
      case 'swapAt':
        return { swapAt: this.swapAt.value as 'bar' | 'loop' };
      case 'evolve':
        return { evolve: this.evolve.checked };
    }
  }

  /** Shows the seed of the loop playing, so it can be kept or shared. */
  showSeed(seed: number): void {
    this.seed.placeholder = `random (${seed})`;
    this.seed.title = `Empty: a new seed each time. The loop playing has seed ${seed}.`;
  }
}
