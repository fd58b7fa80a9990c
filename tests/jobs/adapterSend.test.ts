import { adapterSend } from '../../bot/proactive/adapterSend';
import { createAdapter } from '../../bot/adapter';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { SimulatedClock } from '../../jobs/clock';
import { OutboxSender } from '../../jobs/sender';
import { tempDir } from '../support/files';
import { connect, customerId, openShop } from './shop';
import { StandInChannel } from './standInChannel';

describe('sending through the real Bot Framework adapter', () => {
  const tmp = tempDir();
  const channel = new StandInChannel();
  beforeAll(() => channel.start());
  afterAll(async () => {
    await channel.stop();
    tmp.cleanup();
  });

  async function setUp(name: string, script: Parameters<StandInChannel['script']>[1][]) {
    const store = await openShop(tmp.dir, `${name}.db`, [
      { order: `o-${name}`, customer: name, at: '2026-01-05 10:00' },
    ]);
    const now = new Date('2026-03-02T12:00:00.000Z');
    connect(store, name, channel.url, { channelId: 'msteams' });
    const outbox = store.outbox;
    const id = customerId(store, name);
    outbox.enqueue(
      {
        dedupeKey: name,
        campaignId: null,
        customerId: id,
        conversationReferenceId: store.campaigns.latestReference(id)!.id,
        kind: 'winback',
        payload: { text: `We miss you, ${name}` },
      },
      now,
    );
    channel.script(`conv-${name}`, ...script);
    const turnErrors: unknown[] = [];
    const adapter = createAdapter(loadConfig({}), createLogger('silent'), () => turnErrors.push(1));
    const clock = new SimulatedClock(now);
    const sender = new OutboxSender(store, {
      send: adapterSend(adapter, undefined),
      clock,
      random: () => 0,
      rate: { perSecond: 10, burst: 10 },
      maxAttempts: 3,
      backoff: { baseMs: 1000, maxMs: 60_000 },
      timeoutMs: 30_000,
      quietHours: null,
      defaultTimeZone: 'UTC',
      rules: { complaintDays: 30, frequencyWindowDays: 7, maxMessagesPerWindow: 1 },
    });
    const requests = () =>
      channel.requests.filter((r) => r.conversationId === `conv-${name}`).map((r) => r.answered);
    return { store, outbox, sender, clock, now, turnErrors, requests };
  }

  it('delivers through continueConversation; the connector itself retries a 429 after Retry-After', async () => {
    const t = await setUp('a1', [{ status: 429, retryAfter: '1' }]);
    try {
      expect(await t.sender.drain()).toMatchObject({ sent: 1, retried: 0 });
      expect(t.requests()).toEqual(['429', '200']); // the SDK's own throttling retry, same body
      expect(t.outbox.byDedupeKey('a1')).toMatchObject({
        status: 'sent',
        attempts: 1,
        activityId: expect.stringMatching(/^standin-/),
      });
      expect(channel.deliveries.filter((d) => d.conversationId === 'conv-a1')).toEqual([
        { conversationId: 'conv-a1', messageId: 'retain:a1', text: 'We miss you, a1' },
      ]);
      expect(t.turnErrors).toHaveLength(0);
    } finally {
      t.store.close();
    }
  });

  it('when the connector gives up on 429s, the outbox retries after the channel’s Retry-After', async () => {
    const t = await setUp(
      'a2',
      Array.from({ length: 4 }, () => ({ status: 429 as const, retryAfter: '1' })),
    );
    try {
      expect(await t.sender.drain()).toMatchObject({ sent: 0, retried: 1 });
      expect(t.requests()).toEqual(['429', '429', '429', '429']); // 1 + the SDK's 3 retries
      const waiting = t.outbox.byDedupeKey('a2')!;
      expect(waiting.lastError).toMatch(/^429/);
      // Backoff with random 0 would be 500 ms; the connector's error carried Retry-After: 1.
      expect(Date.parse(waiting.nextAttemptAt!) - t.now.getTime()).toBe(1000);
      expect(t.turnErrors).toHaveLength(0); // no apology sent to the customer for a throttled send
      t.clock.advance(1000);
      expect(await t.sender.drain()).toMatchObject({ sent: 1 });
      expect(t.outbox.byDedupeKey('a2')).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      t.store.close();
    }
  });

  it('a 403 from the channel (bot blocked) fails the message without retries', async () => {
    const t = await setUp('a3', [{ status: 403 }]);
    try {
      expect(await t.sender.drain()).toMatchObject({ failed: 1 });
      expect(t.requests()).toEqual(['403']);
      expect(t.outbox.byDedupeKey('a3')).toMatchObject({
        status: 'failed',
        lastError: expect.stringMatching(/^403/),
      });
    } finally {
      t.store.close();
    }
  });
});
