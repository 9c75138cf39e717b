/**
 * The Studio web client: connects to the server it was served from, and builds the three panels (notes, loops,
 * training) over one shared context.
 */
import { InstrumentStore } from './app/instrument-store.js';
import { ModelStore } from './app/model-store.js';
import { Notifier } from './app/notifier.js';
import { StatusBar } from './app/status-bar.js';
import { Tabs } from './app/tabs.js';
import { takeToken } from './app/token.js';
import type { StudioContext } from './app/context.js';
import { byId } from './dom/h.js';
import { LoopsPanel } from './loops/loops-panel.js';
import { WebMidi } from './midi/web-midi.js';
import { FileShelf } from './net/file-shelf.js';
import { StudioConnection } from './net/studio-connection.js';
import { NotesPanel } from './notes/notes-panel.js';
import { TrainingPanel } from './training/training-panel.js';

function boot(): void {
  const connection = new StudioConnection({ token: takeToken() });
  const notify = new Notifier(byId('messages'));
  const panels = [byId('notes-panel'), byId('loops-panel'), byId('training-panel')];
  const tabs = new Tabs([...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')], panels);
  const ctx: StudioContext = {
    connection,
    shelf: new FileShelf(connection),
    notify,
    models: new ModelStore(connection),
    instruments: new InstrumentStore(),
    midi: new WebMidi(),
    tabs,
  };
  const status = new StatusBar(byId('status'), connection);
  ctx.models.onChange(() => status.refresh());
  new NotesPanel(panels[0]!, ctx);
  new LoopsPanel(panels[1]!, ctx);
  new TrainingPanel(panels[2]!, ctx);
  midiButton(ctx);
  helpDialog();
  document.body.dataset.ready = 'true';
}

/** Web MIDI is asked for only when the user wants it (the browser shows a permission prompt). */
function midiButton(ctx: StudioContext): void {
  const button = byId<HTMLButtonElement>('midi-toggle');
  const render = () => {
    const { midi } = ctx;
    const inputs = midi.inputs();
    button.dataset.state = midi.state;
    button.textContent = {
      off: 'MIDI: off',
      unsupported: 'MIDI: not supported',
      denied: 'MIDI: blocked',
      on: `MIDI: ${inputs.length} input${inputs.length === 1 ? '' : 's'}`,
    }[midi.state];
    button.title = midi.state === 'on' ? inputs.map((i) => i.name).join(', ') || 'No MIDI keyboard connected' : midi.state === 'denied' ? midi.reason : 'Play notes and the built instrument from a MIDI keyboard';
    button.disabled = midi.state === 'unsupported';
  };
  button.addEventListener('click', () => void ctx.midi.enable());
  ctx.midi.onChange(render);
  render();
}

function helpDialog(): void {
  const dialog = byId<HTMLDialogElement>('help');
  byId('help-button').addEventListener('click', () => dialog.showModal());
  dialog.querySelector('button')?.addEventListener('click', () => dialog.close());
  document.addEventListener('keydown', (event) => {
    if (event.key === '?' && !(event.target instanceof HTMLInputElement) && !dialog.open) dialog.showModal();
  });
}

boot();
