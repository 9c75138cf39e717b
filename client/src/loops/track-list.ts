/**
 * The loop's tracks as rows: mute, solo, lock (kept when the rest is regenerated), the sound that plays the track
 * (its synth, or the instrument built on the notes panel), and the track's stem to drag out or download.
 */
import { TRACK_NAMES, type TrackName } from '../../../server/protocol.js';
import { h, replaceChildren } from '../dom/h.js';
import { fileHandle } from '../dom/file-handle.js';
import type { ClientFile, FileShelf } from '../net/file-shelf.js';
import type { TrackMix } from './loop-events.js';
import { TRACK_COLORS } from './piano-roll.js';

export type TrackVoiceChoice = 'synth' | 'instrument';

export interface TrackListEvents {
  mix(mix: TrackMix): void;
  locked(tracks: TrackName[]): void;
  voice(track: TrackName, choice: TrackVoiceChoice): void;
}

interface Row {
  mute: HTMLButtonElement;
  solo: HTMLButtonElement;
  lock: HTMLButtonElement;
  voice: HTMLSelectElement;
  count: HTMLElement;
  stem: HTMLElement;
}

export class TrackList {
  readonly element: HTMLElement;
  private readonly rows = new Map<TrackName, Row>();
  private readonly muted = new Set<TrackName>();
  private readonly soloed = new Set<TrackName>();
  private readonly lockedTracks = new Set<TrackName>();

  constructor(
    private readonly shelf: FileShelf,
    private readonly events: TrackListEvents,
  ) {
    const body = h('tbody', {});
    for (const track of TRACK_NAMES) {
      const toggle = (label: string, title: string) => h('button', { class: 'toggle', 'aria-pressed': 'false', title, 'aria-label': `${title}: ${track}`, 'data-track': track }, label);
      const row: Row = {
        mute: toggle('M', 'Mute'),
        solo: toggle('S', 'Solo'),
        lock: toggle('Lock', 'Keep this track when regenerating'),
        voice: h('select', { 'aria-label': `Sound of the ${track} track`, 'data-track': track },
          h('option', { value: 'synth' }, track === 'drums' ? 'Drum kit' : 'Synth'),
          h('option', { value: 'instrument', disabled: true }, 'Built instrument')),
        count: h('span', { class: 'count' }, '—'),
        stem: h('span', { class: 'stem' }),
      };
      row.mute.addEventListener('click', () => this.flip(this.muted, track, row.mute, () => this.events.mix(this.mix)));
      row.solo.addEventListener('click', () => this.flip(this.soloed, track, row.solo, () => this.events.mix(this.mix)));
      row.lock.addEventListener('click', () => this.flip(this.lockedTracks, track, row.lock, () => this.events.locked(this.locked)));
      row.voice.addEventListener('change', () => this.events.voice(track, row.voice.value as TrackVoiceChoice));
      this.rows.set(track, row);
      body.append(h('tr', { 'data-track': track },
        h('th', { scope: 'row' }, h('span', { class: 'dot', style: `background:${TRACK_COLORS[track]}` }), track),
        h('td', {}, row.count), h('td', {}, row.mute, row.solo, row.lock), h('td', {}, row.voice), h('td', {}, row.stem)));
    }
    this.element = h('table', { class: 'track-list', id: 'track-list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Track'), h('th', {}, 'Notes'), h('th', {}, 'Mute · Solo · Lock'), h('th', {}, 'Sound'), h('th', {}, 'Stem'))), body);
  }

  get mix(): TrackMix {
    return { muted: new Set(this.muted), soloed: new Set(this.soloed) };
  }

  get locked(): TrackName[] {
    return TRACK_NAMES.filter((t) => this.lockedTracks.has(t));
  }

  /** Shows a loop's note counts and stems (null stems: no loop yet). */
  showLoop(counts: Map<TrackName, number> | null, stems: Map<TrackName, ClientFile> | null): void {
    for (const [track, row] of this.rows) {
      const count = counts?.get(track);
      row.count.textContent = count === undefined ? '—' : String(count);
      const stem = stems?.get(track);
      replaceChildren(row.stem, stem ? fileHandle(this.shelf, stem, { compact: true, label: `${track}.mid`, buttonText: '↓' }) : null);
    }
  }

  /** Enables the "Built instrument" choice once there is one. */
  setInstrumentAvailable(available: boolean): void {
    for (const [track, row] of this.rows) {
      const option = row.voice.querySelector<HTMLOptionElement>('option[value="instrument"]')!;
      option.disabled = !available;
      if (!available && row.voice.value === 'instrument') {
        row.voice.value = 'synth';
        this.events.voice(track, 'synth');
      }
    }
  }

  private flip(set: Set<TrackName>, track: TrackName, button: HTMLButtonElement, then: () => void): void {
    if (set.has(track)) set.delete(track);
    else set.add(track);
    button.setAttribute('aria-pressed', String(set.has(track)));
    then();
  }
}
