import assert from 'node:assert/strict';
import { instrumentLabel, instrumentLabels, modelInstruments } from '../../client/src/notes/instrument-names.js';
import type { ModelSummary } from '../../server/protocol.js';

describe('web client: the instrument choice of the notes panel', () => {
  it('labels instruments by family and program, adding the font only where two would read the same', () => {
    assert.deepEqual(instrumentLabels(['keyboard_msgl_000', 'mallet_msgl_012', 'guitar_msgl_025', 'synth_lead_msgl_081']), ['keyboard 000', 'mallet 012', 'guitar 025', 'synth lead 081']);
    assert.deepEqual(instrumentLabels(['keyboard_fluid_000', 'keyboard_msgl_000', 'flute_fluid_073']), ['keyboard 000 (fluid)', 'keyboard 000 (msgl)', 'flute 073']);
    assert.deepEqual(instrumentLabels(['brass', 'reed_acoustic', 'bass_synthetic_033']), ['brass', 'reed acoustic', 'bass 033']);
    assert.equal(instrumentLabel('mallet_msgl_012'), 'mallet 012');
  });

  it("reads the instruments from a model's capabilities (none when it has no timbre classes)", () => {
    const summary = (capabilities: Record<string, unknown>): ModelSummary => ({ id: 'm', kind: 'notes', preset: 'tiny', step: 1, metrics: {}, updatedAt: '', capabilities });
    assert.deepEqual(modelInstruments(summary({ instruments: ['a_x_001', 'b_x_002'] })), ['a_x_001', 'b_x_002']);
    assert.deepEqual(modelInstruments(summary({ latentSize: 8 })), []);
    assert.deepEqual(modelInstruments(summary({ instruments: 'a' })), []);
    assert.deepEqual(modelInstruments(undefined), []);
  });
});
