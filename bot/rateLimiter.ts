/**
 * Token-bucket rate limit per key (a conversation, a client address): a burst of `burst`, then
 * `perSecond` sustained. One chatty or scripted sender must not starve the others.
 */
export interface RateLimitOptions {
  burst: number;
  perSecond: number;
  /** Buckets idle this long are forgotten (memory stays bounded by active senders). */
  idleMs?: number;
  /**
   * At most this many buckets: beyond it the least recently used is forgotten, so a flood of
   * new keys between two sweeps cannot grow memory without bound.
   */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  /** In order of last use (take() re-inserts), so the first key is the least recently used. */
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxKeys: number;
  private lastSweep = 0;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes one token for the key; returns 0 if allowed, else the seconds until one is available. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    const bucket = this.refilled(key, now);
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.wait(bucket);
  }

  /** Like take(), without taking: 0 if a token is available now, else the seconds until one is. */
  peek(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    const refilled = this.refilled(key, this.now());
    return refilled.tokens >= 1 ? 0 : this.wait(refilled);
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const { burst, perSecond } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    return bucket;
  }

  private wait(bucket: Bucket): number {
    return Math.ceil((1 - bucket.tokens) / this.options.perSecond);
  }

  private sweep(now: number): void {
    const idle = this.options.idleMs ?? 10 * 60_000;
    if (now - this.lastSweep < idle) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (now - b.updatedAt > idle) this.buckets.delete(key);
  }
}
