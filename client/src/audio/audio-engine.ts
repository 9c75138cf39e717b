/**
 * The page's sound: one Tone.js context, a master gain into a limiter (so stacked notes never clip), one-shot
 * playback of generated notes, and factories for the loop player and samplers. Loaded lazily (audio-loader.ts).
 */
import * as Tone from 'tone';
import type { DecodedWav } from './wav-decode.js';
import { TrackVoices } from '../loops/track-voices.js';
import { buildSampler, type SamplerSample } from './sampler.js';
import type { LoopRollJson } from '../../../server/protocol.js';
import { limitPolyphony, loopEvents } from '../loops/loop-events.js';
import { LoopPlayer, MAX_VOICES_PER_TRACK, releaseTicks } from '../loops/loop-player.js';

export class AudioEngine {
  readonly tone = Tone;
  readonly output: Tone.Gain;
  private readonly limiter: Tone.Limiter;

  constructor() {
    this.limiter = new Tone.Limiter(-1).toDestination();
    this.output = new Tone.Gain(0.8).connect(this.limiter);
  }

  async start(): Promise<void> {
    await Tone.start();
  }

  get running(): boolean {
    return Tone.getContext().state === 'running';
  }

  /** A Web Audio buffer holding `wav` at its own sample rate (the context resamples on playback). */
  bufferOf(wav: DecodedWav): Tone.ToneAudioBuffer {
    const raw = Tone.getContext().createBuffer(wav.channels.length, Math.max(1, wav.frames), wav.sampleRate);
    wav.channels.forEach((channel, c) => raw.copyToChannel(channel as Float32Array<ArrayBuffer>, c));
    return new Tone.ToneAudioBuffer(raw);
  }

  /** Plays a buffer once, now; returns a function that stops it early. */
  playOneShot(buffer: Tone.ToneAudioBuffer, gain = 1): () => void {
    const level = new Tone.Gain(gain).connect(this.output);
    const player = new Tone.Player(buffer).connect(level);
    player.onstop = () => {
      // Disposing inside onstop would cut the release; let the current render quantum finish first.
      setTimeout(() => {
        player.dispose();
        level.dispose();
      }, 50);
    };
    player.start();
    return () => {
      if (player.state === 'started') player.stop();
    };
  }

  createLoopPlayer(): LoopPlayer {
    return new LoopPlayer(new TrackVoices(this.output));
  }

  /**
   * Plays a roll once from now on its own voices, off the transport (so it never disturbs a loop playing there):
   * a training preview. Returns a function that stops it.
   */
  playRollOnce(roll: LoopRollJson): () => void {
    const ppq = 480;
    const secondsPerTick = 60 / (roll.tempoBpm * ppq);
    const voices = new TrackVoices(this.output);
    const start = Tone.now() + 0.1;
    for (const event of limitPolyphony(loopEvents(roll, ppq), MAX_VOICES_PER_TRACK, releaseTicks(roll.tempoBpm, ppq))) {
      voices.trigger(event.track, event.midiPitch, event.durationTicks * secondsPerTick, start + event.startTick * secondsPerTick, event.velocity);
    }
    const seconds = roll.bars * roll.beatsPerBar * ppq * secondsPerTick;
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      voices.dispose();
    };
    setTimeout(stop, (seconds + 2) * 1000);
    return stop;
  }

  createSampler(samples: SamplerSample[]): Promise<Tone.Sampler> {
    return buildSampler(samples, (wav) => this.bufferOf(wav), this.output);
  }

  /** Seconds of audio-context time now. */
  now(): number {
    return Tone.now();
  }
}

export function createAudioEngine(): AudioEngine {
  return new AudioEngine();
}
