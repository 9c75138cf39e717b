import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { CLIENT_EVENTS, ERROR_CODES } from '../../server/protocol.js';
import { writeModelFolder } from '../registry/fixtures.js';
import { FuzzRandom, deepArray, mutate, randomBytes, randomValue } from './fuzz.js';
import { connect, getJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

const VALID: Record<string, Record<string, unknown>> = {
  'note:generate': { model: 'notes-x', pitch: 60, velocity: 100, seed: 1 },
  'instrument:generate': { model: 'notes-x', seed: 1, pitchRange: { min: 60, max: 62 } },
  'loop:generate': { model: 'loops-x', bars: 4, tempo: 120, seed: 1, threshold: 0.5 },
  'job:start': { type: 'data-notes', options: { out: 'x' } },
  'job:get': { id: 'abc' },
  'jam:start': { model: 'loops-x', bars: 4, tempo: 120 },
  'jam:update': { threshold: 0.4, transport: { bar: 1.5 } },
};
const ROUTES: [string, string][] = [
  ['POST', '/api/notes'], ['POST', '/api/instruments'], ['POST', '/api/loops'], ['POST', '/api/jobs'],
  ['POST', '/api/files?filename=x.wav'], ['POST', '/api/files?filename=../x'], ['DELETE', '/api/jobs/abc'], ['POST', '/api/jobs/abc/resume'], ['GET', '/api/jobs/abc'], ['GET', '/api/models/notes-x/previews/x.wav'],
];

describe('api: fuzzed input gets clear errors and leaves the server serving others', () => {
  let server: TestServer;
  before(async () => {
    await tf.setBackend('cpu');
    server = await startTestServer({
      preload: false,
      // The fuzzers are one client sending hundreds of requests: no rate limit here (limits.test.ts covers it).
      limits: { httpRequestsPerSecond: 1e6, httpBurst: 1e6, socketRequestsPerSecond: 1e6, socketBurst: 1e6 },
      jobs: { launcher: [process.execPath, '-e', 'process.exit(0)'] },
    });
    // Models whose folders are real but whose weights are not a network: requests that pass validation fail in the
    // worker, which must also come back as a clear error.
    await writeModelFolder(path.join(server.modelsDir, 'notes-x'), 'notes', 1);
    await writeModelFolder(path.join(server.modelsDir, 'loops-x'), 'loops', 1);
    await server.registry.scan();
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  it('HTTP: random bodies, bytes, types and shapes on every route', async () => {
    const rng = new FuzzRandom(7);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 300; i++) {
      const [method, route] = rng.pick(ROUTES);
      const kind = rng.int(5);
      const body =
        kind === 0 ? JSON.stringify(randomValue(rng))
        : kind === 1 ? Buffer.from(randomBytes(rng, rng.int(400)))
        : kind === 2 ? deepArray(1 + rng.int(20_000))
        : kind === 3 ? JSON.stringify(mutate(rng, VALID[rng.pick(Object.keys(VALID))]!))
        : `{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "pitch": ${rng.int(200)}}`;
      const type = rng.next() < 0.5 ? 'application/json' : rng.pick(['application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', '']);
      const init: RequestInit = method === 'GET' ? {} : { method, body, headers: type ? { 'content-type': type } : {} };
      const res = await getJson(`${server.url}${route}`, init);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status >= 400 && res.status < 600 && res.status !== 500, `${method} ${route} -> ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.ok(ERROR_CODES.includes(res.body?.error?.code), `${method} ${route}: ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.equal(typeof res.body.error.message, 'string');
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
    assert.ok(statuses.size >= 3, `varied outcomes: ${JSON.stringify([...statuses])}`);
    assert.equal((await getJson(`${server.url}/api/health`)).status, 200);
  });

  it('a model folder that is not a working network gets a clear error naming it (by id, not by server path)', async () => {
    const res = await getJson(`${server.url}/api/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'notes-x', pitch: 60 }) });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'BAD_FILE');
    assert.match(res.body.error.message, /^model notes-x\/spec\.json: not a note model spec/);
    assert.doesNotMatch(res.body.error.message, new RegExp(server.dir));
  });

  it('socket: random events, payloads, binary and argument shapes; every ack is a clear error; others are served', async () => {
    const rng = new FuzzRandom(11);
    const fuzzer = await connect(server.url);
    const bystander = await connect(server.url);
    const codes = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const event = rng.next() < 0.85 ? rng.pick(CLIENT_EVENTS) : rng.pick(['', 'note', 'job:subscribe:all', '__proto__', 'message', 'ping', 'x'.repeat(300)]);
      const valid = VALID[event];
      const shape = rng.int(6);
      const payload =
        shape === 0 ? randomValue(rng)
        : shape === 1 && valid ? mutate(rng, valid)
        : shape === 2 ? Buffer.from(randomBytes(rng, rng.int(64)))
        : shape === 3 ? { ...(valid ?? {}), condition: { midi: Buffer.from(randomBytes(rng, 50)), track: 'piano' }, latent: randomBytes(rng, 8) }
        : shape === 4 ? JSON.parse(deepArray(1 + rng.int(500)))
        : undefined;
      if (rng.next() < 0.1) {
        // No acknowledgement to answer: the server must simply not fall over.
        (fuzzer as unknown as { emit(e: string, ...a: unknown[]): void }).emit(event, payload, randomValue(rng));
        continue;
      }
      const reply = (await request(fuzzer, event, payload, 10_000)) as { ok: boolean; error?: { code: string; message: string } };
      if (reply.ok) continue; // e.g. models:list ignores its payload
      codes.set(reply.error!.code, (codes.get(reply.error!.code) ?? 0) + 1);
      assert.ok(ERROR_CODES.includes(reply.error!.code as never), JSON.stringify(reply));
      assert.notEqual(reply.error!.code, 'INTERNAL', `${event} ${JSON.stringify(payload)?.slice(0, 200)}: ${reply.error!.message}`);
      assert.ok(reply.error!.message.length > 0 && reply.error!.message.length < 2000);
    }
    assert.ok((codes.get('BAD_INPUT') ?? 0) > 100, JSON.stringify([...codes]));
    assert.ok(fuzzer.connected, 'the fuzzing client itself is still connected');
    const list = await request(bystander, 'models:list', null);
    assert.equal(list.ok, true);
    assert.equal((await getJson(`${server.url}/api/health`)).status, 200);
    fuzzer.close();
    bystander.close();
  });
});
