/**
 * Requests per client as token buckets: each key (an IP address, a socket) holds up to `burst` tokens, refilled at
 * `perSecond`; a request takes `cost` tokens or is refused with the time until it would fit.
 */
export interface RateLimitOptions {
  perSecond: number;
  burst: number;
  /** Buckets kept at most; full idle buckets are dropped first. */
  maxKeys?: number;
}

export const rateLimitDefaults = { maxKeys: 10_000 };

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private readonly maxKeys: number;

  constructor(private readonly options: RateLimitOptions) {
    this.maxKeys = options.maxKeys ?? rateLimitDefaults.maxKeys;
  }

  /** 0 when allowed (and the tokens are taken); otherwise milliseconds to wait. */
  take(key: string, cost = 1, nowMs = Date.now()): number {
    const { perSecond, burst } = this.options;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune(nowMs);
      bucket = { tokens: burst, atMs: nowMs };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.atMs) / 1000) * perSecond);
    bucket.atMs = nowMs;
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.ceil(((cost - bucket.tokens) / perSecond) * 1000);
  }

  forget(key: string): void {
    this.buckets.delete(key);
  }

  private prune(nowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((nowMs - bucket.atMs) / 1000) * this.options.perSecond;
      if (refilled >= this.options.burst) this.buckets.delete(key);
    }
    // Still full of active clients: drop the oldest half rather than grow without bound.
    if (this.buckets.size >= this.maxKeys) {
      let n = 0;
      for (const key of this.buckets.keys()) if (n++ < this.maxKeys / 2) this.buckets.delete(key);
    }
  }
}
