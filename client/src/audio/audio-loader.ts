/**
 * Loads the audio side (Tone.js and everything built on it) on first use. Tone creates its AudioContext when it is
 * imported, and browsers only let a page start audio after a click or key press: loading it from such a handler
 * keeps the page free of autoplay warnings and makes the first paint lighter.
 */
import type { AudioEngine } from './audio-engine.js';

let engine: Promise<AudioEngine> | null = null;

export function loadAudio(): Promise<AudioEngine> {
  engine ??= (async () => {
    (globalThis as { TONE_SILENCE_LOGGING?: boolean }).TONE_SILENCE_LOGGING = true;
    const module = await import('./audio-engine.js');
    const created = module.createAudioEngine();
    await created.start();
    return created;
  })();
  engine.catch(() => {
    engine = null; // let the next gesture try again
  });
  return engine;
}
