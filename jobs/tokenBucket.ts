/**
 * Token buckets per key (tenant or channel): a burst, then a sustained rate. A 429 from the
 * channel pauses the key until its Retry-After, so the other queued messages for the same tenant
 * wait too instead of each earning its own 429.
 */
import type { Clock } from './clock';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
  pausedUntil: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1))
      throw new Error('rate limit needs perSecond > 0 and burst >= 1');
  }

  private bucket(key: string): Bucket {
    const now = this.clock.now().getTime();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.limit.burst, at: now, pausedUntil: 0 };
      this.buckets.set(key, b);
    }
    if (now > b.at) {
      b.tokens = Math.min(this.limit.burst, b.tokens + ((now - b.at) / 1000) * this.limit.perSecond);
      b.at = now;
    }
    return b;
  }

  /** Waits (on the clock) until a token for `key` is available, and takes it. */
  async take(key: string): Promise<void> {
    for (;;) {
      const b = this.bucket(key);
      const now = this.clock.now().getTime();
      if (b.pausedUntil > now) {
        await this.clock.sleep(b.pausedUntil - now);
        continue;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      await this.clock.sleep(Math.ceil(((1 - b.tokens) / this.limit.perSecond) * 1000));
    }
  }

  /** Gives back a token taken for a message that was not sent after all. */
  refund(key: string): void {
    const b = this.bucket(key);
    b.tokens = Math.min(this.limit.burst, b.tokens + 1);
  }

  pause(key: string, until: Date): void {
    const b = this.bucket(key);
    b.pausedUntil = Math.max(b.pausedUntil, until.getTime());
    b.tokens = 0;
  }
}
