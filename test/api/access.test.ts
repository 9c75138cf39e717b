import { strict as assert } from 'node:assert';
import { request as httpRequest } from 'node:http';
import { startStudioServer } from '../../server/api/app.js';
import { StudioError } from '../../server/util/errors.js';
import { connect, getJson, removeDir, request, startTestServer, type TestServer } from './helpers.js';

/** A raw HTTP GET with a chosen Host header (fetch will not send a forged Host). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('api: host, token and origin rules', () => {
  const TOKEN = 'test-token-0123456789abcdef';

  it('refuses to listen beyond loopback without a token (or with a short one)', async () => {
    await assert.rejects(startStudioServer({ host: '0.0.0.0', port: 0, preload: false }), (err: unknown) => err instanceof StudioError && err.code === 'UNAUTHORIZED' && /STUDIO_TOKEN/.test(err.message));
    await assert.rejects(startStudioServer({ host: '0.0.0.0', port: 0, token: 'short', preload: false }), /at least 16 characters/);
  });

  describe('with a token, on all interfaces', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ host: '0.0.0.0', token: TOKEN, preload: false });
    });
    after(async () => {
      await server.close();
      removeDir(server.dir);
    });

    it('requires "Authorization: Bearer <token>" on the API and serves the page without it', async () => {
      const url = `http://127.0.0.1:${server.port}`;
      for (const auth of [undefined, 'Bearer wrong-token-0123456789', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, 'Bearer']) {
        const res = await getJson(`${url}/api/health`, { headers: auth ? { authorization: auth } : {} });
        assert.equal(res.status, 401, String(auth));
        assert.equal(res.body.error.code, 'UNAUTHORIZED');
      }
      assert.equal((await getJson(`${url}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
      assert.equal((await getJson(`${url}/api/health?access_token=${TOKEN}`)).status, 200, 'GET links may carry the token');
      assert.equal((await fetch(`${url}/`)).status, 200);
      // Any host name is fine once a token guards the API.
      assert.equal((await getWithHost(`${url}/`, 'studio.example:8080')).status, 200);
    });

    it('takes the token in the socket handshake and refuses sockets without it', async () => {
      const url = `http://127.0.0.1:${server.port}`;
      await assert.rejects(connect(url), /missing or wrong token/);
      await assert.rejects(connect(url, { token: 'nope' }), /missing or wrong token/);
      const socket = await connect(url, { token: TOKEN });
      const reply = await request(socket, 'models:list', {});
      assert.deepEqual(reply, { ok: true, data: [] });
      socket.close();
    });
  });

  describe('on loopback without a token', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ preload: false, allowedOrigins: ['http://localhost:5173'] });
    });
    after(async () => {
      await server.close();
      removeDir(server.dir);
    });

    it('needs no token', async () => {
      assert.equal((await getJson(`${server.url}/api/health`)).status, 200);
      const socket = await connect(server.url);
      socket.close();
    });

    it('refuses sockets and API calls from pages of other origins', async () => {
      const own = `http://127.0.0.1:${server.port}`;
      await assert.rejects(connect(server.url, { extraHeaders: { origin: 'http://evil.example' } }));
      await assert.rejects(connect(server.url, { extraHeaders: { origin: 'null' } }));
      (await connect(server.url, { extraHeaders: { origin: own } })).close();
      (await connect(server.url, { extraHeaders: { origin: 'http://localhost:5173' } })).close();
      const cross = await getJson(`${server.url}/api/jobs`, { method: 'POST', headers: { origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{}' });
      assert.equal(cross.status, 401);
      assert.match(cross.body.error.message, /origin http:\/\/evil\.example may not use this server/);
      const same = await getJson(`${server.url}/api/health`, { headers: { origin: own } });
      assert.equal(same.status, 200);
    });

    it('sends CORS headers to the extra allowed origins only, and answers their preflights', async () => {
      const preflight = await fetch(`${server.url}/api/notes`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:5173');
      assert.match(preflight.headers.get('access-control-allow-headers')!, /Authorization/);
      const get = await fetch(`${server.url}/api/health`, { headers: { origin: 'http://localhost:5173' } });
      assert.equal(get.status, 200);
      assert.match(get.headers.get('access-control-expose-headers')!, /Content-Disposition/);
      const other = await fetch(`${server.url}/api/health`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
      assert.equal(other.status, 401);
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    });

    it('answers only loopback host names (a DNS-rebinding page gets nothing)', async () => {
      const rebinding = await getWithHost(`${server.url}/api/health`, 'attacker.example:8080');
      assert.equal(rebinding.status, 401);
      assert.match(JSON.parse(rebinding.body).error.message, /loopback names only/);
      assert.equal((await getWithHost(`${server.url}/`, 'attacker.example')).status, 401);
      assert.equal((await getWithHost(`${server.url}/api/health`, `localhost:${server.port}`)).status, 200);
      assert.equal((await getWithHost(`${server.url}/api/health`, `[::1]:${server.port}`)).status, 200);
    });
  });
});
