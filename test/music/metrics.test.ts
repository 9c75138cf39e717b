import { strict as assert } from 'node:assert';
import { evaluateLoops, tonalDistance, LoopMetricsAccumulator } from '../../server/music/metrics.js';
import { formatLoopMetrics } from '../../server/music/metrics-format.js';
import { addNote, emptyRoll } from '../../server/music/roll.js';

const close = (actual: number | null, expected: number, what: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} vs ${expected}`);
};

// Tonal centroids (Harte et al. 2006, r1 = r2 = 1, r3 = 0.5) worked out by hand:
//   pitch class l -> [sin(l 7pi/6), cos(l 7pi/6), sin(l 3pi/2), cos(l 3pi/2), .5 sin(l 2pi/3), .5 cos(l 2pi/3)]
const S3 = Math.sqrt(3);
const PHI_C = [0, 1, 0, 1, 0, 0.5];
const PHI_E = [S3 / 2, -1 / 2, 0, 1, S3 / 4, -1 / 4]; // l = 4: 14pi/3 = 4pi + 2pi/3; 6pi; 8pi/3 = 2pi + 2pi/3
const PHI_G = [1 / 2, S3 / 2, 1, 0, S3 / 4, -1 / 4]; // l = 7: 49pi/6 = 8pi + pi/6; 21pi/2 = 10pi + pi/2; 14pi/3
const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
// |phi(C) - phi(G)|^2 = 1/4 + (1 - sqrt3/2)^2 + 1 + 1 + 3/16 + 9/16 = 3 + (1 - sqrt3/2)^2
const TD_C_G = Math.sqrt(3 + (1 - S3 / 2) ** 2);

describe('MuseGAN metrics on hand-built rolls', () => {
  // Two 4/4 bars of 48 steps (3 steps per 16th note, 12 per beat).
  const roll = emptyRoll({ bars: 2 });
  // drums: hits at steps 0, 3, 6, 60 (on the 16th grid) and 8, 50 (off it) -> DP = 4/6
  for (const s of [0, 3, 6, 8, 50, 60]) addNote(roll, { track: 'drums', midiPitch: 36, startStep: s });
  // bass, bar 0 only: C2 12 steps, G2 2 steps (too short), C3 3 steps -> QN 2/3, UPC {C, G} = 2, EB 1/2
  addNote(roll, { track: 'bass', midiPitch: 36, startStep: 0, endStep: 12 });
  addNote(roll, { track: 'bass', midiPitch: 43, startStep: 12, endStep: 14 });
  addNote(roll, { track: 'bass', midiPitch: 48, startStep: 14, endStep: 17 });
  // piano: C4 and E4 held over both bars (one note each, the bar line does not cut them), G4 in bar 0,
  // A3 in bar 1 -> 4 notes all qualified; UPC bar 0 {C, E, G} = 3, bar 1 {A, C, E} = 3
  addNote(roll, { track: 'piano', midiPitch: 60, startStep: 0, endStep: 96 });
  addNote(roll, { track: 'piano', midiPitch: 64, startStep: 0, endStep: 96 });
  addNote(roll, { track: 'piano', midiPitch: 67, startStep: 0, endStep: 48 });
  addNote(roll, { track: 'piano', midiPitch: 57, startStep: 48, endStep: 96 });
  // strings: one 6-step E5 in bar 1; guitar: nothing
  addNote(roll, { track: 'strings', midiPitch: 76, startStep: 90, endStep: 96 });
  const m = evaluateLoops([roll]);

  it('EB: empty bars per track', () => {
    assert.equal(m.loops, 1);
    assert.equal(m.bars, 2);
    close(m.tracks.drums.emptyBarsPercent, 0, 'drums');
    close(m.tracks.bass.emptyBarsPercent, 50, 'bass');
    close(m.tracks.piano.emptyBarsPercent, 0, 'piano');
    close(m.tracks.guitar.emptyBarsPercent, 100, 'guitar');
    close(m.tracks.strings.emptyBarsPercent, 50, 'strings');
  });

  it('UPC: pitch classes per non-empty bar, pitched tracks only', () => {
    close(m.tracks.bass.usedPitchClassesPerBar, 2, 'bass');
    close(m.tracks.piano.usedPitchClassesPerBar, 3, 'piano');
    close(m.tracks.strings.usedPitchClassesPerBar, 1, 'strings');
    assert.equal(m.tracks.guitar.usedPitchClassesPerBar, null, 'no non-empty bar');
    assert.equal(m.tracks.drums.usedPitchClassesPerBar, null, 'not defined for drums');
  });

  it('QN: notes of at least 3 steps', () => {
    close(m.tracks.bass.qualifiedNotesPercent, (2 / 3) * 100, 'bass');
    close(m.tracks.piano.qualifiedNotesPercent, 100, 'piano');
    close(m.tracks.strings.qualifiedNotesPercent, 100, 'strings');
    assert.equal(m.tracks.guitar.qualifiedNotesPercent, null);
    assert.equal(m.tracks.drums.qualifiedNotesPercent, null);
  });

  it('DP: drum onsets on the 16th-note grid', () => {
    close(m.tracks.drums.drumPatternPercent, (4 / 6) * 100, 'drums');
    assert.equal(m.tracks.bass.drumPatternPercent, null);
  });

  it('TD: tonal distance of hand-computed centroids', () => {
    close(tonalDistance([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]), TD_C_G, 'C vs G');
    close(tonalDistance([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0, 'chroma is normalised');
    const triad = PHI_C.map((v, i) => (v + PHI_E[i]! + PHI_G[i]!) / 3);
    close(tonalDistance([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0]), dist(PHI_C, triad), 'C vs C major triad');
  });

  it('TD per track pair: the mean over beats where both tracks sound', () => {
    const r = emptyRoll({ bars: 1 });
    // beat 0: bass C, piano G -> TD_C_G; beat 1: bass 3 cells C + 2 cells G (0.6 C + 0.4 G), piano C
    // -> |0.4 (phi(G) - phi(C))| = 0.4 TD_C_G; beat 2: piano alone -> not counted
    addNote(r, { track: 'bass', midiPitch: 36, startStep: 0, endStep: 12 });
    addNote(r, { track: 'piano', midiPitch: 67, startStep: 0, endStep: 12 });
    addNote(r, { track: 'bass', midiPitch: 48, startStep: 12, endStep: 15 });
    addNote(r, { track: 'bass', midiPitch: 55, startStep: 15, endStep: 17 });
    addNote(r, { track: 'piano', midiPitch: 60, startStep: 12, endStep: 36 });
    const td = evaluateLoops([r]).tonalDistance;
    close(td['bass-piano']!, (TD_C_G + 0.4 * TD_C_G) / 2, 'bass-piano');
    assert.equal(td['bass-guitar'], null);
    assert.deepEqual(Object.keys(td), ['bass-piano', 'bass-guitar', 'bass-strings', 'piano-guitar', 'piano-strings', 'guitar-strings']);
    // the first roll: bass and piano share beats 0 and 1
    //   beat 0: bass C vs piano {C, E, G};  beat 1: bass 3 C + 2 G vs piano {C, E, G}
    const triad = PHI_C.map((v, i) => (v + PHI_E[i]! + PHI_G[i]!) / 3);
    const bassBeat1 = PHI_C.map((v, i) => 0.6 * v + 0.4 * PHI_G[i]!);
    close(m.tonalDistance['bass-piano']!, (dist(PHI_C, triad) + dist(bassBeat1, triad)) / 2, 'bass-piano of the main roll');
    // piano-strings: only beat 7 (steps 84-96): piano {A, C, E} 12 cells each vs strings E
    // l = 9 (A): 9 * 7pi/6 = 10.5 pi = 10 pi + pi/2 -> sin 1, cos 0;
    // 9 * 3pi/2 = 13.5 pi = 12 pi + 3pi/2 -> sin -1, cos 0; 9 * 2pi/3 = 6 pi -> .5 sin 0 = 0, .5 cos 0 = .5
    const PHI_A = [1, 0, -1, 0, 0, 0.5];
    const pianoMean = PHI_C.map((v, i) => (v + PHI_E[i]! + PHI_A[i]!) / 3);
    close(m.tonalDistance['piano-strings']!, dist(pianoMean, PHI_E), 'piano-strings');
  });

  it('pools over loops and scales the qualified-note length with the grid', () => {
    const silent = emptyRoll({ bars: 2 });
    const both = evaluateLoops([roll, silent]);
    assert.equal(both.loops, 2);
    close(both.tracks.drums.emptyBarsPercent, 50, 'drums over 4 bars');
    close(both.tracks.bass.usedPitchClassesPerBar, 2, 'UPC ignores empty bars');
    const fine = emptyRoll({ bars: 1, stepsPerBar: 96 });
    addNote(fine, { track: 'bass', midiPitch: 40, startStep: 0, endStep: 5 }); // a 5-step note is a 32nd + at 96/bar: < 6
    addNote(fine, { track: 'bass', midiPitch: 41, startStep: 10, endStep: 16 });
    close(evaluateLoops([fine]).tracks.bass.qualifiedNotesPercent, 50, 'threshold 6 steps at 96 per bar');
    const acc = new LoopMetricsAccumulator({ qualifiedNoteMinSteps: 5 });
    acc.add(fine);
    close(acc.result().tracks.bass.qualifiedNotesPercent, 100, 'explicit threshold');
  });

  it('formats sets side by side', () => {
    const text = formatLoopMetrics({ data: m, model: evaluateLoops([emptyRoll()]) });
    const lines = text.split('\n');
    assert.match(lines[0]!, /data\s+model$/);
    assert.match(text, /EB {2}empty bars \(%\) bass\s+50\.0\s+100\.0/);
    assert.match(text, /DP {2}drum pattern \(%\) drums\s+66\.7\s+-/);
    assert.match(text, /TD {2}tonal distance bass-piano\s+\d\.\d{3}\s+-/);
  });
});
