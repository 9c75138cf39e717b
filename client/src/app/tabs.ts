/**
 * The page's panels as ARIA tabs: click a tab, or press 1, 2, 3 (outside text fields), or use the arrow keys on the
 * tab list. The open panel is kept in the URL hash (#notes, #loops, #training) so reloads and links keep it.
 */
import { typingInField } from '../dom/h.js';

export class Tabs {
  private readonly listeners = new Set<(id: string) => void>();

  constructor(
    private readonly tabs: HTMLButtonElement[],
    private readonly panels: HTMLElement[],
  ) {
    tabs.forEach((tab, i) => {
      tab.addEventListener('click', () => this.select(i));
      tab.addEventListener('keydown', (event) => {
        if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
          event.preventDefault();
          const next = (i + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length;
          this.select(next);
          tabs[next]!.focus();
        }
      });
    });
    document.addEventListener('keydown', (event) => {
      if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
      const n = Number(event.key);
      if (Number.isInteger(n) && n >= 1 && n <= tabs.length) {
        event.preventDefault();
        this.select(n - 1);
      }
    });
    const fromHash = panels.findIndex((p) => `#${p.id.replace(/-panel$/, '')}` === location.hash);
    this.select(fromHash >= 0 ? fromHash : 0);
  }

  get current(): string {
    return this.panels.find((p) => !p.hidden)?.id ?? '';
  }

  onChange(listener: (id: string) => void): void {
    this.listeners.add(listener);
  }

  select(index: number): void {
    this.tabs.forEach((tab, i) => {
      const selected = i === index;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      this.panels[i]!.hidden = !selected;
    });
    const id = this.panels[index]!.id;
    history.replaceState(null, '', `#${id.replace(/-panel$/, '')}`);
    for (const listener of this.listeners) listener(id);
  }
}
