import type { Store } from '../../data/store';
import { createAlsBatchScorer, fitRecs } from '../../analytics/recs';
import { assignArm } from '../../analytics/campaigns/controlGroup';
import { campaignReport, createCampaign, previewAudience } from '../../services/campaigns';
import { DEFAULT_JOBS_CONFIG, type JobsConfig } from '../../jobs/config';
import {
  AUTO_SECOND_PURCHASE_NAME,
  AUTO_WELCOME_NAME,
  AUTO_WINBACK_NAME,
  runWelcomeJob,
  runWinbackJob,
} from '../../jobs/campaignJobs';
import { modelRecommender } from '../../jobs/personalise';
import { OutboxSender } from '../../jobs/sender';
import { SimulatedClock } from '../../jobs/clock';
import { tempDir } from '../support/files';
import {
  connect,
  customerId,
  importOrderSpecs,
  openShop,
  setConsent,
  storeScores,
  type OrderSpec,
} from './shop';
import { httpSend, StandInChannel } from './standInChannel';

const PREVIOUS = '2026-02-01T00:00:00.000Z';
const LATEST = '2026-03-01T00:00:00.000Z';
const NOW = new Date('2026-03-01T09:00:00.000Z');
const DAY = 86_400_000;

const SKUS = [
  ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 2.55],
  ['71053', 'WHITE METAL LANTERN', 3.39],
  ['84406B', 'CREAM CUPID HEARTS COAT HANGER', 2.75],
  ['22423', 'REGENCY CAKESTAND 3 TIER', 12.75],
] as const;

function history(customer: string, firstDay: string, orders = 2): OrderSpec[] {
  const out: OrderSpec[] = [];
  for (let i = 0; i < orders; i++) {
    const [sku, description, price] =
      SKUS[(customer.length + i * 3 + customer.charCodeAt(customer.length - 1)) % SKUS.length];
    const at = new Date(Date.parse(`${firstDay}T10:00:00Z`) + i * 7 * DAY)
      .toISOString()
      .slice(0, 16)
      .replace('T', ' ');
    out.push({ order: `${customer}-${i}`, customer, at, sku, description, price, quantity: 2 });
  }
  return out;
}

/**
 * w1, w3: crossed the churn threshold; w10: moved into 'lapsed' below it; w2 was at risk already;
 * w9 is not at risk. w4 has no chat account nor email address, w5 said stop, w6 complained last week (w6b two months
 * ago), w7 withdrew consent, w8 got a message three days ago.
 */
const SCORES: Array<[string, number, string, number, string, string?]> = [
  // customer, previous churn, previous stage, churn now, stage now, segment
  ['w1', 0.3, 'active', 0.7, 'at risk', 'Hibernating'],
  ['w2', 0.7, 'at risk', 0.75, 'at risk', 'Hibernating'],
  ['w3', 0.2, 'repeat', 0.65, 'at risk'],
  ['w4', 0.3, 'active', 0.7, 'at risk'],
  ['w5', 0.3, 'active', 0.7, 'at risk'],
  ['w6', 0.3, 'active', 0.7, 'at risk'],
  ['w6b', 0.3, 'active', 0.7, 'at risk'],
  ['w7', 0.3, 'active', 0.7, 'at risk'],
  ['w8', 0.3, 'active', 0.7, 'at risk'],
  ['w9', 0.1, 'repeat', 0.2, 'repeat', 'Hibernating'],
  ['w10', 0.4, 'repeat', 0.55, 'lapsed'],
];

describe('win-back and welcome jobs', () => {
  const tmp = tempDir();
  const channel = new StandInChannel();
  let n = 0;
  beforeAll(() => channel.start());
  afterAll(async () => {
    await channel.stop();
    tmp.cleanup();
  });

  const config = (overrides: Partial<JobsConfig> = {}): JobsConfig => ({
    ...DEFAULT_JOBS_CONFIG,
    controlShare: 0,
    winback: { churnThreshold: 0.6, percentOff: 10 },
    suppression: { complaintDays: 30, frequencyWindowDays: 14, maxMessagesPerWindow: 1 },
    ...overrides,
  });

  async function shop(): Promise<Store> {
    const orders = SCORES.flatMap(([c]) => history(c, '2026-01-05'));
    orders.push(
      ...history('n1', '2026-02-20', 1),
      ...history('n2', '2026-02-27', 1),
      ...history('n3', '2026-01-10', 1),
      // One purchase 35 days before NOW; o2 came back a week after its first.
      ...history('o1', '2026-01-25', 1),
      ...history('o2', '2026-01-25', 2),
    );
    const store = await openShop(tmp.dir, `jobs-${n++}.db`, orders);
    storeScores(
      store,
      PREVIOUS,
      SCORES.map(([customer, churn, stage, , , segment]) => ({ customer, churn, stage, segment })),
    );
    storeScores(
      store,
      LATEST,
      SCORES.map(([customer, , , churn, stage, segment]) => ({ customer, churn, stage, segment })),
    );
    for (const [c] of SCORES)
      if (c !== 'w4') connect(store, c, channel.url, { at: new Date(NOW.getTime() - 20 * DAY) });
    for (const c of ['n1', 'n2', 'n3', 'o1', 'o2'])
      connect(store, c, channel.url, { at: new Date(NOW.getTime() - 20 * DAY) });
    store.optOuts.optOut(customerId(store, 'w5'), 'said stop', null, new Date(NOW.getTime() - 10 * DAY));
    const feedback = store.feedback;
    const complaint = {
      chatIdentityId: null,
      text: 'never again',
      sentimentScore: -0.8,
      sentimentLabel: 'negative' as const,
    };
    feedback.record({ ...complaint, customerId: customerId(store, 'w6') }, new Date(NOW.getTime() - 7 * DAY));
    feedback.record(
      { ...complaint, customerId: customerId(store, 'w6b') },
      new Date(NOW.getTime() - 60 * DAY),
    );
    setConsent(store, 'w7', 'withdrawn');
    // An earlier message to w8, sent three days ago.
    const outbox = store.outbox;
    const earlier = new Date(NOW.getTime() - 3 * DAY);
    outbox.enqueue(
      {
        dedupeKey: 'earlier-w8',
        campaignId: null,
        customerId: customerId(store, 'w8'),
        conversationReferenceId: null,
        kind: 'manual',
        payload: { text: 'hi' },
      },
      earlier,
    );
    const claimed = outbox.claimNext(earlier)!;
    outbox.markSent(claimed.id, 'x', earlier);
    return store;
  }

  const byOutcome = (items: { customer: string; outcome: string; reason?: string }[]) => {
    const out: Record<string, string[]> = {};
    for (const i of items) (out[i.reason ?? i.outcome] ??= []).push(i.customer);
    for (const k of Object.keys(out)) out[k].sort();
    return out;
  };

  it('queues a personal win-back for customers who crossed into risk, and says why others are skipped', async () => {
    const store = await shop();
    try {
      const model = fitRecs(store.recsData.trainingData());
      const als = await createAlsBatchScorer(model.als);
      const recommender = modelRecommender(model, als);
      const report = runWinbackJob(store, { now: NOW, config: config(), recommender });
      als.dispose();
      expect(report.scoresAsOf).toBe(LATEST);
      const [auto] = report.campaigns;
      expect(auto.campaignName).toBe(AUTO_WINBACK_NAME);
      expect(auto.period).toBe('2026-03-01');
      expect(byOutcome(auto.items)).toEqual({
        queued: ['w1', 'w10', 'w3', 'w6b'],
        no_contact: ['w4'],
        opted_out: ['w5'],
        recent_complaint: ['w6'],
        no_consent: ['w7'],
        frequency_capped: ['w8'],
      });
      const outbox = store.outbox;
      const queued = outbox.list({ status: 'queued' });
      expect(queued).toHaveLength(4);
      for (const m of queued) {
        expect(m.payload.text).toMatch(/10% off your next order/);
        const recs = m.payload.recommendations as Array<{ sku: string; reason: string }>;
        expect(recs.length).toBeGreaterThan(0);
        expect(m.payload.text).toContain(recs[0].reason);
      }
    } finally {
      store.close();
    }
  });

  it('running the same job again for the same period queues nothing new; a dry run writes nothing', async () => {
    const store = await shop();
    try {
      const dry = runWinbackJob(store, { now: NOW, config: config({ controlShare: 0.5 }), dryRun: true });
      expect(store.outbox.list()).toHaveLength(1); // only w8's earlier message
      expect(store.campaigns.list()).toHaveLength(0);

      const first = runWinbackJob(store, { now: NOW, config: config({ controlShare: 0.5 }) });
      // The dry run predicted exactly what the real run did, control group included.
      expect(byOutcome(dry.campaigns[0].items)).toEqual(byOutcome(first.campaigns[0].items));
      expect(first.totals.queued + first.totals.control).toBe(4);

      const again = runWinbackJob(store, {
        now: new Date(NOW.getTime() + 3_600_000),
        config: config({ controlShare: 0.5 }),
      });
      expect(again.totals).toMatchObject({ queued: 0, control: 0, alreadyDone: 4 });
      expect(store.outbox.list()).toHaveLength(1 + first.totals.queued);
    } finally {
      store.close();
    }
  });

  it('the control group is drawn by hash of campaign and customer: the same on every run and database', async () => {
    const a = await shop();
    const b = await shop();
    try {
      const cfg = config({ controlShare: 0.5 });
      runWinbackJob(a, { now: NOW, config: cfg });
      runWinbackJob(b, { now: NOW, config: cfg });
      const arms = (store: Store) => {
        const repo = store.campaigns;
        const campaign = repo.byKindAndName('winback', AUTO_WINBACK_NAME)!;
        return ['w1', 'w3', 'w6b', 'w10'].map((c) => repo.armOf(campaign.id, customerId(store, c)));
      };
      expect(arms(a)).toEqual(arms(b));
      expect(new Set(arms(a))).toEqual(new Set(['treatment', 'control'])); // both arms are exercised
      const campaign = a.campaigns.byKindAndName('winback', AUTO_WINBACK_NAME)!;
      expect(arms(a)).toEqual(
        ['w1', 'w3', 'w6b', 'w10'].map((c) => assignArm(campaign.id, customerId(a, c), 0.5)),
      );
      // Control members get nothing.
      const outbox = a.outbox;
      for (const c of ['w1', 'w3', 'w6b', 'w10']) {
        const arm = a.campaigns.armOf(campaign.id, customerId(a, c));
        const messages = outbox.list().filter((m) => m.customerId === customerId(a, c));
        expect(messages).toHaveLength(arm === 'control' ? 0 : 1);
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('a marketer campaign from chat runs through the same path once it is due, then completes', async () => {
    const store = await shop();
    try {
      const preview = previewAudience(store, { segment: 'hibernating' }, { now: NOW, samples: 2 });
      expect(preview).toMatchObject({ matching: 3, eligible: 3, asOf: LATEST });
      expect(preview.samples.map((s) => s.customer)).toEqual(['w2', 'w1']); // highest churn first

      const campaign = createCampaign(
        store,
        {
          name: 'Spring win-back',
          kind: 'winback',
          audience: { segment: 'Hibernating' },
          offer: { percentOff: 15 },
          controlShare: 0,
          scheduledAt: new Date(NOW.getTime() + 3_600_000),
          createdBy: 'marketer:7',
        },
        NOW,
      );
      expect(campaign.status).toBe('scheduled');
      expect(store.audit.recent(1)[0]).toMatchObject({
        actor: 'marketer:7',
        action: 'campaign.create',
        subject: `campaign:${campaign.id}`,
      });

      const early = runWinbackJob(store, { now: NOW, config: config() });
      expect(early.campaigns.map((c) => c.campaignName)).toEqual([AUTO_WINBACK_NAME]); // not due yet

      const later = runWinbackJob(store, { now: new Date(NOW.getTime() + 2 * 3_600_000), config: config() });
      const spring = later.campaigns.find((c) => c.campaignId === campaign.id)!;
      // w1 just got the automatic win-back: the frequency window keeps it from a second message.
      expect(byOutcome(spring.items)).toEqual({ queued: ['w2', 'w9'], frequency_capped: ['w1'] });
      expect(store.campaigns.get(campaign.id)!.status).toBe('completed');
      const texts = store.outbox.list({ campaignId: campaign.id }).map((m) => m.payload.text as string);
      expect(texts.every((t) => t.includes('15% off'))).toBe(true);
    } finally {
      store.close();
    }
  });

  it('welcome: a thank-you once, after the delay, to customers whose first purchase is recent', async () => {
    const store = await shop();
    try {
      const cfg = config({ welcome: { delayDays: 3, lookbackDays: 14 } });
      const report = runWelcomeJob(store, { now: NOW, config: cfg });
      expect(report.campaigns[0].items.filter((i) => i.outcome === 'queued').map((i) => i.customer)).toEqual([
        'n1',
      ]);
      expect(report.campaigns[0].candidates).toBe(1); // n2 bought 2 days ago, n3 long ago
      const welcome = store.outbox
        .list({ status: 'queued' })
        .filter((m) => m.payload.campaignName === AUTO_WELCOME_NAME);
      expect(welcome).toHaveLength(1);
      expect(welcome[0].payload.text).toMatch(/^Thank you for your first order/);
      expect(runWelcomeJob(store, { now: new Date(NOW.getTime() + DAY), config: cfg }).totals.queued).toBe(0);
    } finally {
      store.close();
    }
  });

  it('second purchase: one-time buyers get an offer on their second order once, after the delay; those who came back do not', async () => {
    const store = await shop();
    try {
      const cfg = config({
        welcome: { delayDays: 3, lookbackDays: 14 },
        secondPurchase: { afterDays: 30, percentOff: 5 },
        controlShare: 0,
      });
      const report = runWelcomeJob(store, { now: NOW, config: cfg });
      const nudge = report.campaigns.find((c) => c.campaignName === AUTO_SECOND_PURCHASE_NAME)!;
      expect(nudge.period).toBe('second-purchase');
      // o2 bought again; n3's only purchase is older than the lookback; n1 and n2 are too recent.
      expect(nudge.items.map((i) => [i.customer, i.outcome])).toEqual([['o1', 'queued']]);
      const texts = store.outbox.list({ status: 'queued' }).map((m) => m.payload.text as string);
      expect(texts).toHaveLength(2); // n1's welcome and o1's nudge
      expect(texts.find((t) => t.includes('second order'))).toMatch(
        /^We hope you are enjoying your first order[^]*5% off your second order/,
      );
      // Once: the next day's run queues nothing new for o1.
      const next = runWelcomeJob(store, { now: new Date(NOW.getTime() + DAY), config: cfg });
      expect(next.campaigns.find((c) => c.campaignName === AUTO_SECOND_PURCHASE_NAME)!.queued).toBe(0);
      // Replaying the day before o2's second order, with a 5-day delay: o2 was a one-time buyer
      // then; its later order is not seen.
      const earlier = runWelcomeJob(store, {
        now: new Date('2026-01-31T09:00:00.000Z'),
        config: { ...cfg, secondPurchase: { afterDays: 5, percentOff: 5 } },
        dryRun: true,
      });
      const replayed = earlier.campaigns.find((c) => c.campaignName === AUTO_SECOND_PURCHASE_NAME)!;
      expect(replayed.items.map((i) => i.customer).sort()).toEqual(['o1', 'o2']);
      // Off when the delay is 0.
      const off = runWelcomeJob(store, {
        now: NOW,
        config: { ...cfg, secondPurchase: { afterDays: 0, percentOff: 5 } },
      });
      expect(off.campaigns.map((c) => c.campaignName)).not.toContain(AUTO_SECOND_PURCHASE_NAME);
    } finally {
      store.close();
    }
  });

  it('end to end: queued, sent to the channel, and the orders that follow show up in the campaign report', async () => {
    channel.reset();
    const store = await shop();
    try {
      runWinbackJob(store, { now: NOW, config: config({ controlShare: 0 }) });
      const clock = new SimulatedClock(NOW);
      const sender = new OutboxSender(store, {
        send: httpSend,
        clock,
        rate: { perSecond: 10, burst: 10 },
        maxAttempts: 3,
        backoff: { baseMs: 1000, maxMs: 60_000 },
        timeoutMs: 2000,
        quietHours: null,
        defaultTimeZone: 'Europe/London',
        rules: config().suppression,
      });
      expect((await sender.drain()).sent).toBe(4);
      expect(channel.deliveries.map((d) => d.conversationId).sort()).toEqual([
        'conv-w1',
        'conv-w10',
        'conv-w3',
        'conv-w6b',
      ]);
      // w1 buys 5 days later (counted), w3 40 days later (outside the 30-day window).
      await importOrderSpecs(store, tmp.dir, [
        { order: 'after-w1', customer: 'w1', at: '2026-03-06 12:00', price: 20, quantity: 2 },
        { order: 'after-w3', customer: 'w3', at: '2026-04-12 12:00', price: 99, quantity: 1 },
      ]);
      const campaign = store.campaigns.byKindAndName('winback', AUTO_WINBACK_NAME)!;
      const report = campaignReport(store, campaign.id)!;
      expect(report.treated).toMatchObject({ members: 4, sent: 4, delivered: 4, converted: 1, revenue: 40 });
      expect(report.control.members).toBe(0);
      expect(report.uplift.uplift).toBeNull(); // no control group, no uplift claimed
    } finally {
      store.close();
    }
  });
});
