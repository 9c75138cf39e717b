/** The last notes made, newest first: each can be heard again, and dragged or downloaded as its WAV. */
import { h } from '../dom/h.js';
import { fileHandle } from '../dom/file-handle.js';
import type { FileShelf } from '../net/file-shelf.js';
import { pitchName } from '../music/pitch.js';
import { timbreText, type GeneratedNote } from './note-bank.js';

const MAX_RECENT = 8;

export class RecentNotes {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private readonly shown = new Set<string>();

  constructor(
    private readonly shelf: FileShelf,
    private readonly replay: (note: GeneratedNote) => void,
  ) {
    this.list = h('ol', { class: 'recent-list', id: 'recent-notes' });
    this.element = h('section', { class: 'recent', 'aria-label': 'Recent notes' }, h('h3', {}, 'Recent notes'), this.list);
  }

  add(note: GeneratedNote): void {
    const name = note.file.filename;
    if (this.shown.has(name)) {
      // Already listed: move it to the top.
      const existing = this.list.querySelector(`[data-filename="${CSS.escape(name)}"]`)?.closest('li');
      if (existing) this.list.prepend(existing);
      return;
    }
    this.shown.add(name);
    const play = h('button', { class: 'icon', title: 'Play again', 'aria-label': `Play ${pitchName(note.key.midiPitch)} again` }, '▶');
    play.addEventListener('click', () => this.replay(note));
    const label = `${pitchName(note.key.midiPitch)} · v${note.key.velocity} · ${timbreText(note.key.timbre, note.key.instrument)}`;
    this.list.prepend(h('li', {}, play, h('span', { class: 'recent-label' }, label), fileHandle(this.shelf, note.file, { compact: true })));
    while (this.list.children.length > MAX_RECENT) {
      const last = this.list.lastElementChild!;
      this.shown.delete(last.querySelector<HTMLElement>('.file-handle')?.dataset.filename ?? '');
      last.remove();
    }
  }
}
