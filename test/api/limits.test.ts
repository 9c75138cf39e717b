import { strict as assert } from 'node:assert';
import { connect, getJson, postJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

describe('api: limits on request rate, connections and message size', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      preload: false,
      limits: { httpRequestsPerSecond: 2, httpBurst: 4, socketRequestsPerSecond: 1, socketBurst: 3, maxSocketsPerIp: 3, socketMessageBytes: 10_000, jsonBodyBytes: 2000 },
    });
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  it('HTTP: a client over its rate gets 429 with Retry-After, then is served again', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await postJson(`${server.url}/api/notes`, { pitch: 999 });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        assert.equal(res.body.error.code, 'RATE_LIMITED');
      }
    }
    assert.deepEqual(statuses, [400, 400, 400, 400, 429, 429]);
    assert.equal(retryAfter, '1');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await postJson(`${server.url}/api/notes`, { pitch: 999 })).status, 400);
  });

  it('socket: requests over the rate are refused per connection; other connections are not affected', async () => {
    const busy = await connect(server.url);
    const calm = await connect(server.url);
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await request(busy, 'models:list', null));
    assert.deepEqual(replies.map((r) => (r.ok ? 'ok' : r.error.code)), ['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    assert.equal((await request(calm, 'models:list', null)).ok, true);
    busy.close();
    calm.close();
  });

  it('socket: at most maxSocketsPerIp connections from one address', async () => {
    const sockets = await Promise.all([connect(server.url), connect(server.url), connect(server.url)]);
    await assert.rejects(connect(server.url), /at most 3 connections per address/);
    sockets[0]!.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await connect(server.url);
    for (const s of [...sockets, again]) s.close();
  });

  it('socket: a message over the size limit drops only that connection', async () => {
    const big = await connect(server.url);
    const other = await connect(server.url);
    const dropped = new Promise<string>((resolve) => big.once('disconnect', (reason) => resolve(reason)));
    big.emit('note:generate', { pitch: 60, latent: Array.from({ length: 5000 }, () => 0.5) } as never, () => undefined);
    assert.equal(await dropped, 'transport close');
    assert.equal((await request(other, 'models:list', null)).ok, true);
    other.close();
    await new Promise((r) => setTimeout(r, 1100));
  });

  it('HTTP: bodies over the limit are refused with 413 before parsing', async () => {
    await new Promise((r) => setTimeout(r, 2100));
    const res = await getJson(`${server.url}/api/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'data-notes', options: { font: 'x'.repeat(3000) } }) });
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'TOO_LARGE');
  });
});
