import assert from 'node:assert/strict';
import { clampPitch, isBlackKey, keyCodeForPitch, keyLabel, PIANO_KEY_CODES, pitchForKeyCode, pitchName } from '../../client/src/music/pitch.js';

describe('client pitch names and the computer-keyboard piano', () => {
  it('names pitches with MIDI 60 = C4', () => {
    assert.equal(pitchName(60), 'C4');
    assert.equal(pitchName(61), 'C#4');
    assert.equal(pitchName(21), 'A0');
    assert.equal(pitchName(108), 'C8');
    assert.equal(pitchName(0), 'C-1');
  });

  it('knows the black keys', () => {
    const blacks = Array.from({ length: 12 }, (_, i) => 60 + i).filter(isBlackKey).map(pitchName);
    assert.deepEqual(blacks, ['C#4', 'D#4', 'F#4', 'G#4', 'A#4']);
  });

  it('plays a piano layout: home row white keys, the row above black keys', () => {
    const whites = ['KeyA', 'KeyS', 'KeyD', 'KeyF', 'KeyG', 'KeyH', 'KeyJ', 'KeyK'].map((c) => pitchForKeyCode(c, 4)!);
    assert.deepEqual(whites.map(pitchName), ['C4', 'D4', 'E4', 'F4', 'G4', 'A4', 'B4', 'C5']);
    const blacks = ['KeyW', 'KeyE', 'KeyT', 'KeyY', 'KeyU'].map((c) => pitchForKeyCode(c, 4)!);
    assert.ok(blacks.every(isBlackKey));
    assert.equal(pitchForKeyCode('KeyA', 2), 36);
    assert.equal(pitchForKeyCode('KeyZ', 4), null);
    // Every key code maps to a distinct pitch, and back.
    const pitches = Object.keys(PIANO_KEY_CODES).map((c) => pitchForKeyCode(c, 3));
    assert.equal(new Set(pitches).size, pitches.length);
    for (const code of Object.keys(PIANO_KEY_CODES)) assert.equal(keyCodeForPitch(pitchForKeyCode(code, 3)!, 3), code);
    assert.equal(keyCodeForPitch(40, 3), null);
  });

  it('labels keys as printed and clamps pitches into a range', () => {
    assert.equal(keyLabel('KeyA'), 'A');
    assert.equal(keyLabel('Semicolon'), ';');
    assert.equal(clampPitch(20, 24, 84), 24);
    assert.equal(clampPitch(60.4, 24, 84), 60);
    assert.equal(clampPitch(99, 24, 84), 84);
  });
});
