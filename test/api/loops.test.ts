import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { Midi } from '@tonejs/midi';
import { initBackend } from '../../server/ml/backend.js';
import { tf } from '../../server/ml/tf.js';
import { LoopModel } from '../../server/musegan/loop-model.js';
import { rollToMidi } from '../../server/music/midi-out.js';
import type { LoopReply } from '../../server/protocol.js';
import { pianoPartMidi, sharedTinyLoopModel } from './loop-fixture.js';
import { connect, getJson, postJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

describe('api: loops from a real (tiny) loop model', () => {
  let server: TestServer;
  let model: LoopModel;

  before(async () => {
    await initBackend();
    const dir = await sharedTinyLoopModel();
    server = await startTestServer({ preload: false, modelsDirs: [path.dirname(dir)], limits: { socketRequestsPerSecond: 1e4, socketBurst: 1e4 } });
    // Compare with the model run on the backend the server's inference worker uses (other test files may switch it).
    await server.pool.info(server.registry.get(path.basename(dir)));
    await tf.setBackend(server.pool.backend!);
    model = await LoopModel.load(dir);
  });
  after(async () => {
    model?.dispose();
    await server.close();
    removeDir(server.dir);
  });

  it('POST /api/loops returns the model\'s loop as MIDI named after model, bars, tempo and seed', async () => {
    const res = await fetch(`${server.url}/api/loops`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bars: 4, tempo: 96, seed: 5, threshold: 0.5 }) });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('content-type'), 'audio/midi');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="loops-tiny_4bars_96bpm_seed5.mid"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const expected = rollToMidi(model.generate({ bars: 4, seed: 5, threshold: 0.5, tempoBpm: 96 }), { name: 'loops-tiny_4bars_96bpm_seed5' });
    assert.ok(Buffer.from(bytes).equals(Buffer.from(expected)), 'the same bytes as the model and the MIDI writer give');
    const midi = new Midi(bytes);
    assert.equal(Math.round(midi.header.tempos[0]!.bpm), 96);
  });

  it('with Accept: application/json returns the loop as note lists that match the MIDI', async () => {
    const res = await getJson(`${server.url}/api/loops`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ bars: 8, seed: 5, threshold: 0.3 }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="loops-tiny_8bars_120bpm_seed5.json"');
    const { roll } = res.body as LoopReply;
    assert.equal(roll.bars, 8);
    assert.deepEqual(roll.tracks.map((t) => [t.name, t.isDrum]), [['drums', true], ['bass', false], ['piano', false], ['guitar', false], ['strings', false]]);
    const midi = await fetch(`${server.url}/api/loops`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bars: 8, seed: 5, threshold: 0.3 }) });
    const parsed = new Midi(new Uint8Array(await midi.arrayBuffer()));
    const jsonNotes = roll.tracks.reduce((n, t) => n + t.notes.length, 0);
    const midiNotes = parsed.tracks.reduce((n, t) => n + t.notes.length, 0);
    assert.equal(jsonNotes, midiNotes);
    assert.ok(jsonNotes > 0, 'a low threshold gives notes even from a barely trained model');
  });

  it('loop:generate answers with binary MIDI; several requests share one forward pass; bad tracks and keys are refused', async () => {
    const socket = await connect(server.url);
    const batchesBefore = Object.values(server.pool.batchSizes()).flat().length;
    const replies = await Promise.all([1, 2, 3, 4].map((seed) => request<LoopReply>(socket, 'loop:generate', { seed, tracks: ['drums', 'bass', 'piano'] })));
    const sizes = Object.values(server.pool.batchSizes()).flat().slice(batchesBefore);
    assert.ok(sizes.length >= 1 && sizes.length < 4, `4 requests in ${sizes.length} passes (${sizes.join(',')})`);
    for (const [i, reply] of replies.entries()) {
      assert.ok(reply.ok, JSON.stringify(reply));
      assert.ok(Buffer.isBuffer(reply.data.midi));
      const alone = rollToMidi(model.generate({ seed: i + 1, tracks: ['drums', 'bass', 'piano'] }), { name: reply.data.filename.replace('.mid', '') });
      assert.ok(Buffer.from(reply.data.midi).equals(Buffer.from(alone)), `loop ${i}: batched = alone`);
      for (const silent of ['guitar', 'strings']) assert.equal(reply.data.roll.tracks.find((t) => t.name === silent)!.notes.length, 0);
    }
    const keyed = await request<LoopReply>(socket, 'loop:generate', { seed: 1, key: 'A', scale: 'minor', threshold: 0.3 });
    assert.ok(keyed.ok);
    const inA = new Set([9, 11, 0, 2, 4, 5, 7]);
    const pitched = keyed.data.roll.tracks.filter((t) => !t.isDrum).flatMap((t) => t.notes);
    assert.ok(pitched.length > 0 && pitched.every((n) => inA.has(n.pitch % 12)), 'every pitched note is in A minor');
    const bad = await request(socket, 'loop:generate', { tracks: ['kazoo'] });
    assert.ok(!bad.ok && bad.error.code === 'BAD_INPUT');
    const halfKey = await request(socket, 'loop:generate', { key: 'C' });
    assert.ok(!halfKey.ok && /key and scale go together/.test(halfKey.error.message));
    socket.close();
  });

  it('fails bad requests alone when they share a forward pass with good ones', async () => {
    const socket = await connect(server.url);
    const piano = pianoPartMidi();
    const [good, noBass, nothingLeft, alsoGood] = await Promise.all([
      request<LoopReply>(socket, 'loop:generate', { seed: 1 }),
      request<LoopReply>(socket, 'loop:generate', { seed: 2, condition: { midi: piano, track: 'bass' } }),
      request<LoopReply>(socket, 'loop:generate', { seed: 3, tracks: ['piano'], condition: { midi: piano, track: 'piano' } }),
      request<LoopReply>(socket, 'loop:generate', { seed: 4 }),
    ]);
    assert.ok(!noBass.ok && noBass.error.code === 'BAD_INPUT', JSON.stringify(noBass));
    assert.ok(!nothingLeft.ok && nothingLeft.error.code === 'BAD_INPUT' && /nothing left to generate/.test(nothingLeft.error.message), JSON.stringify(nothingLeft));
    for (const [reply, seed] of [[good, 1], [alsoGood, 4]] as const) {
      assert.ok(reply.ok, JSON.stringify(reply));
      const alone = rollToMidi(model.generate({ seed }), { name: reply.data.filename.replace('.mid', '') });
      assert.ok(Buffer.from(reply.data.midi).equals(Buffer.from(alone)), `seed ${seed}`);
    }
    socket.close();
  });

  it('fits the other tracks to a piano part given as MIDI (base64 over HTTP, binary over the socket)', async () => {
    const piano = pianoPartMidi();
    const body = { seed: 3, threshold: 0.3, condition: { midi: Buffer.from(piano).toString('base64'), track: 'piano' } };
    const res = await getJson(`${server.url}/api/loops`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const pianoNotes = (res.body as LoopReply).roll.tracks.find((t) => t.name === 'piano')!.notes;
    assert.equal(pianoNotes.length, 12, 'the given piano part comes back exactly: a 3-note chord in each of 4 bars');
    const socket = await connect(server.url);
    const viaSocket = await request<LoopReply>(socket, 'loop:generate', { seed: 3, threshold: 0.3, condition: { midi: piano, track: 'piano' } });
    assert.ok(viaSocket.ok);
    assert.deepEqual(viaSocket.data.roll, res.body.roll);
    const noPart = await request(socket, 'loop:generate', { condition: { midi: piano, track: 'bass' } });
    assert.ok(!noPart.ok && /^condition MIDI: no stretch of 4 whole 4\/4 bars with notes on bass/.test(noPart.error.message), JSON.stringify(noPart));
    const garbage = await postJson(`${server.url}/api/loops`, { condition: { midi: Buffer.from('not a midi file at all').toString('base64'), track: 'piano' } });
    assert.equal(garbage.status, 422);
    assert.equal(garbage.body.error.code, 'BAD_FILE');
    assert.match(garbage.body.error.message, /^condition MIDI/);
    socket.close();
  });
});
