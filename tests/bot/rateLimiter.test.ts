import { RateLimiter } from '../../bot/rateLimiter';

describe('per-conversation rate limit', () => {
  it('allows a burst, then the sustained rate, per key', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perSecond: 0.5, now: () => now });
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(2); // one token every 2 s
    expect(limiter.take('b')).toBe(0); // other conversations are unaffected
    now += 2000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
    now += 60_000; // refills up to the burst, not beyond
    expect([1, 2, 3, 4].map(() => limiter.take('a'))).toEqual([0, 0, 0, 2]);
  });
});
