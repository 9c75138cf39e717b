/**
 * A model picker for one kind (notes or loops) that follows the server's list: keeps the choice across refreshes,
 * prefers `<kind>-default`, and says plainly when there is no model of that kind yet.
 */
import { h, replaceChildren } from './h.js';
import type { ModelKind, ModelStore } from '../app/model-store.js';

export class ModelSelect {
  readonly element: HTMLSelectElement;
  private readonly listeners = new Set<(id: string | null) => void>();

  constructor(
    private readonly models: ModelStore,
    private readonly kind: ModelKind,
    id: string,
  ) {
    this.element = h('select', { id, 'aria-label': `${kind === 'notes' ? 'Note' : 'Loop'} model` });
    this.element.addEventListener('change', () => this.emit());
    models.onChange(() => this.render());
    this.render();
  }

  get value(): string | null {
    return this.element.value || null;
  }

  onChange(listener: (id: string | null) => void): void {
    this.listeners.add(listener);
  }

  private render(): void {
    const before = this.element.value;
    const list = this.models.of(this.kind);
    if (list.length === 0) {
      const noun = this.kind === 'notes' ? 'note' : 'loop';
      const text = this.models.ready ? `no ${noun} models yet: train one on the Training page` : 'loading models…';
      replaceChildren(this.element, h('option', { value: '' }, text));
      this.element.disabled = true;
    } else {
      replaceChildren(this.element, ...list.map((m) => h('option', { value: m.id }, `${m.id} (${m.preset}, ${m.step} steps)`)));
      this.element.disabled = false;
      const keep = list.find((m) => m.id === before) ?? list.find((m) => m.id === `${this.kind}-default`) ?? list[0]!;
      this.element.value = keep.id;
    }
    if (this.element.value !== before) this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.value);
  }
}
