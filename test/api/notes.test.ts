import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { initBackend } from '../../server/ml/backend.js';
import { tf } from '../../server/ml/tf.js';
import { noteModelSpec } from '../../server/gansynth/spec.js';
import { noteTrainDefaults } from '../../server/gansynth/train-config.js';
import { trainNoteModel } from '../../server/gansynth/trainer.js';
import { NoteModel } from '../../server/gansynth/note-model.js';
import { latentForSeed } from '../../server/gansynth/latent.js';
import { decodeWav, encodeWav } from '../../server/audio/wav.js';
import type { InstrumentReply, NoteReply } from '../../server/protocol.js';
import { syntheticNotes } from '../gansynth/helpers/synthetic-notes.js';
import { connect, getJson, postJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';
import { waitFor } from '../jobs/helpers.js';

/** Bits per sample from a WAV's fmt chunk (the canonical layout encodeWav writes). */
function bitDepthOf(wav: Uint8Array): number {
  return new DataView(wav.buffer, wav.byteOffset).getUint16(34, true);
}

describe('api: notes and instruments from a real (tiny) note model', () => {
  let server: TestServer;
  let model: NoteModel;

  before(async () => {
    await initBackend();
    server = await startTestServer({ preload: true, limits: { socketRequestsPerSecond: 1e4, socketBurst: 1e4 } });
    const { data } = syntheticNotes([48, 60]);
    const dir = path.join(server.modelsDir, 'notes-tiny');
    await trainNoteModel({ outDir: dir, data, spec: noteModelSpec('tiny'), config: { ...noteTrainDefaults, steps: 2, batchSize: 4, previewPitches: [60] } });
    await server.registry.scan();
    // Compare with the model run on the backend the server's inference worker uses (other test files may switch it).
    await server.pool.info(server.registry.get(path.basename(dir)));
    await tf.setBackend(server.pool.backend!);
    model = await NoteModel.load(dir);
  });
  after(async () => {
    model?.dispose();
    await server.close();
    removeDir(server.dir);
  });

  it('POST /api/notes returns the model\'s note as a WAV named after model, pitch, velocity and seed', async () => {
    const res = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'notes-tiny', pitch: 60, seed: 7, velocity: 90 }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="notes-tiny_C4-60_v90_seed7.wav"');
    assert.equal(res.headers.get('x-studio-seed'), '7');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const expected = encodeWav(model.generate({ pitches: [60], seed: 7, velocity: 90 })[0]!, { sampleRate: model.sampleRate, bitDepth: 16 });
    assert.ok(Buffer.from(bytes).equals(Buffer.from(expected)), 'the same bytes as the model itself gives');
    const again = new Uint8Array(await (await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'notes-tiny', pitch: 60, seed: 7, velocity: 90 }) })).arrayBuffer());
    assert.ok(Buffer.from(again).equals(Buffer.from(bytes)), 'same seed, same bytes');
  });

  it('honours format, sample rate, duration and a latent, and picks (and tells) a seed when none is given', async () => {
    const res = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 48, seed: 3, format: 'wav24', sampleRate: 48000, duration: 0.25 }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="notes-tiny_C3-48_v100_seed3_wav24.wav"');
    const wav = decodeWav(new Uint8Array(await res.arrayBuffer()), 'note.wav');
    assert.equal(wav.sampleRate, 48000);
    assert.equal(bitDepthOf(new Uint8Array(await (await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 48, seed: 3, format: 'wav24' }) })).arrayBuffer())), 24);
    assert.equal(wav.channels[0]!.length, 12000);

    const latent = Array.from(latentForSeed(5, model.spec.latentSize));
    const byLatent = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 60, latent, format: 'f32' }) });
    assert.equal(byLatent.headers.get('content-disposition'), 'attachment; filename="notes-tiny_C4-60_v100_latent_f32.wav"');
    assert.equal(byLatent.headers.get('x-studio-seed'), null);
    const bySeed = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 60, seed: 5, format: 'f32' }) });
    assert.ok(Buffer.from(await byLatent.arrayBuffer()).equals(Buffer.from(await bySeed.arrayBuffer())), "a seed's latent gives that seed's note");

    const short = await postJson(`${server.url}/api/notes`, { pitch: 60, latent: [1, 2, 3] });
    assert.equal(short.status, 400);
    assert.match(short.body.error.message, /latent has 3 values; this model's latent size is 8/);

    const random = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 60 }) });
    const seed = Number(random.headers.get('x-studio-seed'));
    assert.ok(Number.isInteger(seed) && seed >= 0);
    const replay = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 60, seed }) });
    assert.ok(Buffer.from(await random.arrayBuffer()).equals(Buffer.from(await replay.arrayBuffer())), 'the told seed reproduces the note');
  });

  it('note:generate answers with binary audio; requests arriving together are batched into one pass, each getting its own note', async () => {
    const socket = await connect(server.url);
    const before = (await server.pool.memory()).numTensors;
    const batchesBefore = Object.values(server.pool.batchSizes()).flat().length;
    const asks = Array.from({ length: 12 }, (_, i) => ({ model: 'notes-tiny', pitch: 40 + i, seed: 100 + i }));
    const replies = await Promise.all(asks.map((a) => request<NoteReply>(socket, 'note:generate', a)));
    const sizes = Object.values(server.pool.batchSizes()).flat().slice(batchesBefore);
    assert.ok(Math.max(...sizes) >= 6, `batch sizes ${sizes.join(',')}`);
    assert.ok(sizes.length < asks.length, `${asks.length} requests in ${sizes.length} passes`);
    for (const [i, reply] of replies.entries()) {
      assert.ok(reply.ok, JSON.stringify(reply));
      assert.ok(Buffer.isBuffer(reply.data.audio), 'audio travels as binary, not base64');
      assert.equal(reply.data.filename, `notes-tiny_${['E2', 'F2', 'Fs2', 'G2', 'Gs2', 'A2', 'As2', 'B2', 'C3', 'Cs3', 'D3', 'Ds3'][i]}-${40 + i}_v100_seed${100 + i}.wav`);
      const alone = encodeWav(model.generate({ pitches: [40 + i], seed: 100 + i })[0]!, { sampleRate: 16000, bitDepth: 16 });
      assert.ok(Buffer.from(reply.data.audio).equals(Buffer.from(alone)), `request ${i}: batched = alone`);
    }
    assert.equal((await server.pool.memory()).numTensors, before, 'no tensors leak in the worker');
    socket.close();
  });

  it('fails a bad request alone when it shares a batch with good ones', async () => {
    const socket = await connect(server.url);
    const before = Object.values(server.pool.batchSizes()).flat().length;
    const [good, bad, alsoGood] = await Promise.all([
      request<NoteReply>(socket, 'note:generate', { pitch: 60, seed: 1 }),
      request<NoteReply>(socket, 'note:generate', { pitch: 60, latent: [0.1, 0.2, 0.3] }),
      request<NoteReply>(socket, 'note:generate', { pitch: 62, seed: 2 }),
    ]);
    assert.ok(Object.values(server.pool.batchSizes()).flat().slice(before).some((n) => n >= 2), 'they shared a batch');
    assert.ok(!bad.ok && bad.error.code === 'BAD_INPUT' && /latent has 3 values/.test(bad.error.message));
    assert.ok(good.ok && Buffer.from(good.data.audio).equals(Buffer.from(encodeWav(model.generate({ pitches: [60], seed: 1 })[0]!, { sampleRate: 16000, bitDepth: 16 }))));
    assert.ok(alsoGood.ok && Buffer.from(alsoGood.data.audio).equals(Buffer.from(encodeWav(model.generate({ pitches: [62], seed: 2 })[0]!, { sampleRate: 16000, bitDepth: 16 }))));
    socket.close();
  });

  it('POST /api/instruments returns a zip of WAVs and an .sfz; instrument:generate the same bytes; too many samples is refused', async () => {
    const body = { model: 'notes-tiny', seed: 4, pitchRange: { min: 58, max: 61 }, velocities: [120, 60] };
    const res = await fetch(`${server.url}/api/instruments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="notes-tiny_seed4_As3-Cs4.zip"');
    const zip = new Uint8Array(await res.arrayBuffer());
    const files = unzipSync(zip);
    const names = Object.keys(files).sort();
    assert.equal(names.length, 9);
    const sfz = strFromU8(files['notes-tiny_seed4_As3-Cs4.sfz']!);
    for (const name of names.filter((n) => n.endsWith('.wav'))) {
      assert.ok(sfz.includes(`sample=${name}`), `${name} is mapped`);
      const wav = decodeWav(files[name]!, name);
      assert.equal(wav.sampleRate, 48000);
      assert.equal(bitDepthOf(files[name]!), 24);
    }
    assert.match(sfz, /lovel=1 hivel=90[\s\S]*lovel=91 hivel=127/);

    const socket = await connect(server.url);
    const reply = await request<InstrumentReply>(socket, 'instrument:generate', body);
    assert.ok(reply.ok && Buffer.from(reply.data.zip).equals(Buffer.from(zip)), 'socket and HTTP give the same zip');
    assert.equal(reply.ok && reply.data.samples, 8);
    const tooBig = await request(socket, 'instrument:generate', { seed: 1, velocities: [10, 40, 70, 100, 127] });
    assert.ok(!tooBig.ok && tooBig.error.code === 'TOO_LARGE', JSON.stringify(tooBig));
    socket.close();
  });

  it('a note asked for while an instrument renders is not held up behind it', async () => {
    const socket = await connect(server.url);
    const order: string[] = [];
    const instrument = request(socket, 'instrument:generate', { seed: 9, pitchRange: { min: 24, max: 60 }, velocities: [40, 120] }).then(() => order.push('instrument'));
    await new Promise((r) => setTimeout(r, 5));
    const note = request(socket, 'note:generate', { pitch: 60, seed: 1 }).then(() => order.push('note'));
    await Promise.all([instrument, note]);
    assert.deepEqual(order, ['note', 'instrument']);
    socket.close();
  });

  it('serves the new weights once a model folder has been retrained', async () => {
    const ask = async () => new Uint8Array(await (await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'notes-tiny', pitch: 60, seed: 7 }) })).arrayBuffer());
    const before = await ask();
    const dir = path.join(server.modelsDir, 'notes-tiny');
    await trainNoteModel({ outDir: dir, data: syntheticNotes([48, 60]).data, resume: true, resumeOverrides: { steps: 3 } });
    await server.registry.scan();
    const after = await ask();
    assert.ok(!Buffer.from(after).equals(Buffer.from(before)), 'a different note from the retrained weights');
    const retrained = await NoteModel.load(dir);
    try {
      assert.ok(Buffer.from(after).equals(Buffer.from(encodeWav(retrained.generate({ pitches: [60], seed: 7 })[0]!, { sampleRate: 16000, bitDepth: 16 }))));
    } finally {
      retrained.dispose();
    }
    model.dispose();
    model = await NoteModel.load(dir);
  });

  it('refuses more requests in flight per connection than the limit, and serves the rest', async () => {
    const strict = await startTestServer({ preload: false, modelsDirs: [server.modelsDir], dir: server.dir, stateDir: path.join(server.dir, 'state2'), limits: { maxInFlightPerSocket: 2 } });
    try {
      const socket = await connect(strict.url);
      const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => request(socket, 'note:generate', { pitch: 50 + i, seed: i })));
      const refused = replies.filter((r) => !r.ok);
      assert.equal(replies.filter((r) => r.ok).length, 2);
      assert.equal(refused.length, 4);
      for (const r of refused) assert.ok(!r.ok && r.error.code === 'RATE_LIMITED' && /at most 2 requests at once/.test(r.error.message));
      socket.close();
    } finally {
      await strict.close();
    }
  });

  it('spreads batches over several inference threads, each with its own copy of the model, same notes', async () => {
    const wide = await startTestServer({ preload: false, modelsDirs: [server.modelsDir], dir: server.dir, stateDir: path.join(server.dir, 'state3'), inference: { workers: 2 }, limits: { socketRequestsPerSecond: 1e4, socketBurst: 1e4 } });
    try {
      const socket = await connect(wide.url);
      await wide.pool.info(wide.registry.get('notes-tiny'));
      const one = (await wide.pool.memory()).numTensors;
      assert.ok(one > 0);
      const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => request<NoteReply>(socket, 'note:generate', { pitch: 50 + i, seed: i })));
      const two = (await wide.pool.memory()).numTensors;
      assert.equal(two, 2 * one, `both threads hold the model (${one} tensors, then ${two})`);
      for (const [i, reply] of replies.entries()) {
        assert.ok(reply.ok);
        const alone = encodeWav(model.generate({ pitches: [50 + i], seed: i })[0]!, { sampleRate: 16000, bitDepth: 16 });
        assert.ok(Buffer.from(reply.data.audio).equals(Buffer.from(alone)), `note ${i}`);
      }
      socket.close();
    } finally {
      await wide.close();
    }
  });

  it('restarts an inference thread that died, failing only the requests it held', async () => {
    const socket = await connect(server.url);
    assert.ok((await request(socket, 'note:generate', { pitch: 60, seed: 1 })).ok);
    // Stands in for a crash (out of memory, a native fault): the thread is gone without a word.
    const thread = (server.pool as unknown as { threads: { worker: { terminate(): Promise<number> } | null; pending: Map<number, unknown> }[] }).threads[0]!;
    // A long request (a 61-note instrument), so the thread is still working on it when it dies.
    const held = request(socket, 'instrument:generate', { seed: 3 });
    await waitFor(() => thread.pending.size > 0, 'the request to reach the thread');
    await thread.worker!.terminate();
    const lost = await held;
    assert.ok(!lost.ok && lost.error.code === 'UNAVAILABLE' && /inference worker stopped/.test(lost.error.message), JSON.stringify(lost));
    const again = await request<NoteReply>(socket, 'note:generate', { pitch: 61, seed: 2 });
    assert.ok(again.ok, JSON.stringify(again));
    assert.ok(Buffer.from(again.data.audio).equals(Buffer.from(encodeWav(model.generate({ pitches: [61], seed: 2 })[0]!, { sampleRate: 16000, bitDepth: 16 }))));
    socket.close();
  });

  it('GET /api/stats measures the event loop and the batches of its window', async () => {
    await getJson(`${server.url}/api/stats?reset=1`);
    const socket = await connect(server.url);
    await Promise.all([1, 2, 3, 4].map((seed) => request(socket, 'note:generate', { pitch: 60, seed })));
    const stats = (await getJson(`${server.url}/api/stats`)).body;
    assert.equal(Math.round(stats.batches.meanSize * stats.batches.count), 4, JSON.stringify(stats.batches));
    assert.ok(stats.batches.maxSize >= 2);
    assert.ok(stats.batches.meanMs > 0);
    for (const key of ['p50', 'p95', 'p99', 'max', 'mean']) assert.ok(stats.eventLoopDelayMs[key] >= 0, key);
    assert.ok(stats.memory.peakRssMb >= stats.memory.heapUsedMb);
    assert.ok(stats.connections >= 1, 'this socket is counted');
    socket.close();
  });

  it('reports the backend in /api/health once the worker is up', async () => {
    const health = await getJson(`${server.url}/api/health`);
    assert.ok(['wasm', 'cpu', 'tensorflow'].includes(health.body.backend), health.body.backend);
  });
});
