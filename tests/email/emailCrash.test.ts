/**
 * kill -9 during a send, then a restart: every email arrives, and the messages that were in
 * flight at the kill arrive at most once more, with the same Message-ID (jobs/README.md, "Email").
 */
import { projectPath } from '../../lib/paths';
import { runWinbackJob } from '../../jobs/campaignJobs';
import { tempDir } from '../support/files';
import { spawnTsChild } from '../support/tsChild';
import { dbPath, emailShop, jobsConfig, NOW } from './emailShop';
import { SmtpSink } from './smtpSink';

const CUSTOMERS = 120;
const CONCURRENCY = 3; // as in tests/jobs/crashSender.child.ts

/** The sender with the email channel, in its own process. */
const startSender = (dbFile: string, smtpUrl: string) =>
  spawnTsChild(projectPath('tests', 'jobs', 'crashSender.child.ts'), dbFile, smtpUrl);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety of email sending (real process, real SQLite file, real SMTP, kill -9)', () => {
  const tmp = tempDir();
  const sink = new SmtpSink();
  afterAll(async () => {
    await sink.stop();
    tmp.cleanup();
  });

  it('after a kill mid-batch and a restart every message arrives, the ones in flight at most once more with the same Message-ID', async () => {
    await sink.start();
    // The relay takes 40 ms to acknowledge a message it has received: a kill then lands between
    // the message arriving and the sender recording it as sent.
    sink.dataDelayMs = 40;
    const names = Array.from({ length: CUSTOMERS }, (_, i) => `k${i}`);
    const store = await emailShop(
      tmp.dir,
      names.map((id) => ({ id, email: `${id}@example.com`, consent: 'yes' as const })),
    );
    expect(runWinbackJob(store, { now: NOW, config: jobsConfig() }).totals.channels.email).toBe(CUSTOMERS);
    const dbFile = dbPath(store);

    const first = startSender(dbFile, sink.url);
    while (sink.arrived.length < 40) {
      await sleep(2);
      if (first.child.exitCode !== null) throw new Error(`sender exited early: ${(await first.done).stderr}`);
    }
    first.child.kill('SIGKILL');
    expect((await first.done).code).toBeNull(); // killed, not finished
    const afterKill = store.outbox.countsByStatus();
    expect(afterKill.sent).toBeLessThan(CUSTOMERS);

    const second = startSender(dbFile, sink.url);
    const result = await second.done;
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { recovered: number; sent: number };

    // Every message arrived; none more than twice; the copies carry the same Message-ID.
    const byId = new Map<string, number>();
    for (const m of sink.arrived) byId.set(m.messageId, (byId.get(m.messageId) ?? 0) + 1);
    expect(byId.size).toBe(CUSTOMERS);
    expect(Math.max(...byId.values())).toBeLessThanOrEqual(2);
    const resent = [...byId.entries()].filter(([, n]) => n === 2).map(([id]) => id);
    // The kill did catch sends in flight, and only those: at most one per connection.
    expect(resent.length).toBeGreaterThanOrEqual(1);
    expect(resent.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(afterKill.sending + summary.recovered).toBeGreaterThanOrEqual(resent.length);
    for (const id of resent) {
      const copies = sink.arrived.filter((m) => m.messageId === id);
      expect(copies[1].parsed.subject).toBe(copies[0].parsed.subject);
      expect(copies[1].envelopeTo).toEqual(copies[0].envelopeTo);
    }
    // One recipient per message, each customer reached.
    expect(new Set(sink.arrived.map((m) => m.envelopeTo.join()))).toEqual(
      new Set(names.map((n) => `${n}@example.com`)),
    );
    expect(store.outbox.countsByStatus()).toMatchObject({
      sent: CUSTOMERS,
      queued: 0,
      sending: 0,
      dead: 0,
      failed: 0,
    });
    store.close();
  });
});
