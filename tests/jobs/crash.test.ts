import path from 'node:path';
import { projectPath } from '../../lib/paths';
import { tempDir } from '../support/files';
import { spawnTsChild } from '../support/tsChild';
import { connect, customerId, openShop } from './shop';
import { StandInChannel } from './standInChannel';

const CUSTOMERS = 120;

const startSender = (dbFile: string) =>
  spawnTsChild(projectPath('tests', 'jobs', 'crashSender.child.ts'), dbFile);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('crash safety of the sender (real process, real SQLite file, kill -9)', () => {
  const tmp = tempDir();
  const channel = new StandInChannel();
  afterAll(async () => {
    await channel.stop();
    tmp.cleanup();
  });

  it('delivers every queued message exactly once across two kills mid-batch', async () => {
    await channel.start();
    // Each answer takes 40 ms after the message arrived: a kill right after an arrival lands
    // between the channel receiving a message and the sender recording it as sent.
    channel.defaultDelayMs = 40;
    const dbFile = path.join(tmp.dir, 'crash.db');
    const names = Array.from({ length: CUSTOMERS }, (_, i) => `k${i}`);
    const store = await openShop(
      tmp.dir,
      'crash.db',
      names.map((c) => ({ order: `o-${c}`, customer: c, at: '2026-01-05 10:00' })),
    );
    const now = new Date();
    const outbox = store.outbox;
    const campaigns = store.campaigns;
    for (const c of names) {
      connect(store, c, channel.url);
      const id = customerId(store, c);
      outbox.enqueue(
        {
          dedupeKey: `crash:${c}`,
          campaignId: null,
          customerId: id,
          conversationReferenceId: campaigns.latestReference(id)!.id,
          kind: 'manual',
          payload: { text: `hello ${c}` },
        },
        now,
      );
    }

    for (const killAt of [30, 75]) {
      const { child, done } = startSender(dbFile);
      while (channel.deliveries.length < killAt) {
        await sleep(2);
        if (child.exitCode !== null) throw new Error(`sender exited early: ${(await done).stderr}`);
      }
      child.kill('SIGKILL');
      const { code } = await done;
      expect(code).toBeNull(); // killed, not finished
    }
    const statusAfterKills = outbox.countsByStatus();
    expect(statusAfterKills.sent).toBeLessThan(CUSTOMERS);

    const last = startSender(dbFile);
    const result = await last.done;
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as { recovered: number; sent: number };

    // Exactly once at the customer: every message arrived, none twice.
    const ids = channel.deliveries.map((d) => d.messageId);
    expect(new Set(ids).size).toBe(CUSTOMERS);
    expect(ids).toHaveLength(CUSTOMERS);
    expect(outbox.countsByStatus()).toMatchObject({
      sent: CUSTOMERS,
      queued: 0,
      sending: 0,
      dead: 0,
      failed: 0,
    });
    // The kills did interrupt sends in flight: those were sent again with the same id, and the
    // channel's de-duplication is what kept them from showing twice (see jobs/sender.ts).
    const resent = channel.requests.length - CUSTOMERS;
    expect(resent).toBeGreaterThanOrEqual(1);
    expect(statusAfterKills.sending + summary.recovered).toBeGreaterThanOrEqual(1);
    store.close();
  });
});
