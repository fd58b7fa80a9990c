/**
 * Notices models trained elsewhere: by another instance's nightly job (which ran there, not here),
 * or by `retain train` on the same database. It watches the newest model run's id, one cheap
 * query per look, and tells the bot to reload (app.refresh) when it moved.
 */
import type { ModelRunRepository } from '../data/repositories/modelRuns';

export class ModelWatcher {
  private seen: number | null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly runs: Pick<ModelRunRepository, 'newestId'>,
    private readonly onNewModels: () => void,
  ) {
    this.seen = runs.newestId();
  }

  /** The models recorded so far are known here (this instance just loaded them itself). */
  sync(): void {
    this.seen = this.runs.newestId();
  }

  /** Whether models were recorded since the last look (and, if so, the bot was told). */
  check(): boolean {
    const newest = this.runs.newestId();
    if (newest === this.seen) return false;
    this.seen = newest;
    this.onNewModels();
    return true;
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => {
      try {
        this.check();
      } catch {
        // The database is away: the next look finds the models (everything else reports the outage).
      }
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
