import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tf } from '../../server/ml/tf.js';
import { writeModelFolder } from '../registry/fixtures.js';
import { getJson, postJson, removeDir, startTestServer, type TestServer } from './helpers.js';

describe('api: HTTP routes, errors and downloads', () => {
  let server: TestServer;

  before(async () => {
    await tf.setBackend('cpu');
    server = await startTestServer({ preload: false });
    await writeModelFolder(path.join(server.modelsDir, 'loops-x'), 'loops', 5, { bars: 4 });
    await writeModelFolder(path.join(server.modelsDir, 'notes-x'), 'notes', 9);
    mkdirSync(path.join(server.modelsDir, 'notes-x', 'previews', 'step-9'), { recursive: true });
    writeFileSync(path.join(server.modelsDir, 'notes-x', 'previews', 'step-9', 'p060.wav'), 'RIFF....WAVE');
    writeFileSync(path.join(server.modelsDir, 'notes-x', 'previews', '.hidden.wav'), 'x');
    writeFileSync(path.join(server.dir, 'secret.txt'), 'secret');
    await server.registry.scan();
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  it('GET /api/health says status, backend, version and models; GET /api/models lists them', async () => {
    const health = await getJson(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
    assert.match(health.body.version, /^\d+\.\d+\.\d+/);
    assert.ok('backend' in health.body);
    assert.deepEqual(health.body.models, [{ id: 'loops-x', kind: 'loops' }, { id: 'notes-x', kind: 'notes' }]);
    const models = await getJson(`${server.url}/api/models`);
    assert.deepEqual(models.body.map((m: { id: string; step: number; preset: string }) => [m.id, m.step, m.preset]), [['loops-x', 5, 'tiny'], ['notes-x', 9, 'tiny']]);
  });

  it('answers errors as JSON with a code and a message, with the matching status', async () => {
    const cases: [string, RequestInit, number, string, RegExp][] = [
      ['/api/nope', {}, 404, 'NOT_FOUND', /no route GET \/api\/nope/],
      ['/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pitch": 60,' }, 400, 'BAD_INPUT', /not valid JSON/],
      ['/api/notes', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"pitch": 60}' }, 400, 'BAD_INPUT', /as JSON/],
      ['/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 200 }) }, 400, 'BAD_INPUT', /pitch: .*84/],
      ['/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 60, extra: 1 }) }, 400, 'BAD_INPUT', /extra/],
      ['/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'nope', pitch: 60 }) }, 404, 'NOT_FOUND', /unknown model "nope"; known notes models: notes-x/],
      ['/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: '../models/notes-x', pitch: 60 }) }, 400, 'BAD_INPUT', /model id/],
      ['/api/loops', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'notes-x' }) }, 400, 'BAD_INPUT', /is a notes model, not a loops model/],
      ['/api/loops', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bars: 0, tempo: 9999 }) }, 400, 'BAD_INPUT', /bars: .*; tempo: /],
      ['/api/notes', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pitch: 60, pad: 'x'.repeat(70_000) }) }, 413, 'TOO_LARGE', /larger than 65536 bytes/],
      ['/api/jobs/Bad_Id', {}, 400, 'BAD_INPUT', /not a job id/],
      ['/api/jobs/abc-123', {}, 404, 'NOT_FOUND', /no job "abc-123"/],
      ['/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'train-notes', options: { model: '../../etc' } }) }, 400, 'BAD_INPUT', /options\.model/],
      ['/api/jobs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'rm -rf', options: {} }) }, 400, 'BAD_INPUT', /type/],
    ];
    for (const [route, init, status, code, message] of cases) {
      const res = await getJson(`${server.url}${route}`, init);
      assert.equal(res.status, status, `${route} ${String(init.body).slice(0, 60)}: ${JSON.stringify(res.body)}`);
      assert.match(res.headers.get('content-type')!, /^application\/json/);
      assert.equal(res.body.error.code, code, route);
      assert.match(res.body.error.message, message, route);
    }
  });

  it('says plainly when no model of a kind is installed', async () => {
    const empty = await startTestServer({ preload: false });
    try {
      const res = await postJson(`${empty.url}/api/loops`, { bars: 4 });
      assert.equal(res.status, 503);
      assert.equal(res.body.error.code, 'UNAVAILABLE');
      assert.match(res.body.error.message, /no loops model is installed/);
    } finally {
      await empty.close();
      removeDir(empty.dir);
    }
  });

  it("serves a model's preview files with their type and a telling filename, and nothing outside previews/", async () => {
    const res = await fetch(`${server.url}/api/models/notes-x/previews/step-9/p060.wav`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/wav');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="notes-x_p060.wav"');
    assert.equal(await res.text(), 'RIFF....WAVE');
    for (const probe of ['step-9/../../spec.json', '..%2F..%2Fspec.json', '.hidden.wav', 'step-9/p060.exe', '%2e%2e/%2e%2e/%2e%2e/secret.txt', 'a/b/c.wav', 'step-9%2Fp060.wav']) {
      const bad = await getJson(`${server.url}/api/models/notes-x/previews/${probe}`);
      assert.equal(bad.status, 404, probe);
      assert.equal(bad.body.error.code, 'NOT_FOUND', probe);
    }
    const unknown = await getJson(`${server.url}/api/models/..%2F..%2Fetc/previews/passwd.txt`);
    assert.equal(unknown.status, 404);
  });

  it('serves a status page at / until the client is built, then the client', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    const html = await page.text();
    assert.match(html, /Studio server/);
    assert.match(html, /notes-x/);
    assert.doesNotMatch(html, /<script/);

    const clientDir = path.join(server.dir, 'built-client');
    mkdirSync(clientDir);
    writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>client</title>');
    const withClient = await startTestServer({ preload: false, clientDir, dir: server.dir, modelsDirs: [server.modelsDir], stateDir: path.join(server.dir, 'state2') });
    try {
      assert.equal(await (await fetch(`${withClient.url}/`)).text(), '<!doctype html><title>client</title>');
      assert.equal((await fetch(`${withClient.url}/../secret.txt`)).status, 404);
    } finally {
      await withClient.close();
    }
  });
});
