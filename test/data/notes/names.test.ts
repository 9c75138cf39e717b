import assert from 'node:assert/strict';
import { hintsFromFileName, safeToken } from '../../../server/data/notes/names.js';

describe('data/notes/names', () => {
  it('reads pitch and velocity from common sample names (C4 = MIDI 60)', () => {
    const cases: [string, { pitch?: number; velocity?: number }][] = [
      ['C4.wav', { pitch: 60 }],
      ['Piano_C#4_v100.wav', { pitch: 61, velocity: 100 }],
      ['Piano Db4 vel64.WAV', { pitch: 61, velocity: 64 }],
      ['bass_e1.wav', { pitch: 28 }],
      ['Bb3.wav', { pitch: 58 }],
      ['strings-Fs5.wav', { pitch: 78 }],
      ['A-1.wav', { pitch: 9 }],
      ['note_60.wav', { pitch: 60 }],
      ['sample midi72 v20.wav', { pitch: 72, velocity: 20 }],
      ['keyboard_acoustic_004-060-100.wav', { pitch: 60, velocity: 100 }],
      ['take1.wav', {}],
      ['recording 2024.wav', {}],
      ['sample.wav', {}],
    ];
    for (const [name, expected] of cases) assert.deepEqual(hintsFromFileName(name), expected, name);
  });

  it('makes file-name-safe tokens', () => {
    assert.equal(safeToken('Grand Piano (Steinway)', 'x'), 'grand_piano_steinway');
    assert.equal(safeToken('Cello é/../', 'x'), 'cello_e');
    assert.equal(safeToken('***', 'fallback'), 'fallback');
  });
});
