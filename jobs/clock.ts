/** Time as the jobs and the sender see it: real, or simulated in tests and `--as-of` runs. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * A clock that only moves when told to, or when someone sleeps on it: sleepers are woken one at a
 * time in the order of their wake-up times, and time jumps to each wake-up (never back), so
 * concurrent sleepers behave as in real time without the test waiting.
 */
export class SimulatedClock implements Clock {
  private t: number;
  private readonly sleepers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  private seq = 0;
  private pumpScheduled = false;

  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
      this.schedulePump();
    });
  }
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // After everything runnable now has run: then the earliest sleeper wakes.
    setImmediate(() => {
      this.pumpScheduled = false;
      if (!this.sleepers.length) return;
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.sleepers.shift()!;
      this.t = Math.max(this.t, next.at);
      next.resolve();
      if (this.sleepers.length) this.schedulePump();
    });
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
}
