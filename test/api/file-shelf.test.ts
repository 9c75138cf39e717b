import { strict as assert } from 'node:assert';
import { FileShelf } from '../../server/api/file-shelf.js';
import { LIMITS, type SharedFile } from '../../server/protocol.js';
import { getJson, removeDir, startTestServer, type TestServer } from './helpers.js';

describe('api: the shared-file shelf (drag-out URLs)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ preload: false });
  });
  after(async () => {
    await server.close();
    removeDir(server.dir);
  });

  const put = (filename: string, type: string, body: Uint8Array | string) =>
    getJson(`${server.url}/api/files?filename=${encodeURIComponent(filename)}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('keeps a file and serves it back from its URL with its type and name', async () => {
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => i % 251);
    const res = await put('notes-default_C4-60_v100_seed1.wav', 'audio/wav', bytes);
    assert.equal(res.status, 201);
    const file = res.body as SharedFile;
    assert.match(file.id, /^[0-9a-f]{24}$/);
    assert.equal(file.url, `/api/files/${file.id}/notes-default_C4-60_v100_seed1.wav`);
    assert.equal(file.bytes, 3000);
    assert.ok(Date.parse(file.expiresAt) - Date.now() > 3500_000);
    const back = await fetch(`${server.url}${file.url}`);
    assert.equal(back.status, 200);
    assert.equal(back.headers.get('content-type'), 'audio/wav');
    assert.equal(back.headers.get('content-disposition'), 'attachment; filename="notes-default_C4-60_v100_seed1.wav"');
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(Buffer.from(bytes)));
    assert.equal((await getJson(`${server.url}/api/files/${file.id}/other.wav`)).status, 404);
    assert.equal((await getJson(`${server.url}/api/files/${'0'.repeat(24)}/x.wav`)).status, 404);
  });

  it('refuses odd names, mismatched types, empty and oversized files', async () => {
    for (const [name, type, status, message] of [
      ['../../etc/passwd.wav', 'audio/wav', 400, /filename/],
      ['loop.exe', 'application/octet-stream', 400, /filename/],
      ['.hidden.wav', 'audio/wav', 400, /filename/],
      ['loop.mid', 'audio/wav', 400, /Content-Type: audio\/midi/],
      ['loop.mid', 'audio/midi', 400, /empty/],
    ] as const) {
      const res = await put(name, type, name === 'loop.mid' && type === 'audio/midi' ? '' : 'MThd');
      assert.equal(res.status, status, `${name}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.error.message, message);
    }
    const big = await put('big.zip', 'application/zip', new Uint8Array(LIMITS.maxSharedFileBytes + 1));
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'TOO_LARGE');
  });

  it('drops files after their time, and the oldest first when over capacity', () => {
    const shelf = new FileShelf({ ttlSeconds: 10, capacityBytes: 100 });
    const a = shelf.put('a.wav', 'audio/wav', new Uint8Array(40), 0);
    const b = shelf.put('b.wav', 'audio/wav', new Uint8Array(40), 1000);
    const c = shelf.put('c.wav', 'audio/wav', new Uint8Array(40), 2000);
    assert.equal(shelf.get(a.id, 'a.wav', 2000), null, 'the oldest went to make room');
    assert.ok(shelf.get(b.id, 'b.wav', 2000));
    assert.deepEqual(shelf.size, { files: 2, bytes: 80 });
    assert.equal(shelf.get(b.id, 'b.wav', 11_000), null, 'expired');
    assert.ok(shelf.get(c.id, 'c.wav', 11_000));
  });
});
