import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../server/ml/backend.js';
import { noteModelSpec } from '../../server/gansynth/spec.js';
import { noteTrainDefaults } from '../../server/gansynth/train-config.js';
import { trainNoteModel } from '../../server/gansynth/trainer.js';
import { ERROR_CODES } from '../../server/protocol.js';
import { syntheticNotes } from '../gansynth/helpers/synthetic-notes.js';
import { FuzzRandom, mutate } from './fuzz.js';
import { sharedTinyLoopModel } from './loop-fixture.js';
import { connect, getJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

const VALID: [string, Record<string, unknown>][] = [
  ['note:generate', { model: 'notes-tiny', pitch: 60, velocity: 100, seed: 1, duration: 0.5, format: 'wav24', sampleRate: 22050 }],
  ['instrument:generate', { model: 'notes-tiny', seed: 1, pitchRange: { min: 60, max: 61 }, velocities: [100] }],
  ['loop:generate', { model: 'loops-tiny', bars: 4, tempo: 120, seed: 1, threshold: 0.5, tracks: ['drums', 'bass'], key: 'C', scale: 'major' }],
  ['jam:start', { model: 'loops-tiny', bars: 4, tempo: 120, seed: 2, locked: ['drums'], transport: { bar: 1 } }],
  ['jam:update', { threshold: 0.4, bars: 8, regenerate: true, transport: { bar: 3.5 } }],
];

describe('api: mutated requests that reach real models get answers or clear errors', function () {
  this.timeout(200_000);
  let server: TestServer;
  before(async () => {
    await initBackend();
    const loops = await sharedTinyLoopModel();
    const dir = mkdtempSync(path.join(tmpdir(), 'studio-fuzz-models-'));
    const notesDir = path.join(dir, 'note-models');
    await trainNoteModel({ outDir: path.join(notesDir, 'notes-tiny'), data: syntheticNotes([60]).data, spec: noteModelSpec('tiny'), config: { ...noteTrainDefaults, steps: 1, batchSize: 4, previewPitches: [60] } });
    server = await startTestServer({ preload: false, dir, modelsDirs: [path.dirname(loops), notesDir], limits: { socketRequestsPerSecond: 1e4, socketBurst: 1e4 } });
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  it('never answers INTERNAL, and the server keeps serving', async () => {
    const rng = new FuzzRandom(23);
    const socket = await connect(server.url);
    const outcomes = new Map<string, number>();
    socket.on('jam:error', (e) => assert.notEqual(e.code, 'INTERNAL', e.message));
    for (let i = 0; i < 60; i++) {
      const [event, valid] = rng.pick(VALID);
      const reply = await request(socket, event, rng.next() < 0.2 ? valid : mutate(rng, valid), 60_000);
      const key = reply.ok ? 'ok' : reply.error.code;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (!reply.ok) {
        assert.ok(ERROR_CODES.includes(reply.error.code), JSON.stringify(reply));
        assert.notEqual(reply.error.code, 'INTERNAL', `${event}: ${reply.error.message}`);
      }
    }
    assert.ok((outcomes.get('ok') ?? 0) >= 5 && (outcomes.get('BAD_INPUT') ?? 0) >= 5, JSON.stringify([...outcomes]));
    await request(socket, 'jam:stop', {});
    assert.equal((await getJson(`${server.url}/api/health`)).status, 200);
    socket.close();
  });
});
