/**
 * Per-conversation rate limit (token bucket): a burst of `burst` activities, then `perSecond`
 * sustained. One chatty or scripted conversation must not starve the others.
 */
export interface RateLimitOptions {
  burst: number;
  perSecond: number;
  /** Buckets idle this long are forgotten (memory stays bounded by active conversations). */
  idleMs?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(private readonly options: RateLimitOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for the key; returns 0 if allowed, else the seconds until one is available. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    const { burst, perSecond } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, updatedAt: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perSecond);
  }

  private sweep(now: number): void {
    const idle = this.options.idleMs ?? 10 * 60_000;
    if (now - this.lastSweep < idle) return;
    this.lastSweep = now;
    for (const [key, b] of this.buckets) if (now - b.updatedAt > idle) this.buckets.delete(key);
  }
}
