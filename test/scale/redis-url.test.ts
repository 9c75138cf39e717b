import { strict as assert } from 'node:assert';
import { parseRedisUrl, redactRedisUrl, redactSecrets } from '../../server/scale/redis-url.js';
import { parseQueueList, queueOfType } from '../../server/scale/queues.js';
import { JOB_TYPES } from '../../server/protocol.js';
import { StudioError } from '../../server/util/errors.js';

describe('scale: Redis URLs and queues', () => {
  it('reads host, port, user, password, database and TLS from redis:// and rediss:// URLs', () => {
    assert.deepEqual(parseRedisUrl('redis://127.0.0.1:6390'), { host: '127.0.0.1', port: 6390, username: undefined, password: undefined, db: 0, tls: false });
    assert.deepEqual(parseRedisUrl('rediss://studio:s%40cret@cache.example.org/3'), { host: 'cache.example.org', port: 6379, username: 'studio', password: 's@cret', db: 3, tls: true });
    assert.deepEqual(parseRedisUrl('redis://:only-pass@[::1]:7000'), { host: '::1', port: 7000, username: undefined, password: 'only-pass', db: 0, tls: false });
  });

  it('refuses other schemes, bad databases and garbage without echoing the password', () => {
    for (const bad of ['http://u:topsecret@host:1', 'redis://u:topsecret@host:1/99', 'redis://u:topsecret@host:1/x', 'redis//u:topsecret@host']) {
      assert.throws(() => parseRedisUrl(bad), (err: unknown) => err instanceof StudioError && err.code === 'BAD_INPUT' && !err.message.includes('topsecret'), bad);
    }
  });

  it('redacts passwords in URLs and in free text', () => {
    assert.equal(redactRedisUrl('redis://user:hunter2@10.0.0.5:6379/1'), 'redis://user:***@10.0.0.5:6379/1');
    assert.equal(redactRedisUrl('rediss://:hunter2@h'), 'rediss://:***@h');
    assert.equal(redactRedisUrl('redis://h:6379'), 'redis://h:6379');
    assert.equal(redactSecrets('failed: redis://a:hunter2@h:1 and rediss://:pw2@z'), 'failed: redis://a:***@h:1 and rediss://:***@z');
    assert.equal(redactSecrets('WRONGPASS hunter2 is not right', { password: 'hunter2' }), 'WRONGPASS *** is not right');
  });

  it('puts every job type on a queue; --queues takes known names only', () => {
    assert.deepEqual(JOB_TYPES.map(queueOfType), ['train', 'train', 'data', 'data', 'render', 'render']);
    assert.deepEqual(parseQueueList('render, train,render'), ['render', 'train']);
    assert.throws(() => parseQueueList('train,gpu'), /unknown: gpu/);
    assert.throws(() => parseQueueList(' , '), /comma-separated/);
  });
});
