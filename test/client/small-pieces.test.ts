import assert from 'node:assert/strict';
import { downloadUrlData, isSafeFilename, parseDownloadUrlData } from '../../client/src/dom/download-url.js';
import { formatDuration, formatLoss, lossSeriesNames, niceAxis, progressFraction } from '../../client/src/training/figures.js';
import { allNotesOffBytes, noteOffBytes, noteOnBytes, parseMidiMessage } from '../../client/src/midi/midi-messages.js';

describe('client small pieces', () => {
  describe('DownloadURL drag data', () => {
    it('is mime:filename:absolute-url and parses back', () => {
      const data = downloadUrlData({ filename: 'notes-default_C4-60_v100_seed7.wav', mimeType: 'audio/wav', url: '/api/files/ab12/notes-default_C4-60_v100_seed7.wav' }, 'http://127.0.0.1:8080/#notes');
      assert.equal(data, 'audio/wav:notes-default_C4-60_v100_seed7.wav:http://127.0.0.1:8080/api/files/ab12/notes-default_C4-60_v100_seed7.wav');
      assert.deepEqual(parseDownloadUrlData(data), { mimeType: 'audio/wav', filename: 'notes-default_C4-60_v100_seed7.wav', url: 'http://127.0.0.1:8080/api/files/ab12/notes-default_C4-60_v100_seed7.wav' });
      assert.equal(parseDownloadUrlData('nonsense'), null);
    });

    it('refuses what Chromium would refuse: blob/data URLs, names with colons or paths', () => {
      assert.throws(() => downloadUrlData({ filename: 'a.wav', mimeType: 'audio/wav', url: 'blob:http://x/1' }, 'http://x/'), /http\(s\) URL/);
      assert.throws(() => downloadUrlData({ filename: 'a:b.wav', mimeType: 'audio/wav', url: '/f' }, 'http://x/'), /plain file name/);
      assert.throws(() => downloadUrlData({ filename: 'a.wav', mimeType: 'audio:wav', url: '/f' }, 'http://x/'), /MIME/);
      assert.equal(isSafeFilename('../etc/passwd'), false);
      assert.equal(isSafeFilename('x..y.wav'), false);
      assert.equal(isSafeFilename('loops-default_4bars_120bpm_seed7_bass.mid'), true);
    });
  });

  describe('training figures', () => {
    it('formats durations for an ETA', () => {
      assert.equal(formatDuration(8), '8 s');
      assert.equal(formatDuration(95), '1 min 35 s');
      assert.equal(formatDuration(3725), '1 h 02 min');
      assert.equal(formatDuration(null), '—');
      assert.equal(formatDuration(Number.NaN), '—');
    });

    it('turns progress into a clamped fraction, or null without a total', () => {
      assert.equal(progressFraction({ done: 25, total: 100 }), 0.25);
      assert.equal(progressFraction({ done: 120, total: 100 }), 1);
      assert.equal(progressFraction({ done: 5, total: 0 }), null);
      assert.equal(progressFraction(null), null);
    });

    it('formats losses with 4 significant digits', () => {
      assert.equal(formatLoss(0.693147), '0.6931');
      assert.equal(formatLoss(12), '12');
      assert.equal(formatLoss(0.00001234), '1.23e-5');
      assert.equal(formatLoss(-2.5), '-2.5');
    });

    it('makes an axis of round ticks covering every value', () => {
      const values = [0.12, 0.7, 1.93, 0.4];
      const axis = niceAxis(values, 5);
      assert.ok(axis.min <= 0.12 && axis.max >= 1.93);
      const steps = axis.ticks.slice(1).map((t, i) => t - axis.ticks[i]!);
      for (const s of steps) assert.ok(Math.abs(s - steps[0]!) < 1e-9, 'evenly spaced');
      assert.ok([1, 2, 5].includes(Number((steps[0]! / 10 ** Math.floor(Math.log10(steps[0]!))).toFixed(6))), `step ${steps[0]} is 1, 2 or 5 x 10^n`);
      const flat = niceAxis([3, 3, 3]);
      assert.ok(flat.min < 3 && flat.max > 3);
    });

    it('finds the loss series in a history', () => {
      assert.deepEqual(lossSeriesNames([{ step: 1, d_loss: 1, g_loss: 2 }, { step: 2, d_loss: 1, gp: 0.1 }]), ['d_loss', 'g_loss', 'gp']);
    });
  });

  describe('MIDI messages', () => {
    it('parses note on/off (velocity 0 is an off) and real-time messages', () => {
      assert.deepEqual(parseMidiMessage([0x91, 60, 100]), { kind: 'noteOn', channel: 1, midiPitch: 60, velocity: 100 });
      assert.deepEqual(parseMidiMessage([0x90, 60, 0]), { kind: 'noteOff', channel: 0, midiPitch: 60, velocity: 0 });
      assert.deepEqual(parseMidiMessage([0x8f, 61, 40]), { kind: 'noteOff', channel: 15, midiPitch: 61, velocity: 40 });
      assert.deepEqual(parseMidiMessage([0xf8]), { kind: 'clock' });
      assert.deepEqual(parseMidiMessage([0xb0, 7, 100]), { kind: 'other' });
      assert.deepEqual(parseMidiMessage([0x90, 60]), { kind: 'other' });
    });

    it('writes note messages that parse back', () => {
      assert.deepEqual(parseMidiMessage(noteOnBytes(9, 36, 127.4)), { kind: 'noteOn', channel: 9, midiPitch: 36, velocity: 127 });
      assert.deepEqual(parseMidiMessage(noteOnBytes(0, 60, 0.2)), { kind: 'noteOn', channel: 0, midiPitch: 60, velocity: 1 });
      assert.equal(parseMidiMessage(noteOffBytes(3, 50)).kind, 'noteOff');
      assert.equal(allNotesOffBytes().length, 16);
    });
  });
});
