import assert from 'node:assert/strict';
import { centsBetween, estimateF0, hzToMidi, midiToHz } from '../../server/audio/f0.js';
import { TUNED_PROGRAMS, renderTestNote, sine } from './rendered-notes.js';

const RATE = 16000;

/** A band-limited tone with the given harmonic amplitudes (index 0 = fundamental). */
function harmonicTone(hz: number, amplitudes: number[], samples: number): Float32Array {
  const out = new Float32Array(samples);
  amplitudes.forEach((a, h) => {
    const f = hz * (h + 1);
    if (a === 0 || f >= RATE / 2) return;
    for (let i = 0; i < samples; i++) out[i]! += a * Math.sin((2 * Math.PI * f * i) / RATE + h);
  });
  return out;
}

/** A deterministic pseudo-random generator (mulberry32), so noise tests are repeatable. */
function noise(samples: number, seed: number, amplitude = 0.3): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = amplitude * (((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5) * 2;
  }
  return out;
}

describe('audio/f0', () => {
  it('pitch helpers: A4 = 440 Hz = MIDI 69; an octave is 1200 cents', () => {
    assert.equal(midiToHz(69), 440);
    assert.ok(Math.abs(hzToMidi(261.6256) - 60) < 1e-4);
    assert.ok(Math.abs(centsBetween(880, 440) - 1200) < 1e-9);
    assert.ok(Math.abs(centsBetween(440, 466.1638) + 100) < 1e-3);
  });

  it('finds pure sines from 30 Hz to 2 kHz within 2 cents', () => {
    for (const hz of [30, 32.7, 55, 98, 220, 440.5, 1046.5, 2000]) {
      const est = estimateF0(sine(hz, RATE, RATE), RATE);
      assert.ok(est, `${hz} Hz`);
      assert.ok(Math.abs(centsBetween(est.hz, hz)) < 2, `${hz} Hz -> ${est.hz}`);
      assert.ok(est.confidence > 0.9, `${hz} Hz confidence ${est.confidence}`);
    }
  });

  it('finds harmonic tones: sawtooth-like, odd-only (square-like), and a missing fundamental', () => {
    const cases: [string, number, number[]][] = [
      ['sawtooth', 65.41, Array.from({ length: 40 }, (_, h) => 0.5 / (h + 1))],
      ['square', 196, Array.from({ length: 20 }, (_, h) => (h % 2 === 0 ? 0.5 / (h + 1) : 0))],
      ['missing fundamental', 150, [0, 0.4, 0.3, 0.2, 0.1]],
      ['strong 2nd harmonic', 110, [0.1, 0.6, 0.1, 0.05]],
    ];
    for (const [name, hz, amps] of cases) {
      const est = estimateF0(harmonicTone(hz, amps, RATE), RATE);
      assert.ok(est, name);
      assert.ok(Math.abs(centsBetween(est.hz, hz)) < 5, `${name}: ${hz} Hz -> ${est.hz.toFixed(2)} Hz`);
    }
  });

  it('reports MIDI pitch and cents from the nearest semitone', () => {
    const hz = midiToHz(57) * 2 ** (20 / 1200); // A3 + 20 cents
    const est = estimateF0(sine(hz, RATE, RATE / 2), RATE)!;
    assert.ok(Math.abs(est.midi - 57.2) < 0.02);
    assert.ok(Math.abs(est.cents - 20) < 2);
  });

  it('does not depend on the level: a quiet note is judged like a loud one', () => {
    const loud = harmonicTone(123.47, [0.5, 0.3, 0.2], RATE);
    const quiet = loud.map((v) => v * 1e-4);
    const a = estimateF0(loud, RATE)!;
    const b = estimateF0(quiet, RATE)!;
    assert.ok(Math.abs(centsBetween(a.hz, b.hz)) < 0.01);
    assert.ok(Math.abs(a.confidence - b.confidence) < 1e-3);
  });

  it('says null for silence and gives noise a low confidence', () => {
    assert.equal(estimateF0(new Float32Array(RATE), RATE), null);
    const est = estimateF0(noise(RATE, 7), RATE);
    assert.ok(!est || est.confidence < 0.3, `noise confidence ${est?.confidence}`);
  });

  it('copes with clips shorter than the lowest period window', () => {
    const est = estimateF0(sine(440, RATE, 900), RATE);
    assert.ok(est && Math.abs(centsBetween(est.hz, 440)) < 5);
    assert.equal(estimateF0(sine(440, RATE, 40), RATE), null);
  });

  it('puts >= 98% of rendered notes of the tuned GM programs within +-50 cents over MIDI 24-84', async function () {
    this.timeout(120_000);
    // Every third pitch, staggered by program so that together the programs cover all 61 keys (407 notes).
    let within = 0;
    let total = 0;
    const misses: string[] = [];
    for (const [i, program] of TUNED_PROGRAMS.entries()) {
      for (let pitch = 24 + (i % 3); pitch <= 84; pitch += 3) {
        const est = estimateF0(await renderTestNote(program, pitch), RATE);
        total++;
        const cents = est ? centsBetween(est.hz, midiToHz(pitch)) : Number.NaN;
        if (Math.abs(cents) <= 50) within++;
        else misses.push(`${program}/${pitch}:${est ? Math.round(cents) : 'none'}`);
      }
    }
    const share = within / total;
    assert.ok(share >= 0.98, `${within}/${total} = ${(100 * share).toFixed(2)}% within 50 cents; misses ${misses.join(' ')}`);
  });
});
