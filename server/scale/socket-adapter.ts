/**
 * Several `studio serve` instances behind one URL share socket.io rooms and broadcasts through Redis
 * (@socket.io/redis-adapter). Each instance still relays job events to its own sockets only (every instance hears
 * the queues' events), and a socket's requests must reach the instance that holds it: load balancers need sticky
 * sessions (or clients that use the websocket transport only). See the README, "Running on several machines".
 */
import type { Server as SocketServer } from 'socket.io';
import type { Redis } from 'ioredis';
import { ioredisOptions, parseRedisUrl, redactRedisUrl, redactSecrets } from './redis-url.js';
import { loadRedisModules } from './redis-modules.js';
import { DEFAULT_QUEUE_PREFIX } from './queues.js';

export interface RedisAdapterHandle {
  close(): Promise<void>;
}

export async function attachRedisAdapter(io: SocketServer, redisUrl: string, options: { prefix?: string; log?: (line: string) => void } = {}): Promise<RedisAdapterHandle> {
  const settings = parseRedisUrl(redisUrl);
  const log = options.log ?? ((line: string) => console.error(line));
  const { IORedis, createAdapter } = await loadRedisModules();
  const pub = new IORedis(ioredisOptions(settings, true)) as Redis;
  const sub = pub.duplicate();
  for (const client of [pub, sub]) {
    client.on('error', (err: Error) => log(`studio: socket.io adapter, Redis ${redactRedisUrl(redisUrl)}: ${redactSecrets(err.message, settings)}`));
  }
  io.adapter(createAdapter(pub, sub, { key: `${options.prefix ?? DEFAULT_QUEUE_PREFIX}:socket.io` }));
  return {
    async close() {
      await Promise.all([pub.quit().catch(() => pub.disconnect()), sub.quit().catch(() => sub.disconnect())]);
    },
  };
}
