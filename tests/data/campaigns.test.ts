import { openStore } from '../../data/store';
import { newcombeInterval } from '../../analytics/campaigns/uplift';
import {
  campaignReport,
  CampaignValidationError,
  createCampaign,
  listCampaigns,
} from '../../services/campaigns';
import { tempDir } from '../support/files';
import { customerId, importOrderSpecs } from '../jobs/shop';
import { describeEachEngine } from '../support/engines';

const ASSIGNED = new Date('2026-03-01T09:00:00.000Z');
const SENT = new Date('2026-03-02T10:00:00.000Z');

describeEachEngine('campaign outcomes', (engine) => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('counts conversions and revenue within the attribution window, per arm, with uplift', async () => {
    const store = openStore(engine.location('outcomes'));
    try {
      const before = '2026-01-10 10:00';
      const people = ['t1', 't2', 't3', 't4', 'k1', 'k2'];
      await importOrderSpecs(store, tmp.dir, [
        ...people.map((c) => ({ order: `first-${c}`, customer: c, at: before })),
        // t1: 5 days after the message: 2 x 10.00, plus postage (not revenue).
        { order: 'a1', customer: 't1', at: '2026-03-05 12:00', quantity: 2, price: 10 },
        {
          order: 'a1',
          customer: 't1',
          at: '2026-03-05 12:00',
          sku: 'POST',
          description: 'POSTAGE',
          quantity: 1,
          price: 5,
        },
        // t2: 39 days after the message: outside the 30-day window.
        { order: 'a2', customer: 't2', at: '2026-04-10 12:00', quantity: 1, price: 50 },
        // t3: after the assignment but before the message reached them: not caused by it.
        { order: 'a3', customer: 't3', at: '2026-03-01 12:00', quantity: 1, price: 30 },
        // t4: never messaged (opted out): counted from the assignment (intention to treat).
        { order: 'a4', customer: 't4', at: '2026-03-03 12:00', quantity: 1, price: 15 },
        // k1: control, 9 days after assignment.
        { order: 'b1', customer: 'k1', at: '2026-03-10 12:00', quantity: 4, price: 2 },
        // k2: control, exactly 30 days after assignment: the window is half-open, not counted.
        { order: 'b2', customer: 'k2', at: '2026-03-31 09:00', quantity: 1, price: 70 },
      ]);
      const campaign = createCampaign(
        store,
        {
          name: 'March win-back',
          kind: 'winback',
          audience: { stage: 'at risk' },
          offer: { percentOff: 10 },
          controlShare: 0.3,
          createdBy: 'cli',
        },
        ASSIGNED,
      );
      const repo = store.campaigns;
      const outbox = store.outbox;
      for (const c of ['t1', 't2', 't3', 't4']) {
        const id = customerId(store, c);
        expect(repo.assign(campaign.id, id, 'treatment', ASSIGNED)).toBe(true);
        outbox.enqueue(
          {
            dedupeKey: `m-${c}`,
            campaignId: campaign.id,
            customerId: id,
            conversationReferenceId: null,
            kind: 'winback',
            payload: { text: 'hi' },
          },
          ASSIGNED,
        );
        const m = outbox.claimNext(SENT)!;
        if (c === 't4') outbox.markSkipped(m.id, 'opted_out', SENT);
        else outbox.markSent(m.id, `activity-${c}`, SENT);
      }
      for (const c of ['k1', 'k2']) repo.assign(campaign.id, customerId(store, c), 'control', ASSIGNED);
      expect(repo.assign(campaign.id, customerId(store, 'k1'), 'treatment', SENT)).toBe(false); // arm kept
      expect(repo.armOf(campaign.id, customerId(store, 'k1'))).toBe('control');

      const report = campaignReport(store, campaign.id)!;
      expect(report.treated).toEqual({
        members: 4,
        sent: 3,
        delivered: 3,
        converted: 2, // t1 and t4
        conversionRate: 0.5,
        orders: 2,
        revenue: 35, // 20 (t1, postage left out) + 15 (t4)
        revenuePerMember: 8.75,
      });
      expect(report.control).toEqual({
        members: 2,
        sent: 0,
        delivered: 0,
        converted: 1,
        conversionRate: 0.5,
        orders: 1,
        revenue: 8,
        revenuePerMember: 4,
      });
      expect(report.delivery).toMatchObject({ sent: 3, skipped: 1, skipReasons: { opted_out: 1 } });
      expect(report.uplift.uplift).toBe(0);
      expect(report.uplift.interval).toEqual(
        newcombeInterval({ successes: 2, trials: 4 }, { successes: 1, trials: 2 }),
      );
      expect(report.uplift.significant).toBe(false);
      expect(report.incrementalRevenue).toBeCloseTo((8.75 - 4) * 4, 10);
      expect(listCampaigns(store).map((c) => c.id)).toEqual([campaign.id]);
      expect(campaignReport(store, campaign.id + 1)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('refuses a campaign a marketer could not have meant', () => {
    const store = openStore(engine.location('invalid'));
    try {
      const draft = {
        name: 'x',
        kind: 'winback' as const,
        audience: {},
        offer: {},
        controlShare: 0.1,
        createdBy: 'cli',
      };
      expect(() => createCampaign(store, { ...draft, controlShare: 1 })).toThrow(CampaignValidationError);
      expect(() => createCampaign(store, { ...draft, audience: { minChurnProbability: 1.5 } })).toThrow(
        /between 0 and 1/,
      );
      expect(() => createCampaign(store, { ...draft, offer: { percentOff: 0 } })).toThrow(/percent off/);
      expect(() => createCampaign(store, { ...draft, name: '  ' })).toThrow(/name/);
      expect(listCampaigns(store)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
