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
import { chooseTimbreClasses, timbreClassOf, withTimbreClass } from '../../server/gansynth/timbre-classes.js';
import { encodeWav } from '../../server/audio/wav.js';
import { instrumentBaseName, noteFilename } from '../../server/api/filenames.js';
import { noteRequestSchema, sharedFileNameSchema, type InstrumentReply, type ModelSummary, type NoteReply } from '../../server/protocol.js';
import { syntheticNotes } from '../gansynth/helpers/synthetic-notes.js';
import { connect, getJson, postJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

const TIMBRE_MODEL = 'notes-timbre';
const PLAIN_MODEL = 'notes-plain';
/** syntheticNotes' three harmonic recipes, sorted as chooseTimbreClasses sorts them. */
const INSTRUMENTS = ['brass', 'flute', 'reed'];
const wav16 = (audio: Float32Array, sampleRate: number) => Buffer.from(encodeWav(audio, { sampleRate, bitDepth: 16 }));
const noteBody = (o: Record<string, unknown>) => ({ model: TIMBRE_MODEL, pitch: 60, seed: 5, ...o });

describe('api: choosing the instrument (timbre class) of a note model', () => {
  let server: TestServer;
  let model: NoteModel;

  before(async () => {
    await initBackend();
    server = await startTestServer({ preload: true, limits: { socketRequestsPerSecond: 1e4, socketBurst: 1e4 } });
    const { data } = syntheticNotes([48, 60]);
    const tiny = noteModelSpec('tiny');
    const config = { ...noteTrainDefaults, steps: 2, batchSize: 4, previewPitches: [60] };
    // Conditioned on the data's instruments, as `studio train notes` does by default; and one without classes.
    await trainNoteModel({ outDir: path.join(server.modelsDir, TIMBRE_MODEL), data, spec: { ...tiny, timbreClasses: chooseTimbreClasses(data, tiny.latentSize) }, config });
    await trainNoteModel({ outDir: path.join(server.modelsDir, PLAIN_MODEL), data, spec: { ...tiny, timbreClasses: null }, config });
    await server.registry.scan();
    // Compare with the model run on the backend the server's inference worker uses.
    await server.pool.info(server.registry.get(TIMBRE_MODEL));
    await tf.setBackend(server.pool.backend!);
    model = await NoteModel.load(path.join(server.modelsDir, TIMBRE_MODEL));
  });
  after(async () => {
    model?.dispose();
    await server?.close();
    if (server) removeDir(server.dir);
  });

  /** What `studio generate note --seed S --instrument NAME` computes: the seed's latent moved into the class. */
  const expectedNote = (seed: number, instrument: string | null, pitch = 60) => {
    const latent = latentForSeed(seed, model.spec.latentSize);
    const latents = [instrument === null ? latent : withTimbreClass(model.spec, latent, instrument)];
    return wav16(model.generate({ pitches: [pitch], latents })[0]!, model.sampleRate);
  };

  it("lists a model's instruments in its capabilities (HTTP and socket), and none for a model without classes", async () => {
    assert.deepEqual(model.spec.timbreClasses?.classes, INSTRUMENTS);
    const models = (await getJson(`${server.url}/api/models`)).body as ModelSummary[];
    const byId = new Map(models.map((m) => [m.id, m]));
    assert.deepEqual(byId.get(TIMBRE_MODEL)!.capabilities.instruments, INSTRUMENTS);
    assert.equal('instruments' in byId.get(PLAIN_MODEL)!.capabilities, false);
    assert.equal(byId.get(PLAIN_MODEL)!.capabilities.latentSize, 8, 'the other capabilities are still there');
    const socket = await connect(server.url);
    const listed = await request<ModelSummary[]>(socket, 'models:list', {});
    assert.ok(listed.ok && listed.data.find((m) => m.id === TIMBRE_MODEL)!.capabilities.instruments !== undefined);
    assert.deepEqual(listed.ok && listed.data.find((m) => m.id === TIMBRE_MODEL)!.capabilities.instruments, INSTRUMENTS);
    socket.close();
  });

  it('a note with an instrument is the seed\'s timbre moved into that class (the CLI\'s withTimbreClass), another instrument another note', async () => {
    const seed = 5;
    const own = INSTRUMENTS[timbreClassOf(model.spec, latentForSeed(seed, model.spec.latentSize))]!;
    const notes = new Map<string, Buffer>();
    for (const instrument of INSTRUMENTS) {
      const res = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(noteBody({ seed, instrument })) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-disposition'), `attachment; filename="${TIMBRE_MODEL}_C4-60_v100_seed${seed}_${instrument}.wav"`);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.ok(bytes.equals(expectedNote(seed, instrument)), `${instrument}: the same bytes as NoteModel with withTimbreClass`);
      notes.set(instrument, bytes);
    }
    assert.equal(new Set([...notes.values()].map((b) => b.toString('base64'))).size, INSTRUMENTS.length, 'each instrument its own note from one seed');
    const plain = Buffer.from(await (await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(noteBody({ seed })) })).arrayBuffer());
    assert.ok(plain.equals(notes.get(own)!), `the seed's own instrument (${own}) is the note without one`);

    // Over the socket: the same bytes, the instrument echoed; batched with notes of other instruments and none.
    const socket = await connect(server.url);
    const asks = [...INSTRUMENTS, null].map((instrument) => noteBody({ seed, pitch: 48, ...(instrument ? { instrument } : {}) }));
    const replies = await Promise.all(asks.map((a) => request<NoteReply>(socket, 'note:generate', a)));
    for (const [i, reply] of replies.entries()) {
      const instrument = [...INSTRUMENTS, null][i]!;
      assert.ok(reply.ok, JSON.stringify(reply));
      assert.equal(reply.data.instrument, instrument);
      assert.ok(Buffer.from(reply.data.audio).equals(expectedNote(seed, instrument, 48)), `socket ${instrument}`);
    }
    socket.close();
  });

  it('moves a given latent into the instrument too (the pad blends of the web client)', async () => {
    const latent = Array.from(latentForSeed(11, model.spec.latentSize));
    const byLatent = await fetch(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: TIMBRE_MODEL, pitch: 60, latent, instrument: 'reed' }) });
    assert.equal(byLatent.headers.get('content-disposition'), `attachment; filename="${TIMBRE_MODEL}_C4-60_v100_latent_reed.wav"`);
    assert.ok(Buffer.from(await byLatent.arrayBuffer()).equals(expectedNote(11, 'reed')));
  });

  it('refuses an unknown instrument, or any instrument on a model without classes, as BAD_INPUT naming the choices; a batch-mate still gets its note', async () => {
    const unknown = await postJson(`${server.url}/api/notes`, noteBody({ instrument: 'kazoo' }));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'BAD_INPUT');
    assert.equal(unknown.body.error.message, 'unknown instrument "kazoo"; this model knows brass, flute, reed');
    const plain = await postJson(`${server.url}/api/notes`, { model: PLAIN_MODEL, pitch: 60, seed: 1, instrument: 'flute' });
    assert.equal(plain.status, 400);
    assert.match(plain.body.error.message, /this model has no timbre classes/);
    const tooLong = await postJson(`${server.url}/api/notes`, noteBody({ instrument: 'x'.repeat(129) }));
    assert.equal(tooLong.status, 400);
    assert.equal(noteRequestSchema.safeParse({ pitch: 60, instrument: '' }).success, false);
    assert.equal(noteRequestSchema.safeParse({ pitch: 60, instrument: 7 }).success, false);

    const socket = await connect(server.url);
    const [bad, good] = await Promise.all([
      request<NoteReply>(socket, 'note:generate', noteBody({ seed: 2, instrument: 'kazoo' })),
      request<NoteReply>(socket, 'note:generate', noteBody({ seed: 2, instrument: 'brass' })),
    ]);
    assert.ok(!bad.ok && bad.error.code === 'BAD_INPUT' && bad.error.message === 'unknown instrument "kazoo"; this model knows brass, flute, reed', JSON.stringify(bad));
    assert.ok(good.ok && Buffer.from(good.data.audio).equals(expectedNote(2, 'brass')));
    const instrument = await request<InstrumentReply>(socket, 'instrument:generate', { model: TIMBRE_MODEL, seed: 2, instrument: 'kazoo', pitchRange: { min: 58, max: 60 } });
    assert.ok(!instrument.ok && instrument.error.code === 'BAD_INPUT' && /unknown instrument "kazoo"/.test(instrument.error.message), JSON.stringify(instrument));
    const httpInstrument = await postJson(`${server.url}/api/instruments`, { model: PLAIN_MODEL, seed: 2, instrument: 'brass', pitchRange: { min: 58, max: 60 } });
    assert.equal(httpInstrument.status, 400);
    assert.match(httpInstrument.body.error.message, /this model has no timbre classes/);
    socket.close();
  });

  it('renders a sampler instrument in the named instrument, named after it', async () => {
    const body = { model: TIMBRE_MODEL, seed: 4, pitchRange: { min: 58, max: 60 } };
    const socket = await connect(server.url);
    const [flute, reed] = await Promise.all(['flute', 'reed'].map((instrument) => request<InstrumentReply>(socket, 'instrument:generate', { ...body, instrument })));
    assert.ok(flute!.ok && reed!.ok, JSON.stringify([flute, reed]));
    assert.equal(flute.data.instrument, 'flute');
    assert.equal(flute.data.filename, `${TIMBRE_MODEL}_seed4_flute_As3-C4.zip`);
    const files = unzipSync(flute.data.zip);
    assert.match(strFromU8(files[`${TIMBRE_MODEL}_seed4_flute_As3-C4.sfz`]!), /instrument flute/);
    const reedFiles = unzipSync(reed.data.zip);
    const wavs = Object.keys(files).filter((n) => n.endsWith('.wav'));
    assert.equal(wavs.length, 3);
    for (const name of wavs) {
      assert.ok(reedFiles[name], name);
      assert.ok(!Buffer.from(files[name]!).equals(Buffer.from(reedFiles[name]!)), `${name}: flute and reed differ`);
    }
    const res = await fetch(`${server.url}/api/instruments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, instrument: 'flute' }) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), `attachment; filename="${TIMBRE_MODEL}_seed4_flute_As3-C4.zip"`);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(flute.data.zip)), 'HTTP and socket give the same zip');
    socket.close();
  });

  it('keeps file names safe whatever the instrument is called', () => {
    for (const instrument of ['../../etc/passwd', 'a "quoted" name\r\n', 'é', '.', 'x'.repeat(128), 'synth_lead_msgl_081']) {
      const note = noteFilename({ model: 'm', midiPitch: 60, velocity: 100, seed: 1, instrument, format: 'wav24' });
      assert.ok(sharedFileNameSchema.safeParse(note).success, note);
      assert.ok(!note.includes('/') && !note.includes('..'), note);
      const zip = `${instrumentBaseName({ model: 'm', seed: 1, instrument, minPitch: 24, maxPitch: 84 })}.zip`;
      assert.ok(sharedFileNameSchema.safeParse(zip).success && zip.length <= 64 + 4, zip);
    }
    assert.equal(noteFilename({ model: 'm', midiPitch: 60, velocity: 100, seed: 1, instrument: 'synth_lead_msgl_081', format: 'wav16' }), 'm_C4-60_v100_seed1_synth_lead_msgl_081.wav');
    assert.equal(noteFilename({ model: 'm', midiPitch: 60, velocity: 100, seed: 1, instrument: null, format: 'wav16' }), 'm_C4-60_v100_seed1.wav');
  });
});
