/**
 * The notes panel: pick a model, a pitch (on-screen piano, computer keyboard, or a MIDI keyboard), a velocity and
 * a timbre (a seed, or a blend on the XY pad), optionally moved into one of the model's instruments (its timbre
 * classes), and hear the note as soon as the server has made it; its waveform and spectrogram are drawn, and it can
 * be dragged out or downloaded. Notes already made replay from memory.
 */
import { LIMITS } from '../../../server/protocol.js';
import type { StudioContext } from '../app/context.js';
import { capability } from '../app/model-store.js';
import { loadAudio } from '../audio/audio-loader.js';
import { field, h, replaceChildren, typingInField } from '../dom/h.js';
import { fileHandle } from '../dom/file-handle.js';
import { ModelSelect } from '../dom/model-select.js';
import { clampPitch, pitchForKeyCode, pitchName } from '../music/pitch.js';
import { InstrumentSection } from './instrument-section.js';
import { instrumentLabels, modelInstruments } from './instrument-names.js';
import { NoteBank, timbreText, type GeneratedNote, type Timbre } from './note-bank.js';
import { NoteView } from './note-view.js';
import { PianoKeyboard } from './piano-keyboard.js';
import { RecentNotes } from './recent-notes.js';
import { XyPad } from './xy-pad.js';

export class NotesPanel {
  private readonly model: ModelSelect;
  private readonly velocity: HTMLInputElement;
  private readonly velocityValue: HTMLOutputElement;
  private readonly octaveValue: HTMLOutputElement;
  private readonly seed: HTMLInputElement;
  /** The model's instruments (timbre classes); '' = the timbre's own. Hidden for models without any. */
  private readonly instrumentSelect: HTMLSelectElement;
  private readonly instrumentField: HTMLLabelElement;
  private readonly usePad: HTMLInputElement;
  private readonly pad: XyPad;
  private readonly piano: PianoKeyboard;
  private readonly view: NoteView;
  private readonly status: HTMLElement;
  private readonly resultHeader: HTMLElement;
  private readonly resultFile: HTMLElement;
  private readonly generateButton: HTMLButtonElement;
  private readonly recent: RecentNotes;
  private readonly instrument: InstrumentSection;
  private readonly bank: NoteBank;
  private octave = 4;
  private selectedPitch = 60;
  /** Only the newest request may draw, so a slow early note never overwrites a later one. */
  private drawTicket = 0;
  /** Keys held on the computer keyboard (auto-repeat must not retrigger). */
  private readonly heldCodes = new Map<string, number>();

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: StudioContext,
  ) {
    this.bank = new NoteBank(ctx.connection, (id) => capability(ctx.models.get(id), 'latentSize'));
    this.model = new ModelSelect(ctx.models, 'notes', 'note-model');
    this.velocity = h('input', { type: 'range', id: 'note-velocity', min: '1', max: '127', value: '100' });
    this.velocityValue = h('output', { for: 'note-velocity' }, '100');
    this.velocity.addEventListener('input', () => (this.velocityValue.textContent = this.velocity.value));
    this.octaveValue = h('output', { id: 'note-octave' }, String(this.octave));
    this.seed = h('input', { type: 'number', id: 'note-seed', min: '0', max: String(LIMITS.maxSeed), step: '1', value: String(randomSeed()) });
    this.instrumentSelect = h('select', { id: 'note-instrument', 'aria-label': 'Instrument', title: "Move the timbre into one of the instruments this model was trained on" });
    this.instrumentSelect.addEventListener('change', () => void this.press(this.selectedPitch, null, true));
    this.instrumentField = field('Instrument', this.instrumentSelect);
    this.usePad = h('input', { type: 'checkbox', id: 'note-use-pad' });
    this.pad = new XyPad([randomSeed(), randomSeed(), randomSeed(), randomSeed()], { change: () => this.padMoved() });
    this.usePad.addEventListener('change', () => this.pad.setEnabled(this.usePad.checked));
    this.pad.setEnabled(false);
    this.piano = new PianoKeyboard({ press: (p) => void this.press(p, null), release: (p) => this.release(p) });
    this.view = new NoteView(h('canvas', { id: 'note-waveform', class: 'waveform', 'aria-label': 'Waveform of the note' }), h('canvas', { id: 'note-spectrogram', class: 'spectrogram', 'aria-label': 'Spectrogram of the note' }));
    this.status = h('p', { class: 'status-line', id: 'note-status', role: 'status', 'aria-live': 'polite' }, 'Press a key (A–L on your keyboard), click the piano, or press Generate note.');
    this.resultHeader = h('h3', { id: 'note-title' }, 'No note yet');
    this.resultFile = h('div', { class: 'result-file', id: 'note-file' });
    this.generateButton = h('button', { class: 'primary', id: 'generate-note', title: 'Generate the selected pitch again (Enter)' }, 'Generate note');
    this.generateButton.addEventListener('click', () => void this.press(this.selectedPitch, null, true));
    const newSeed = h('button', { id: 'new-seed', title: 'A new random timbre seed (N)' }, 'New seed');
    newSeed.addEventListener('click', () => this.newSeed());
    const octaveDown = h('button', { class: 'icon', title: 'Octave down (Z)', 'aria-label': 'Octave down' }, '−');
    const octaveUp = h('button', { class: 'icon', title: 'Octave up (X)', 'aria-label': 'Octave up' }, '+');
    octaveDown.addEventListener('click', () => this.shiftOctave(-1));
    octaveUp.addEventListener('click', () => this.shiftOctave(1));
    this.recent = new RecentNotes(ctx.shelf, (note) => void this.play(note, this.drawTicket));
    this.instrument = new InstrumentSection(ctx, this.bank, () => this.instrumentRequest());

    replaceChildren(
      root,
      h('div', { class: 'toolbar' },
        field('Model', this.model.element),
        field('Velocity', h('span', { class: 'inline' }, this.velocity, this.velocityValue), 'C / V'),
        field('Octave', h('span', { class: 'inline' }, octaveDown, this.octaveValue, octaveUp), 'Z / X'),
        field('Timbre seed', h('span', { class: 'inline' }, this.seed, newSeed), 'N: new seed'),
        this.instrumentField,
        h('label', { class: 'field check' }, this.usePad, h('span', {}, 'Blend on the pad'), h('small', { class: 'hint' }, 'Q')),
        h('div', { class: 'field actions' }, this.generateButton),
      ),
      h('div', { class: 'notes-grid' },
        h('div', { class: 'pad-column' }, h('h3', {}, 'Timbre pad'), this.pad.element, h('p', { class: 'hint' }, 'Four timbres (seeds) at the corners; the puck blends them. Arrow keys move it.')),
        h('div', { class: 'note-result' },
          h('div', { class: 'result-head' }, this.resultHeader, this.resultFile),
          this.view.waveform, this.view.spectrogramCanvas, this.status),
      ),
      this.piano.element,
      h('div', { class: 'notes-bottom' }, this.instrument.element, this.recent.element),
    );

    requestAnimationFrame(() => this.view.placeholder());
    this.model.onChange(() => this.modelChanged());
    // A refreshed list can bring new capabilities for the same model (it was retrained).
    ctx.models.onChange(() => this.showInstruments());
    this.modelChanged();
    document.addEventListener('keydown', (e) => this.keyDown(e));
    document.addEventListener('keyup', (e) => this.keyUp(e));
    ctx.midi.onMessage((message) => {
      if (message.kind === 'noteOn') void this.press(message.midiPitch, message.velocity);
      else if (message.kind === 'noteOff') this.release(message.midiPitch);
    });
  }

  private get visible(): boolean {
    return !this.root.hidden;
  }

  private currentTimbre(): Timbre {
    if (this.usePad.checked) return { kind: 'pad', seeds: this.pad.seeds, point: this.pad.value };
    const seed = Math.floor(Number(this.seed.value));
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > LIMITS.maxSeed) throw new Error(`the timbre seed must be a whole number from 0 to ${LIMITS.maxSeed}`);
    return { kind: 'seed', seed };
  }

  /** The chosen instrument, or null for the timbre's own. */
  private currentInstrument(): string | null {
    return this.instrumentSelect.disabled ? null : this.instrumentSelect.value || null;
  }

  /** Fills the instrument choice with the selected model's instruments (keeping the choice if it has it too). */
  private showInstruments(): void {
    const names = modelInstruments(this.model.value ? this.ctx.models.get(this.model.value) : undefined);
    const before = this.instrumentSelect.value;
    const labels = instrumentLabels(names);
    replaceChildren(
      this.instrumentSelect,
      h('option', { value: '' }, 'From the timbre'),
      ...names.map((name, i) => h('option', { value: name, title: name }, labels[i]!)),
    );
    this.instrumentSelect.value = names.includes(before) ? before : '';
    this.instrumentSelect.disabled = names.length === 0;
    this.instrumentField.hidden = names.length === 0;
  }

  private pitchRange(): { min: number; max: number } {
    const model = this.model.value ? this.ctx.models.get(this.model.value) : undefined;
    const min = Math.max(LIMITS.minMidiPitch, capability(model, 'midiPitchMin') ?? LIMITS.minMidiPitch);
    const max = Math.min(LIMITS.maxMidiPitch, capability(model, 'midiPitchMax') ?? LIMITS.maxMidiPitch);
    return min <= max ? { min, max } : { min: LIMITS.minMidiPitch, max: LIMITS.maxMidiPitch };
  }

  private instrumentRequest(): { model: string; timbre: Timbre; instrument: string | null; minPitch: number; maxPitch: number } | null {
    if (!this.model.value) return null;
    const { min, max } = this.pitchRange();
    return { model: this.model.value, timbre: this.currentTimbre(), instrument: this.currentInstrument(), minPitch: min, maxPitch: max };
  }

  private modelChanged(): void {
    const { min, max } = this.pitchRange();
    this.piano.setRange(min, max);
    this.generateButton.disabled = !this.model.value;
    this.showInstruments();
    this.instrument.setAvailable(this.model.value !== null);
    this.selectedPitch = clampPitch(this.selectedPitch, min, max);
    this.piano.setSelected(this.selectedPitch);
  }

  /** A key went down: the built instrument plays it if chosen, else the note is generated (or replayed) and drawn. */
  private async press(midiPitch: number, midiVelocity: number | null, forceGenerate = false): Promise<void> {
    const { min, max } = this.pitchRange();
    if (midiPitch < min || midiPitch > max) {
      this.status.textContent = `${pitchName(midiPitch)} is outside this model's range (${pitchName(min)}–${pitchName(max)}).`;
      return;
    }
    this.selectedPitch = midiPitch;
    this.piano.setSelected(midiPitch);
    this.piano.setActive(midiPitch, true);
    const velocity = midiVelocity ?? Number(this.velocity.value);
    if (!forceGenerate && (await this.instrument.tryPlay(midiPitch, velocity))) return;
    const model = this.model.value;
    if (!model) {
      this.ctx.notify.error('Generate note', new Error('no note model: train one on the Training page, or add a model folder to models/'));
      return;
    }
    const ticket = ++this.drawTicket;
    let timbre: Timbre;
    try {
      timbre = this.currentTimbre();
    } catch (err) {
      this.ctx.notify.error('Generate note', err);
      return;
    }
    const instrument = this.currentInstrument();
    this.status.textContent = `Generating ${pitchName(midiPitch)} (velocity ${velocity}, ${timbreText(timbre, instrument)})…`;
    this.root.dataset.busy = 'true';
    try {
      const [note] = await Promise.all([this.bank.get({ model, midiPitch, velocity, timbre, instrument }), loadAudio()]);
      await this.play(note, ticket);
    } catch (err) {
      if (ticket === this.drawTicket) this.status.textContent = 'The last note failed (see the message below).';
      this.ctx.notify.error(`Generate note ${pitchName(midiPitch)}`, err);
    } finally {
      if (ticket === this.drawTicket) delete this.root.dataset.busy;
    }
  }

  private release(midiPitch: number): void {
    this.piano.setActive(midiPitch, false);
    this.instrument.release(midiPitch);
  }

  /** Plays a note now; draws it unless a newer request has been made since `ticket`. */
  private async play(note: GeneratedNote, ticket: number): Promise<void> {
    const audio = await loadAudio();
    audio.playOneShot(audio.bufferOf(note.wav));
    this.recent.add(note);
    if (ticket !== this.drawTicket && ticket !== 0) return;
    const size = this.view.draw({ samples: note.mono, sampleRate: note.wav.sampleRate });
    const { reply } = note;
    this.resultHeader.textContent = `${pitchName(note.key.midiPitch)} · velocity ${note.key.velocity} · ${timbreText(note.key.timbre, note.key.instrument)}`;
    replaceChildren(this.resultFile, fileHandle(this.ctx.shelf, note.file));
    this.status.textContent = `${reply.model}: ${reply.seconds.toFixed(2)} s at ${reply.sampleRate} Hz · ${
      note.fetchMs > 0 ? `made in ${Math.round(note.fetchMs)} ms` : 'replayed from memory'
    } · spectrogram ${size.frames} frames × ${size.bins} bins`;
    this.root.dataset.lastNote = note.file.filename;
  }

  private padMoved(): void {
    if (!this.usePad.checked) {
      this.usePad.checked = true;
      this.pad.setEnabled(true);
    }
    void this.press(this.selectedPitch, null, true);
  }

  private newSeed(): void {
    this.seed.value = String(randomSeed());
    if (this.usePad.checked) {
      this.usePad.checked = false;
      this.pad.setEnabled(false);
    }
    void this.press(this.selectedPitch, null, true);
  }

  private shiftOctave(by: number): void {
    this.octave = Math.min(7, Math.max(1, this.octave + by));
    this.octaveValue.textContent = String(this.octave);
    this.piano.setOctave(this.octave);
  }

  private keyDown(event: KeyboardEvent): void {
    if (!this.visible || typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const pitch = pitchForKeyCode(event.code, this.octave);
    if (pitch !== null) {
      event.preventDefault();
      if (event.repeat || this.heldCodes.has(event.code)) return;
      this.heldCodes.set(event.code, pitch);
      void this.press(pitch, null);
      return;
    }
    const actions: Record<string, () => void> = {
      KeyZ: () => this.shiftOctave(-1),
      KeyX: () => this.shiftOctave(1),
      KeyC: () => this.nudgeVelocity(-10),
      KeyV: () => this.nudgeVelocity(10),
      KeyN: () => this.newSeed(),
      KeyQ: () => {
        this.usePad.checked = !this.usePad.checked;
        this.pad.setEnabled(this.usePad.checked);
      },
      Enter: () => void this.press(this.selectedPitch, null, true),
    };
    const action = actions[event.code];
    // Enter on a focused button or link already clicks it.
    if (event.code === 'Enter' && (event.target as HTMLElement | null)?.closest('button, a, [role="button"], select')) return;
    if (action && !event.repeat) {
      event.preventDefault();
      action();
    }
  }

  private keyUp(event: KeyboardEvent): void {
    const pitch = this.heldCodes.get(event.code);
    if (pitch === undefined) return;
    this.heldCodes.delete(event.code);
    this.release(pitch);
  }

  private nudgeVelocity(by: number): void {
    this.velocity.value = String(Math.min(127, Math.max(1, Number(this.velocity.value) + by)));
    this.velocityValue.textContent = this.velocity.value;
  }
}

function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
