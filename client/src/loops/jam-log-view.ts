/**
 * The jam log: for each loop the server sent, the bar it asked for, the bar it started on, whether it came late,
 * and (once it plays) the audio time its bar line was reached against the time expected, so a glitch would show.
 * Each row carries its numbers as data attributes too.
 */
import { h, replaceChildren } from '../dom/h.js';
import type { JamLogEntry } from '../jam/jam-controller.js';

export class JamLogView {
  readonly element: HTMLElement;
  private readonly body: HTMLTableSectionElement;

  constructor() {
    this.body = h('tbody', {});
    this.element = h('table', { class: 'jam-log', id: 'jam-log' },
      h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'Seed'), h('th', {}, 'Arrived at bar'), h('th', {}, 'Asked for bar'), h('th', {}, 'Starts at bar'), h('th', {}, 'Started'))),
      this.body);
  }

  show(entries: readonly JamLogEntry[]): void {
    replaceChildren(this.body, ...entries.map((e) => this.row(e)));
  }

  private row(e: JamLogEntry): HTMLTableRowElement {
    const swap = e.decision.kind === 'swap' ? e.decision : null;
    const started = e.startedAt !== null ? timing(e) : e.cancelled ? 'replaced by a newer loop before its bar' : swap ? 'pending' : 'dropped (a newer loop had arrived)';
    const row = h('tr', { 'data-sequence': e.sequence, 'data-for-bar': e.forBar, 'data-arrived-bar': e.arrivedAtBar.toFixed(4) },
      h('td', {}, String(e.sequence)),
      h('td', {}, String(e.seed)),
      h('td', {}, e.arrivedAtBar.toFixed(2)),
      h('td', {}, String(e.forBar)),
      h('td', {}, swap ? `${swap.atBar}${swap.late ? ' (late: next safe bar)' : ''}` : '—'),
      h('td', {}, started));
    if (swap) row.dataset.atBar = String(swap.atBar);
    if (swap?.late) row.dataset.late = 'true';
    if (e.cancelled) row.dataset.cancelled = 'true';
    if (e.expectedAt !== null) row.dataset.expectedAt = e.expectedAt.toFixed(6);
    if (e.startedAt !== null) row.dataset.startedAt = e.startedAt.toFixed(6);
    if (e.firstNoteAt !== null) row.dataset.firstNoteAt = e.firstNoteAt.toFixed(6);
    return row;
  }
}

function timing(e: JamLogEntry): string {
  const at = `${e.startedAt!.toFixed(3)} s`;
  if (e.expectedAt === null) return at;
  const offMs = (e.startedAt! - e.expectedAt) * 1000;
  return `${at} (${Math.abs(offMs) < 0.5 ? 'on the bar line' : `${offMs.toFixed(1)} ms off`})`;
}
