/**
 * bullmq, ioredis and @socket.io/redis-adapter are loaded only here, on first use in Redis mode, so a one-machine
 * studio never loads them (and would still start if they were missing).
 */
import { StudioError, describeThrown } from '../util/errors.js';

export interface RedisModules {
  bullmq: typeof import('bullmq');
  IORedis: typeof import('ioredis').Redis;
  createAdapter: typeof import('@socket.io/redis-adapter').createAdapter;
}

let loading: Promise<RedisModules> | null = null;

export function loadRedisModules(): Promise<RedisModules> {
  loading ??= (async () => {
    try {
      const [bullmq, ioredis, adapter] = await Promise.all([import('bullmq'), import('ioredis'), import('@socket.io/redis-adapter')]);
      return { bullmq, IORedis: ioredis.Redis, createAdapter: adapter.createAdapter };
    } catch (err) {
      loading = null;
      throw new StudioError('UNAVAILABLE', `Redis mode needs the packages bullmq, ioredis and @socket.io/redis-adapter (npm install): ${describeThrown(err)}`);
    }
  })();
  return loading;
}
