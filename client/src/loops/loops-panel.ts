/**
 * The loops panel: generate a multitrack loop, see it as a piano roll, mute/solo/lock tracks, play it in a loop,
 * and jam: while it plays, every change (or Regenerate) brings the server's next loop in exactly on a bar line.
 * All generation goes through the page's jam session, so locked tracks are kept across regenerations.
 */
import { TRACK_NAMES, type LoopReply, type TrackName } from '../../../server/protocol.js';
import type { StudioContext } from '../app/context.js';
import { loadAudio } from '../audio/audio-loader.js';
import { h, replaceChildren, typingInField } from '../dom/h.js';
import { fileHandle } from '../dom/file-handle.js';
import { ModelSelect } from '../dom/model-select.js';
import { JamController } from '../jam/jam-controller.js';
import { asBytes } from '../net/studio-connection.js';
import type { ClientFile } from '../net/file-shelf.js';
import { noteOffBytes, noteOnBytes, TRACK_CHANNELS } from '../midi/midi-messages.js';
import { JamLogView } from './jam-log-view.js';
import { LoopControls, type ControlName } from './loop-controls.js';
import { audibleTracks, noteCounts } from './loop-events.js';
import type { LoopPlayer } from './loop-player.js';
import { PianoRoll } from './piano-roll.js';
import { stemFilename, stemMidi } from './stems.js';
import { TrackList } from './track-list.js';

export class LoopsPanel {
  private readonly model: ModelSelect;
  private readonly controls: LoopControls;
  private readonly roll = new PianoRoll('loop-roll');
  private readonly tracks: TrackList;
  private readonly log = new JamLogView();
  private readonly status: HTMLElement;
  private readonly loopFile: HTMLElement;
  private readonly generateButton: HTMLButtonElement;
  private readonly playButton: HTMLButtonElement;
  private readonly regenerateButton: HTMLButtonElement;
  private readonly midiOut: HTMLSelectElement;
  private engine: Promise<{ player: LoopPlayer; jam: JamController }> | null = null;
  private shown: { loop: LoopReply; sequence: number } | null = null;
  private frame = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly ctx: StudioContext,
  ) {
    this.model = new ModelSelect(ctx.models, 'loops', 'loop-model');
    this.controls = new LoopControls((name) => void this.controlChanged(name));
    this.tracks = new TrackList(ctx.shelf, {
      mix: () => this.mixChanged(),
      locked: (locked) => void this.send({ locked }, 'Lock tracks'),
      voice: (track, choice) => void this.setVoice(track, choice),
    });
    this.generateButton = h('button', { class: 'primary', id: 'generate-loop', title: 'Generate a loop with these settings (G)' }, 'Generate loop');
    this.playButton = h('button', { id: 'play-loop', title: 'Play or stop (Space)', disabled: true }, 'Play');
    this.regenerateButton = h('button', { id: 'regenerate-loop', title: 'A new loop with a new seed, keeping locked tracks (R)', disabled: true }, 'Regenerate');
    this.generateButton.addEventListener('click', () => void this.generate());
    this.playButton.addEventListener('click', () => void this.togglePlay());
    this.regenerateButton.addEventListener('click', () => void this.send({ regenerate: true, locked: this.tracks.locked }, 'Regenerate'));
    this.status = h('p', { class: 'status-line', id: 'loop-status', role: 'status', 'aria-live': 'polite' }, 'Choose settings and press Generate loop (G).');
    this.loopFile = h('div', { class: 'result-file', id: 'loop-file' });
    this.midiOut = h('select', { id: 'midi-out', 'aria-label': 'Send the loop to a MIDI output', disabled: true }, h('option', { value: '' }, 'no MIDI output'));
    this.midiOut.addEventListener('change', () => ctx.midi.selectOutput(this.midiOut.value || null));
    ctx.midi.onChange(() => this.renderMidiOutputs());
    ctx.instruments.onChange((instrument) => this.tracks.setInstrumentAvailable(instrument !== null));

    replaceChildren(
      root,
      h('div', { class: 'toolbar' },
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Model'), this.model.element),
        h('div', { class: 'field actions' }, this.generateButton, this.playButton, this.regenerateButton)),
      this.controls.element,
      h('div', { class: 'result-head' }, h('h3', { id: 'loop-title' }, 'Loop'), this.loopFile),
      this.roll.element,
      this.status,
      h('div', { class: 'loops-bottom' },
        this.tracks.element,
        h('section', { class: 'jam' }, h('h3', {}, 'Jam log'), h('p', { class: 'hint' }, 'Each loop the server sends, the bar it asked for, and where it really started.'), this.log.element,
          h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'MIDI out'), this.midiOut))),
    );
    this.model.onChange(() => {
      this.generateButton.disabled = !this.model.value;
      if (this.model.value && this.controls.live.checked && this.engine) void this.send({ model: this.model.value }, 'Change model');
    });
    this.generateButton.disabled = !this.model.value;
    document.addEventListener('keydown', (event) => this.keyDown(event));
  }

  /** The player and jam session, made on the first gesture that needs sound. */
  private audio(): Promise<{ player: LoopPlayer; jam: JamController }> {
    this.engine ??= loadAudio().then((audio) => {
      const player = audio.createLoopPlayer();
      player.setMix(this.tracks.mix);
      player.setNoteTap((event, time, seconds) => {
        if (!this.ctx.midi.outputId) return;
        const at = performance.now() + (time - audio.now()) * 1000;
        const channel = TRACK_CHANNELS[event.track];
        this.ctx.midi.send(noteOnBytes(channel, event.midiPitch, event.velocity * 127), at);
        this.ctx.midi.send(noteOffBytes(channel, event.midiPitch), at + seconds * 1000);
      });
      const jam = new JamController(this.ctx.connection, player, {
        loopShown: (loop, sequence) => this.showLoop(loop, sequence),
        logChanged: (entries) => this.log.show(entries),
        failed: (err) => this.ctx.notify.error('Jam', err),
      });
      return { player, jam };
    });
    this.engine.catch(() => (this.engine = null));
    return this.engine;
  }

  private startControls(): ReturnType<LoopControls['start']> {
    const model = this.model.value;
    if (!model) throw new Error('no loop model: train one on the Training page, or add a model folder to models/');
    return this.controls.start(model, this.tracks.locked);
  }

  private async generate(): Promise<void> {
    try {
      const controls = this.startControls();
      const { jam } = await this.audio();
      this.status.textContent = 'Generating a loop…';
      this.root.dataset.busy = 'true';
      await jam.update({ ...controls, key: controls.key ?? null, scale: controls.scale ?? null, regenerate: true }, () => this.startControls());
    } catch (err) {
      delete this.root.dataset.busy;
      this.ctx.notify.error('Generate loop', err);
    }
  }

  /** Sends a patch to the running session (nothing to do before the first loop). */
  private async send(patch: Parameters<JamController['update']>[0], what: string): Promise<void> {
    if (!this.engine) return;
    try {
      const { jam } = await this.engine;
      if (!jam.active && !patch.regenerate) return;
      this.root.dataset.busy = 'true';
      await jam.update(patch, () => this.startControls());
    } catch (err) {
      delete this.root.dataset.busy;
      this.ctx.notify.error(what, err);
    }
  }

  private async controlChanged(name: ControlName): Promise<void> {
    if (!this.controls.live.checked || !this.engine) return;
    let patch;
    try {
      patch = this.controls.patch(name);
    } catch (err) {
      this.ctx.notify.error('Loop settings', err);
      return;
    }
    await this.send(patch, `Change ${name}`);
  }

  private showLoop(loop: LoopReply, sequence: number): void {
    delete this.root.dataset.busy;
    this.shown = { loop, sequence };
    const midi = asBytes(loop.midi);
    const stems = new Map<TrackName, ClientFile>();
    for (const track of TRACK_NAMES) {
      const notes = loop.roll.tracks.find((t) => t.name === track)?.notes.length ?? 0;
      const bytes = notes > 0 ? stemMidi(midi, track) : null;
      if (bytes) stems.set(track, { filename: stemFilename(loop.filename, track), mimeType: 'audio/midi', bytes });
    }
    this.tracks.showLoop(noteCounts(loop.roll), stems);
    this.roll.show(loop.roll, audibleTracks(TRACK_NAMES, this.tracks.mix));
    replaceChildren(this.loopFile, fileHandle(this.ctx.shelf, { filename: loop.filename, mimeType: loop.mimeType, bytes: midi }));
    this.root.querySelector('#loop-title')!.textContent = `${loop.model} · ${loop.bars} bars · ${loop.tempo} bpm · seed ${loop.seed}`;
    this.controls.showSeed(loop.seed);
    this.playButton.disabled = false;
    this.regenerateButton.disabled = false;
    this.root.dataset.loopSequence = String(sequence);
    void this.engine?.then(({ player }) => this.describe(player));
  }

  private mixChanged(): void {
    const mix = this.tracks.mix;
    void this.engine?.then(({ player }) => player.setMix(mix));
    if (this.shown) this.roll.show(this.shown.loop.roll, audibleTracks(TRACK_NAMES, mix));
  }

  private async setVoice(track: TrackName, choice: 'synth' | 'instrument'): Promise<void> {
    try {
      const { player } = await this.audio();
      const sampler = choice === 'instrument' ? await this.ctx.instruments.samplerFor() : null;
      player.setVoice(track, sampler ?? null);
    } catch (err) {
      this.ctx.notify.error(`Sound of ${track}`, err);
    }
  }

  private async togglePlay(): Promise<void> {
    const { player, jam } = await this.audio();
    if (player.playing) {
      jam.pause();
      cancelAnimationFrame(this.frame);
      this.roll.playhead(null);
      this.playButton.textContent = 'Play';
    } else {
      jam.play();
      this.playButton.textContent = 'Stop';
      const tick = () => {
        this.drawPlayhead(player);
        if (player.playing) this.frame = requestAnimationFrame(tick);
        else this.roll.playhead(null);
      };
      this.frame = requestAnimationFrame(tick);
    }
    this.root.dataset.playing = String(player.playing);
    this.describe(player);
  }

  private drawPlayhead(player: LoopPlayer): void {
    const bar = player.positionBars;
    const slot = player.slotAt(bar);
    if (!slot || !this.shown || slot.roll !== this.shown.loop.roll) return this.roll.playhead(null);
    this.roll.playhead((bar - slot.atBar) % slot.roll.bars);
  }

  private describe(player: LoopPlayer): void {
    if (!this.shown) return;
    const { loop } = this.shown;
    const state = player.playing ? `Playing at ${Math.round(player.tempoBpm)} bpm` : 'Stopped (Space plays)';
    this.status.textContent = `${state} · ${loop.filename} · ${loop.roll.tracks.reduce((n, t) => n + t.notes.length, 0)} notes`;
  }

  private renderMidiOutputs(): void {
    const outputs = this.ctx.midi.outputs();
    replaceChildren(this.midiOut, h('option', { value: '' }, outputs.length ? 'no MIDI output' : 'no MIDI outputs found'), ...outputs.map((o) => h('option', { value: o.id }, o.name)));
    this.midiOut.value = this.ctx.midi.outputId ?? '';
    this.midiOut.disabled = outputs.length === 0;
  }

  private keyDown(event: KeyboardEvent): void {
    if (this.root.hidden || typingInField(event) || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if ((event.target as HTMLElement | null)?.closest('button, a, select') && (event.code === 'Space' || event.code === 'Enter')) return;
    const actions: Record<string, () => void> = {
      Space: () => !this.playButton.disabled && void this.togglePlay(),
      KeyG: () => !this.generateButton.disabled && void this.generate(),
      KeyR: () => !this.regenerateButton.disabled && void this.send({ regenerate: true, locked: this.tracks.locked }, 'Regenerate'),
    };
    const action = actions[event.code];
    if (action) {
      event.preventDefault();
      action();
    }
  }
}
