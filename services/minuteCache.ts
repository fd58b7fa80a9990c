/**
 * Values recomputed at most once a minute: aggregates over the order history that every chat
 * message may ask for, where an answer that lags new orders by a minute is fine.
 */
export class MinuteCache {
  private readonly entries = new Map<string, { at: number; value: unknown }>();

  constructor(
    private readonly now: () => Date,
    private readonly maxEntries = 1000,
  ) {}

  get<T>(key: string, compute: () => T): T {
    const now = this.now().getTime();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < 60_000) return hit.value as T;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = compute();
    this.entries.set(key, { at: now, value });
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
