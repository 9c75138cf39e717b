import assert from 'node:assert/strict';
import type { LoopRollJson } from '../../server/protocol.js';
import { audibleTracks, limitPolyphony, loopEvents, loopLengthTicks, noteCounts, ticksPerStep } from '../../client/src/loops/loop-events.js';
import { barX, layoutRoll, noteRect } from '../../client/src/loops/roll-layout.js';

const roll: LoopRollJson = {
  bars: 2, stepsPerBar: 48, beatsPerBar: 4, tempoBpm: 120, lowestPitch: 24, pitchCount: 84,
  tracks: [
    { name: 'drums', program: 0, isDrum: true, notes: [{ pitch: 36, startStep: 0, endStep: 6, velocity: 100 }, { pitch: 38, startStep: 24, endStep: 25, velocity: 80 }] },
    { name: 'bass', program: 33, isDrum: false, notes: [{ pitch: 40, startStep: 12, endStep: 36, velocity: 127 }] },
    { name: 'piano', program: 0, isDrum: false, notes: [] },
    { name: 'guitar', program: 24, isDrum: false, notes: [] },
    { name: 'strings', program: 48, isDrum: false, notes: [{ pitch: 72, startStep: 48, endStep: 96, velocity: 64 }] },
  ],
};

describe('client loop events and layout', () => {
  it('times notes in transport ticks (192 per quarter: 16 per 48th-of-a-bar step in 4/4)', () => {
    assert.equal(ticksPerStep(roll), 16);
    assert.equal(loopLengthTicks(roll), 2 * 4 * 192);
    const events = loopEvents(roll);
    assert.deepEqual(events.map((e) => [e.track, e.startTick, e.durationTicks]), [
      ['drums', 0, 16], // drum hits are one step long whatever the roll says
      ['bass', 192, 384],
      ['drums', 384, 16],
      ['strings', 768, 768],
    ]);
    assert.equal(events[1]!.velocity, 1);
    assert.equal(events[3]!.velocity, 64 / 127);
  });

  it('scales ticks with the metre: 3/4 bars of 12 steps', () => {
    const waltz = { ...roll, beatsPerBar: 3, stepsPerBar: 12, tracks: [{ ...roll.tracks[1]!, notes: [{ pitch: 40, startStep: 4, endStep: 8, velocity: 90 }] }] };
    assert.equal(ticksPerStep(waltz), 48);
    assert.deepEqual(loopEvents(waltz).map((e) => [e.startTick, e.durationTicks]), [[192, 192]]);
  });

  it('mutes and solos like a mixer: solo wins, mute always silences', () => {
    const all = ['drums', 'bass', 'piano', 'guitar', 'strings'] as const;
    assert.deepEqual([...audibleTracks(all, { muted: new Set(), soloed: new Set() })], [...all]);
    assert.deepEqual([...audibleTracks(all, { muted: new Set(['bass']), soloed: new Set() })], ['drums', 'piano', 'guitar', 'strings']);
    assert.deepEqual([...audibleTracks(all, { muted: new Set(), soloed: new Set(['bass', 'drums']) })], ['drums', 'bass']);
    assert.deepEqual([...audibleTracks(all, { muted: new Set(['bass']), soloed: new Set(['bass']) })], []);
  });

  it('holds at most N notes of a track at once, dropping what would exceed it', () => {
    const cluster: LoopRollJson = {
      ...roll,
      tracks: [
        // Ten bass notes at once (held two steps), then one more after they end; plus drums, counted apart.
        { name: 'bass', program: 33, isDrum: false, notes: [...Array.from({ length: 10 }, (_, i) => ({ pitch: 30 + i, startStep: 0, endStep: 2, velocity: 90 })), { pitch: 50, startStep: 2, endStep: 3, velocity: 90 }] },
        { name: 'drums', program: 0, isDrum: true, notes: [{ pitch: 36, startStep: 0, endStep: 1, velocity: 90 }, { pitch: 42, startStep: 0, endStep: 1, velocity: 90 }] },
      ],
    };
    const kept = limitPolyphony(loopEvents(cluster), 3);
    assert.deepEqual(kept.filter((e) => e.track === 'bass').map((e) => e.midiPitch), [30, 31, 32, 50]);
    assert.equal(kept.filter((e) => e.track === 'drums').length, 2);
    assert.deepEqual(limitPolyphony(loopEvents(roll), 3), loopEvents(roll), 'a sparse loop is untouched');
  });

  it('counts notes per track', () => {
    assert.deepEqual(Object.fromEntries(noteCounts(roll)), { drums: 2, bass: 1, piano: 0, guitar: 0, strings: 1 });
  });

  it('stacks one lane per track inside the canvas, each covering its notes', () => {
    const layout = layoutRoll(roll, { width: 1000, height: 400, gutter: 40, laneGap: 4, minLaneHeight: 20 });
    assert.equal(layout.lanes.length, 5);
    assert.equal(layout.totalSteps, 96);
    assert.equal(layout.stepWidth, (1000 - 40) / 96);
    let previousBottom = -Infinity;
    for (const lane of layout.lanes) {
      assert.ok(lane.top >= previousBottom, 'lanes do not overlap');
      assert.ok(lane.height >= 20);
      previousBottom = lane.top + lane.height;
      const track = roll.tracks.find((t) => t.name === lane.track)!;
      for (const note of track.notes) {
        assert.ok(note.pitch >= lane.lowPitch && note.pitch <= lane.highPitch);
        const r = noteRect(layout, lane, note);
        assert.ok(r.y >= lane.top && r.y + r.h <= lane.top + lane.height + 1e-9);
        assert.ok(r.x >= 40 && r.x + r.w <= 1000 + 1e-9);
      }
    }
    assert.ok(previousBottom <= 400 + 1e-9);
    const bass = layout.lanes[1]!;
    assert.ok(bass.highPitch - bass.lowPitch + 1 >= 12, 'a melodic lane spans at least an octave');
    assert.equal(barX(layout, 1, 48), 40 + 48 * layout.stepWidth);
    // Tracks without notes keep a lane of the minimum height; the others share the rest.
    assert.equal(layout.lanes[2]!.height, 20);
    assert.equal(layout.lanes[3]!.height, 20);
    assert.ok(layout.lanes[1]!.height > 20);
  });
});
