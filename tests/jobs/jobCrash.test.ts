/**
 * Exactly once when the job itself dies: `retain jobs run winback` (the real command, a real
 * SQLite file) is killed with SIGKILL while it is queueing, then run again. Every eligible customer
 * ends up with exactly one queued message or one control membership, and a third run adds nothing.
 */
import { sql } from '../support/sql';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { campaignReport } from '../../services/campaigns';
import { openStore } from '../../data/store';
import { buildShop, NOW } from '../../bench/syntheticShop';
import { runCli } from '../support/cli';
import { tempDir } from '../support/files';

const CUSTOMERS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety of the win-back job (real command, real SQLite file, kill -9)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('queues every eligible customer exactly once across a kill mid-run and two re-runs', async () => {
    const dbFile = path.join(tmp.dir, 'job-crash.db');
    const store = openStore(dbFile);
    buildShop(store, { customers: CUSTOMERS, products: 50, serviceUrl: 'http://127.0.0.1:9', seed: 3 });
    const outbox = store.outbox;
    // The automatic win-back is the only campaign: its members per arm, as `retain campaigns show` reports them.
    const armCounts = () => {
      const [auto] = store.campaigns.list();
      const outcome = auto ? campaignReport(store, auto.id) : undefined;
      return { treatment: outcome?.treated.members ?? 0, control: outcome?.control.members ?? 0 };
    };
    const run = (onSpawn?: (child: ChildProcess) => void) =>
      runCli(['jobs', 'run', 'winback', '--as-of', NOW.toISOString(), '--json', '--db', dbFile], {
        env: { RETAIN_CONTROL_SHARE: '0.1', RETAIN_MODELS_DIR: path.join(tmp.dir, 'models') },
        onSpawn,
      });

    // 1. Killed once a few chunks are committed, long before the end.
    let killedAt = 0;
    const killed = await run((child) => {
      void (async () => {
        while (child.exitCode === null && (killedAt = outbox.countsByStatus().queued) < 1000) await sleep(1);
        child.kill('SIGKILL');
      })();
    });
    expect(killed.code).toBeNull();
    const afterKill = outbox.countsByStatus().queued;
    expect(afterKill).toBeGreaterThanOrEqual(killedAt);
    expect(afterKill).toBeLessThan(CUSTOMERS * 0.9);
    // Whole chunks only: every committed message has its treatment membership, nothing half-written.
    expect(armCounts().treatment).toBe(afterKill);

    // 2. The re-run finishes the job without repeating anyone.
    const second = await run();
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout) as {
      totals: { queued: number; control: number; alreadyDone: number; candidates: number };
    };
    expect(report.totals.candidates).toBe(CUSTOMERS);
    const arms = armCounts();
    expect(arms.treatment + arms.control).toBe(CUSTOMERS);
    expect(outbox.countsByStatus().queued).toBe(arms.treatment);
    expect(report.totals.alreadyDone + report.totals.queued + report.totals.control).toBe(CUSTOMERS);
    // The control share holds across the crash: about 10%.
    expect(arms.control / CUSTOMERS).toBeGreaterThan(0.08);
    expect(arms.control / CUSTOMERS).toBeLessThan(0.12);
    const perCustomer = sql(store)
      .prepare(
        'SELECT MAX(n) AS most FROM (SELECT customer_id, COUNT(*) AS n FROM outbox GROUP BY customer_id)',
      )
      .get() as { most: number };
    expect(perCustomer.most).toBe(1);

    // 3. The same period again: nothing new.
    const third = await run();
    const again = JSON.parse(third.stdout) as {
      totals: { queued: number; control: number; alreadyDone: number };
    };
    expect(again.totals).toMatchObject({ queued: 0, control: 0, alreadyDone: CUSTOMERS });
    expect(outbox.countsByStatus().queued).toBe(arms.treatment);
    store.close();
  }, 120_000);
});
