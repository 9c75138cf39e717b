// Renders single notes from a SoundFont with spessasynth_core, offline and deterministically: every note gets a
// fresh synthesizer (effects off), so a note's samples never depend on what was rendered before it.
import { SpessaLog, SpessaSynthProcessor, type BasicSoundBank } from 'spessasynth_core';
import { StudioError } from '../../util/errors.js';

export interface NoteRenderOptions {
  program: number;
  /** MIDI pitch 0..127. */
  pitch: number;
  /** MIDI velocity 1..127. */
  velocity: number;
  /** Total length rendered (hold + release). */
  seconds: number;
  /** Time the key is held; the release fills the rest. */
  holdSeconds: number;
  sampleRate: number;
  /** Linear gain applied to the mono mix (the fonts render quietly: peaks 0.03-0.16 at velocity 100). */
  gain?: number;
}

// spessasynth updates envelopes, LFOs and filters once per process() call and is tuned for Web Audio's 128-sample
// quantum: 4096-sample blocks put audible clicks (a Nyquist-rate burst) at each block start, and one long call
// skips the attack envelope. Render in 128-sample blocks, as a browser would.
const BLOCK = 128;
let logsSilenced = false;

/** Renders notes from one sound bank. */
export class NoteRenderer {
  constructor(private readonly bank: BasicSoundBank) {
    if (!logsSilenced) {
      // spessasynth narrates to the console by default; a dataset build prints its own progress.
      SpessaLog.infoEnabled = false;
      SpessaLog.warnEnabled = false;
      logsSilenced = true;
    }
  }

  /** Mono (L/R average) samples, round(seconds * sampleRate) long. */
  async render(options: NoteRenderOptions): Promise<Float32Array> {
    const { program, pitch, velocity, seconds, holdSeconds, sampleRate } = options;
    const gain = options.gain ?? 1;
    if (!Number.isInteger(program) || program < 0 || program > 127) throw new StudioError('BAD_INPUT', `program ${program} is not in 0..127`);
    if (!Number.isInteger(pitch) || pitch < 0 || pitch > 127) throw new StudioError('BAD_INPUT', `pitch ${pitch} is not in 0..127`);
    if (!Number.isInteger(velocity) || velocity < 1 || velocity > 127) throw new StudioError('BAD_INPUT', `velocity ${velocity} is not in 1..127`);
    if (!(seconds > 0) || !(holdSeconds >= 0) || holdSeconds > seconds) {
      throw new StudioError('BAD_INPUT', `note length ${seconds} s with hold ${holdSeconds} s is not valid (0 <= hold <= length)`);
    }
    const total = Math.round(seconds * sampleRate);
    const hold = Math.min(total, Math.round(holdSeconds * sampleRate));
    const synth = new SpessaSynthProcessor(sampleRate, { effectsEnabled: false, eventsEnabled: false, maxBufferSize: BLOCK });
    synth.soundBankManager.addSoundBank(this.bank, 'main');
    await synth.processorInitialized;
    synth.programChange(0, program);
    synth.noteOn(0, pitch, velocity);
    const left = new Float32Array(total);
    const right = new Float32Array(total);
    const renderSpan = (from: number, to: number): void => {
      for (let at = from; at < to; at += BLOCK) synth.process(left, right, at, Math.min(BLOCK, to - at));
    };
    renderSpan(0, hold);
    synth.noteOff(0, pitch);
    renderSpan(hold, total);
    const mono = new Float32Array(total);
    const scale = 0.5 * gain;
    for (let i = 0; i < total; i++) mono[i] = (left[i]! + right[i]!) * scale;
    return mono;
  }
}
