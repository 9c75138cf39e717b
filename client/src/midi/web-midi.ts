/**
 * Web MIDI: notes from any connected keyboard (every input at once), and one output port the loop player can
 * send its notes to (to play the loop inside a DAW). Access is asked for only when the user turns MIDI on.
 */
import { allNotesOffBytes, parseMidiMessage, type MidiMessage } from './midi-messages.js';

export type MidiState = 'off' | 'unsupported' | 'denied' | 'on';

export interface MidiPort {
  id: string;
  name: string;
}

export class WebMidi {
  private access: MIDIAccess | null = null;
  private current: MidiState = typeof navigator !== 'undefined' && 'requestMIDIAccess' in navigator ? 'off' : 'unsupported';
  private problem = '';
  private output: MIDIOutput | null = null;
  private readonly noteListeners = new Set<(message: MidiMessage) => void>();
  private readonly changeListeners = new Set<() => void>();

  get state(): MidiState {
    return this.current;
  }

  get reason(): string {
    return this.problem;
  }

  async enable(): Promise<void> {
    if (this.current === 'unsupported' || this.access) return;
    try {
      this.access = await navigator.requestMIDIAccess({ sysex: false });
    } catch (err) {
      this.current = 'denied';
      this.problem = err instanceof Error ? err.message : String(err);
      this.changed();
      return;
    }
    this.current = 'on';
    this.access.onstatechange = () => {
      this.listenToInputs();
      this.changed();
    };
    this.listenToInputs();
    this.changed();
  }

  inputs(): MidiPort[] {
    return this.access ? [...this.access.inputs.values()].map((p) => ({ id: p.id, name: p.name ?? p.id })) : [];
  }

  outputs(): MidiPort[] {
    return this.access ? [...this.access.outputs.values()].map((p) => ({ id: p.id, name: p.name ?? p.id })) : [];
  }

  get outputId(): string | null {
    return this.output?.id ?? null;
  }

  selectOutput(id: string | null): void {
    this.output?.send(allNotesOffBytes().flat());
    this.output = id && this.access ? (this.access.outputs.get(id) ?? null) : null;
    this.changed();
  }

  /** Sends bytes to the selected output at `performanceTime` (ms, performance.now() clock), if any is selected. */
  send(bytes: number[], performanceTime?: number): void {
    this.output?.send(bytes, performanceTime);
  }

  onMessage(listener: (message: MidiMessage) => void): () => void {
    this.noteListeners.add(listener);
    return () => this.noteListeners.delete(listener);
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private listenToInputs(): void {
    for (const input of this.access?.inputs.values() ?? []) {
      input.onmidimessage = (event) => {
        if (!event.data) return;
        const message = parseMidiMessage(event.data);
        if (message.kind !== 'other') for (const listener of this.noteListeners) listener(message);
      };
    }
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}
