/** What every panel gets: the connection, the file shelf, messages, the model list, the built instrument, MIDI. */
import type { StudioConnection } from '../net/studio-connection.js';
import type { FileShelf } from '../net/file-shelf.js';
import type { Notifier } from './notifier.js';
import type { ModelStore } from './model-store.js';
import type { InstrumentStore } from './instrument-store.js';
import type { WebMidi } from '../midi/web-midi.js';
import type { Tabs } from './tabs.js';

export interface StudioContext {
  connection: StudioConnection;
  shelf: FileShelf;
  notify: Notifier;
  models: ModelStore;
  instruments: InstrumentStore;
  midi: WebMidi;
  tabs: Tabs;
}
