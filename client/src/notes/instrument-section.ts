/**
 * "Build instrument" on the notes panel: renders the current timbre (in the chosen instrument) across the model's range, then offers it as a
 * sampler (the keyboard, a MIDI keyboard and the loop player can play it) and as an SFZ zip to drag into a DAW.
 */
import type { Sampler } from 'tone';
import type { StudioContext } from '../app/context.js';
import { loadAudio } from '../audio/audio-loader.js';
import { h, replaceChildren } from '../dom/h.js';
import { fileHandle } from '../dom/file-handle.js';
import { pitchName } from '../music/pitch.js';
import { buildInstrument } from './instrument-builder.js';
import { timbreText, type NoteBank, type Timbre } from './note-bank.js';

export type InstrumentRequest = { model: string; timbre: Timbre; instrument: string | null; minPitch: number; maxPitch: number };

export class InstrumentSection {
  readonly element: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly file: HTMLElement;
  private readonly useSampler: HTMLInputElement;
  private building = false;
  private readonly sounding = new Set<number>();

  constructor(
    private readonly ctx: StudioContext,
    private readonly bank: NoteBank,
    private readonly request: () => InstrumentRequest | null,
  ) {
    this.button = h('button', { id: 'build-instrument', class: 'primary', title: 'Render the current timbre at every pitch of the model' }, 'Build instrument');
    this.button.addEventListener('click', () => void this.build());
    this.status = h('p', { class: 'status-line', id: 'instrument-status', role: 'status' }, 'No instrument built yet.');
    this.file = h('div', { class: 'result-file', id: 'instrument-file' });
    this.useSampler = h('input', { type: 'checkbox', id: 'play-sampler', disabled: true });
    this.element = h('section', { class: 'instrument', 'aria-label': 'Instrument' },
      h('h3', {}, 'Instrument'),
      h('div', { class: 'inline' }, this.button, h('label', { class: 'check' }, this.useSampler, h('span', {}, 'Play keys with the built instrument'))),
      this.status, this.file);
  }

  /** Whether there is a model to build with. */
  setAvailable(available: boolean): void {
    if (!this.building) this.button.disabled = !available;
  }

  /** Plays through the sampler when one is built and chosen; false when the note should be generated instead. */
  async tryPlay(midiPitch: number, velocity: number): Promise<boolean> {
    if (!this.useSampler.checked) return false;
    const sampler = this.ctx.instruments.samplerFor();
    if (!sampler) return false;
    const ready: Sampler = await sampler;
    const audio = await loadAudio();
    ready.triggerAttack(audio.tone.Frequency(midiPitch, 'midi').toFrequency(), audio.now(), velocity / 127);
    this.sounding.add(midiPitch);
    return true;
  }

  release(midiPitch: number): void {
    if (!this.sounding.delete(midiPitch)) return;
    void this.ctx.instruments.samplerFor()?.then(async (sampler) => {
      const audio = await loadAudio();
      sampler.triggerRelease(audio.tone.Frequency(midiPitch, 'midi').toFrequency(), audio.now());
    });
  }

  private async build(): Promise<void> {
    if (this.building) return;
    let request: InstrumentRequest | null;
    try {
      request = this.request();
    } catch (err) {
      this.ctx.notify.error('Build instrument', err);
      return;
    }
    if (!request) {
      this.ctx.notify.error('Build instrument', new Error('no note model to build with'));
      return;
    }
    this.building = true;
    this.button.disabled = true;
    const what = `${timbreText(request.timbre, request.instrument)}, ${pitchName(request.minPitch)}–${pitchName(request.maxPitch)}`;
    this.status.textContent = `Building an instrument from ${request.model} (${what})…`;
    const started = performance.now();
    try {
      const built = await buildInstrument(this.ctx.connection, this.bank, {
        ...request,
        onProgress: (done, total) => {
          this.status.textContent = done < total ? `Rendering ${done} of ${total} notes (${what})…` : `Loading ${total} samples…`;
        },
      });
      this.ctx.instruments.set(built);
      await this.ctx.instruments.samplerFor();
      this.useSampler.disabled = false;
      this.useSampler.checked = true;
      this.status.textContent = `Ready: ${built.samples.length} samples (${what}) in ${((performance.now() - started) / 1000).toFixed(1)} s. Play it from the keyboard or a MIDI keyboard; the loop player can use it too.`;
      replaceChildren(this.file, fileHandle(this.ctx.shelf, built.file));
      this.element.dataset.ready = 'true';
      this.ctx.notify.success(`Instrument ${built.name} is ready.`);
    } catch (err) {
      this.status.textContent = 'Building the instrument failed (see the message below).';
      this.ctx.notify.error('Build instrument', err);
    } finally {
      this.building = false;
      this.button.disabled = this.request() === null;
    }
  }
}
