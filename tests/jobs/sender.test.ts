import type { Store } from '../../data/store';
import { SimulatedClock } from '../../jobs/clock';
import { OutboxSender, type SenderOptions, type SenderEvent } from '../../jobs/sender';
import { parseQuietHours } from '../../lib/quietHours';
import { tempDir } from '../support/files';
import { connect, customerId, openShop } from './shop';
import { httpSend, StandInChannel } from './standInChannel';

const START = '2026-03-02T13:00:00.000Z'; // 13:00 in London, 22:00 in Tokyo

describe('outbox sender against a stand-in channel over HTTP', () => {
  const tmp = tempDir();
  const channel = new StandInChannel();
  let store: Store;
  let dbCounter = 0;
  const customers = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

  beforeAll(async () => {
    await channel.start();
  });
  afterAll(async () => {
    await channel.stop();
    tmp.cleanup();
  });
  beforeEach(async () => {
    channel.reset();
    store = await openShop(
      tmp.dir,
      `sender-${dbCounter++}.db`,
      customers.map((c, i) => ({
        order: `${dbCounter}-${i}`,
        customer: c,
        at: '2026-01-05 10:00',
        timeZone: c === 'c6' ? 'Asia/Tokyo' : 'Europe/London',
      })),
    );
  });
  afterEach(() => store.close());

  function queue(
    customer: string,
    key: string,
    clock: SimulatedClock,
    tenantId: string | null = null,
  ): number {
    connect(store, customer, channel.url, { tenantId, channelId: 'msteams', at: clock.now() });
    const outbox = store.outbox;
    const ok = outbox.enqueue(
      {
        dedupeKey: key,
        campaignId: null,
        customerId: customerId(store, customer),
        conversationReferenceId: store.campaigns.latestReference(customerId(store, customer))!.id,
        kind: 'winback',
        payload: { text: `hello ${customer} (${key})` },
      },
      clock.now(),
    );
    expect(ok).toBe(true);
    return outbox.byDedupeKey(key)!.id;
  }

  function sender(clock: SimulatedClock, overrides: Partial<SenderOptions> = {}, events: SenderEvent[] = []) {
    return new OutboxSender(store, {
      send: httpSend,
      clock,
      random: () => 0.5,
      rate: { perSecond: 100, burst: 100 },
      concurrency: 2,
      maxAttempts: 4,
      backoff: { baseMs: 10_000, maxMs: 600_000 },
      timeoutMs: 300,
      quietHours: parseQuietHours('21:00-08:00'),
      defaultTimeZone: 'Europe/London',
      rules: { complaintDays: 30, frequencyWindowDays: 7, maxMessagesPerWindow: 1 },
      onEvent: (e) => events.push(e),
      ...overrides,
    });
  }

  const deliveredTo = (customer: string) =>
    channel.deliveries.filter((d) => d.conversationId === `conv-${customer}`);

  it('retries 429 and 500 with backoff, honouring Retry-After, then sends once', async () => {
    const clock = new SimulatedClock(START);
    const id = queue('c1', 'retry-1', clock);
    channel.script('conv-c1', { status: 429, retryAfter: '120' }, { status: 500 });
    const s = sender(clock);
    const outbox = store.outbox;

    expect((await s.drain()).retried).toBe(1);
    const afterThrottle = outbox.get(id)!;
    expect(afterThrottle.status).toBe('queued');
    // Backoff alone would be 7.5 s (10 s base, jitter 0.5); the channel asked for 120 s.
    expect(Date.parse(afterThrottle.nextAttemptAt!) - clock.now().getTime()).toBe(120_000);
    expect((await s.drain()).sent).toBe(0); // not due yet: nothing is sent early

    clock.advance(120_000);
    expect((await s.drain()).retried).toBe(1);
    const after500 = outbox.get(id)!;
    // Second attempt: 20 s exponential step, half of it jittered (random 0.5 → 15 s).
    expect(Date.parse(after500.nextAttemptAt!) - clock.now().getTime()).toBe(15_000);

    clock.advance(15_000);
    expect((await s.drain()).sent).toBe(1);
    const sent = outbox.get(id)!;
    expect(sent).toMatchObject({
      status: 'sent',
      attempts: 3,
      activityId: expect.stringMatching(/^standin-/),
    });
    expect(deliveredTo('c1')).toHaveLength(1);
  });

  it('moves a message to dead letters after the configured number of attempts', async () => {
    const clock = new SimulatedClock(START);
    const id = queue('c2', 'dead-1', clock);
    channel.script(
      'conv-c2',
      { status: 503 },
      { status: 502 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    );
    const s = sender(clock, { maxAttempts: 3 });
    for (let i = 0; i < 5; i++) {
      await s.drain();
      clock.advance(3_600_000);
    }
    const m = store.outbox.get(id)!;
    expect(m.status).toBe('dead');
    expect(m.attempts).toBe(3);
    expect(m.lastError).toMatch(/gave up after 3 attempts/);
    expect(channel.requests.filter((r) => r.messageId === 'retain:dead-1')).toHaveLength(3);
    expect(deliveredTo('c2')).toHaveLength(0);
  });

  it('a permanent refusal (403) fails at once, without retries', async () => {
    const clock = new SimulatedClock(START);
    const id = queue('c3', 'forbidden-1', clock);
    channel.script('conv-c3', { status: 403 });
    const summary = await sender(clock).drain();
    expect(summary.failed).toBe(1);
    expect(store.outbox.get(id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('a timeout is retried with the same idempotency id, and the customer sees the message once', async () => {
    const clock = new SimulatedClock(START);
    const id = queue('c4', 'timeout-1', clock);
    channel.script('conv-c4', { hang: true });
    const s = sender(clock);
    expect((await s.drain()).retried).toBe(1);
    clock.advance(60_000);
    expect((await s.drain()).sent).toBe(1);
    const posts = channel.requests.filter((r) => r.messageId === 'retain:timeout-1');
    expect(posts.map((p) => p.answered)).toEqual(['hang', '200']);
    expect(deliveredTo('c4')).toHaveLength(1);
    expect(store.outbox.get(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('holds messages during quiet hours in the customer’s time zone and sends them when allowed', async () => {
    const clock = new SimulatedClock(START);
    const tokyo = queue('c6', 'quiet-tokyo', clock);
    const london = queue('c5', 'quiet-london', clock);
    const s = sender(clock);
    const first = await s.drain();
    expect(first).toMatchObject({ sent: 1, held: 1 });
    const outbox = store.outbox;
    expect(outbox.get(london)!.status).toBe('sent');
    const held = outbox.get(tokyo)!;
    expect(held).toMatchObject({ status: 'queued', skipReason: 'quiet_hours', attempts: 0 });
    // 08:00 in Tokyo is 23:00 UTC the day before.
    expect(held.nextAttemptAt).toBe('2026-03-02T23:00:00.000Z');

    clock.set('2026-03-02T22:59:00.000Z');
    expect((await s.drain()).sent).toBe(0);
    clock.set('2026-03-02T23:00:00.000Z');
    expect((await s.drain()).sent).toBe(1);
    expect(outbox.get(tokyo)).toMatchObject({ status: 'sent', skipReason: null });
  });

  it('caps messages per customer over a rolling window', async () => {
    const clock = new SimulatedClock(START);
    const a = queue('c1', 'cap-a', clock);
    const s = sender(clock);
    await s.drain();
    clock.advance(86_400_000); // a day later, inside the 7-day window
    const b = queue('c1', 'cap-b', clock);
    expect((await s.drain()).skipped).toEqual({ frequency_capped: 1 });
    clock.advance(7 * 86_400_000); // the first message has left the window
    const c = queue('c1', 'cap-c', clock);
    expect((await s.drain()).sent).toBe(1);
    const outbox = store.outbox;
    expect([a, b, c].map((id) => outbox.get(id)!.status)).toEqual(['sent', 'skipped', 'sent']);
    expect(outbox.get(b)!.skipReason).toBe('frequency_capped');
  });

  it('an opt-out, a complaint or forget-me after queueing stops messages already queued', async () => {
    const clock = new SimulatedClock(START);
    const optedOut = queue('c1', 'race-optout', clock);
    const complained = queue('c2', 'race-complaint', clock);
    const forgotten = queue('c3', 'race-forget', clock);
    const fine = queue('c4', 'race-fine', clock);
    store.optOuts.optOut(customerId(store, 'c1'), 'said stop', null, clock.now());
    store.feedback.record(
      {
        customerId: customerId(store, 'c2'),
        chatIdentityId: null,
        text: 'awful',
        sentimentScore: -0.9,
        sentimentLabel: 'negative',
      },
      clock.now(),
    );
    const identity = store.identities.byAccount('msteams', 'user-c3')!;
    store.erasure.forgetIdentity(identity.id, clock.now());

    const summary = await sender(clock).drain();
    expect(summary.sent).toBe(1);
    expect(summary.skipped).toEqual({ opted_out: 1, recent_complaint: 1 });
    const outbox = store.outbox;
    expect(outbox.get(optedOut)).toMatchObject({ status: 'skipped', skipReason: 'opted_out' });
    expect(outbox.get(complained)).toMatchObject({ status: 'skipped', skipReason: 'recent_complaint' });
    expect(outbox.get(forgotten)).toBeUndefined(); // erased with the rest of their data
    expect(outbox.get(fine)!.status).toBe('sent');
    expect(deliveredTo('c1').concat(deliveredTo('c2'), deliveredTo('c3'))).toHaveLength(0);
  });

  it('an opt-out that arrives while a claimed message waits for the rate limit still stops it', async () => {
    const clock = new SimulatedClock(START);
    const first = queue('c1', 'wait-1', clock);
    const second = queue('c2', 'wait-2', clock);
    const optOuts = store.optOuts;
    let claimedWhenOptedOut: string | undefined;
    const s = sender(clock, {
      rate: { perSecond: 0.5, burst: 1 },
      concurrency: 2,
      // While the first message goes out, the second is already claimed and waits for a token:
      // that is when the customer says "stop".
      send: (ref, activity) => {
        if (activity.id === 'retain:wait-1') {
          claimedWhenOptedOut = store.outbox.get(second)!.status;
          optOuts.optOut(customerId(store, 'c2'), 'said stop', null, clock.now());
        }
        return httpSend(ref, activity);
      },
    });
    const summary = await s.drain();
    expect(claimedWhenOptedOut).toBe('sending');
    expect(summary).toMatchObject({ sent: 1, skipped: { opted_out: 1 } });
    const outbox = store.outbox;
    expect(outbox.get(first)!.status).toBe('sent');
    expect(outbox.get(second)).toMatchObject({ status: 'skipped', skipReason: 'opted_out', attempts: 0 });
    expect(deliveredTo('c2')).toHaveLength(0);
  });

  it('sends no faster than the rate limit of each tenant, tenants independently', async () => {
    const clock = new SimulatedClock(START);
    const sentAt: Record<string, number[]> = { a: [], b: [] };
    const send: SenderOptions['send'] = async (ref, activity) => {
      const tenant = (ref.conversation as { tenantId?: string }).tenantId!;
      sentAt[tenant].push(clock.now().getTime());
      return httpSend(ref, activity);
    };
    // Six customers, three per tenant; the frequency cap is lifted for this test.
    customers.forEach((c, i) => queue(c, `rate-${c}`, clock, i % 2 ? 'b' : 'a'));
    const summary = await sender(clock, {
      send,
      rate: { perSecond: 2, burst: 1 },
      concurrency: 4,
      quietHours: null,
    }).drain();
    expect(summary.sent).toBe(6);
    for (const t of ['a', 'b']) {
      const times = sentAt[t];
      expect(times).toHaveLength(3);
      // 2 per second with a burst of 1: at least 500 ms between two sends of the same tenant.
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(500);
      expect(times[2] - times[0]).toBeLessThanOrEqual(1100); // and not needlessly slower
    }
  });

  it('as a loop in the running bot: recovers an orphaned claim, sends what comes in, stops cleanly', async () => {
    const clock = new SimulatedClock(new Date(Date.now() - 10 * 60_000));
    // Left in 'sending' ten minutes ago by a process that died.
    const orphan = queue('c1', 'loop-orphan', clock);
    store.outbox.claimNext(clock.now());
    const loop = new OutboxSender(store, {
      send: httpSend,
      rate: { perSecond: 50, burst: 5 },
      maxAttempts: 3,
      backoff: { baseMs: 100, maxMs: 1000 },
      timeoutMs: 2000,
      quietHours: null,
      defaultTimeZone: 'UTC',
      rules: { complaintDays: 30, frequencyWindowDays: 7, maxMessagesPerWindow: 5 },
      leaseMs: 60_000, // a live sender's claims are younger than this
    });
    const errors: unknown[] = [];
    loop.start(30, (e) => errors.push(e));
    const waitFor = async (check: () => boolean) => {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(check()).toBe(true);
    };
    const outbox = store.outbox;
    await waitFor(() => outbox.get(orphan)!.status === 'sent');
    const later = queue('c2', 'loop-later', new SimulatedClock(new Date()));
    await waitFor(() => outbox.get(later)!.status === 'sent');
    await loop.stop();
    expect(errors).toEqual([]);
    expect(channel.deliveries.map((d) => d.messageId)).toEqual(['retain:loop-orphan', 'retain:loop-later']);
  });
});
