/**
 * The repositories' contract, held by both engines: the same cases, the same expected answers, on
 * a SQLite file and on a real PostgreSQL database. (The outbox, campaign outcomes, imports and
 * marketer rules have their own files, which run on both engines too.)
 */
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { MAX_RUN_ATTEMPTS } from '../../data/repositories/jobRuns';
import type { NewScore } from '../../data/repositories/customerScores';
import { tempDir, writeCsv } from '../support/files';
import { describeEachEngine } from '../support/engines';

const HEADER =
  'order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country,customer_email,customer_timezone';
const SHOP = [
  HEADER,
  'O1,c1,A1,Alpha mug,2,10,2026-01-05T10:00:00Z,United Kingdom,a@x.com,',
  'O1,c1,POST,Postage,1,5,2026-01-05T10:00:00Z,United Kingdom,,',
  'O2,c1,B1,Beta bowl,1,30,2026-02-01T09:00:00Z,United Kingdom,,',
  'O3,c2,A1,Alpha mug,3,10,2026-01-20T12:00:00Z,France,b@y.com,Europe/Paris',
  'O4,,B1,Beta bowl,1,30,2026-01-21T08:00:00Z,United Kingdom,,',
  'O5,c3,A1,Alpha mug,-1,10,2026-02-02T15:30:00Z,Germany,,',
  'O6,c3,C1,Gamma cup,1,7.5,2026-01-10T11:00:00Z,Germany,,',
];
const AS_OF_1 = '2026-02-01T00:00:00.000Z';
const AS_OF_2 = '2026-02-03T00:00:00.000Z';
const T = (iso: string) => new Date(iso);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function score(customerId: number, churnProbability: number, clv: number | null, stage: string): NewScore {
  return {
    customerId,
    recencyDays: 10,
    frequency: 2,
    monetary: 25.5,
    rfmScore: '345',
    segment: stage === 'at risk' ? 'At risk' : 'Loyal',
    cluster: 1,
    churnProbability,
    churnDrivers: [{ feature: 'recency', effect: 0.5 }],
    pAlive: 1 - churnProbability,
    expectedPurchases: 0.25,
    clv,
    stage,
  };
}

describeEachEngine('repository contract', (engine) => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  let location: string;
  let store: Store;
  let ids: Record<'c1' | 'c2' | 'c3', number>;
  beforeEach(async () => {
    location = engine.location('contract');
    store = openStore(location);
    await importOrders(store, writeCsv(tmp.dir, 'shop.csv', SHOP), { timeZone: 'UTC' });
    const id = (c: string) => store.orders.customerByExternal(c)!.id;
    ids = { c1: id('c1'), c2: id('c2'), c3: id('c3') };
  });
  afterEach(() => store.close());

  describe('the order history and what is read from it', () => {
    it('order history: extent, customers, products and lines by window', () => {
      expect(store.orders.dataExtent()).toEqual({
        orders: 6,
        orderLines: 7,
        customers: 3,
        products: 4,
        firstOrderAt: '2026-01-05T10:00:00.000Z',
        lastOrderAt: '2026-02-02T15:30:00.000Z',
      });
      expect(store.orders.listCustomers().map((c) => [c.externalId, c.country, c.email, c.timeZone])).toEqual(
        [
          ['c1', 'United Kingdom', 'a@x.com', null],
          ['c2', 'France', 'b@y.com', 'Europe/Paris'],
          ['c3', 'Germany', null, null],
        ],
      );
      expect(store.orders.customer(ids.c2)).toMatchObject({ externalId: 'c2', consentState: 'unknown' });
      expect(store.orders.customerByExternal('nobody')).toBeUndefined();
      expect(store.orders.listProducts().map((p) => [p.sku, p.kind, p.lastUnitPrice])).toEqual([
        ['A1', 'product', 10],
        ['POST', 'postage', 5],
        ['B1', 'product', 30],
        ['C1', 'product', 7.5],
      ]);
      const all = [...store.orders.iterateLines()];
      expect(all.map((l) => `${l.orderExternalId}:${l.sku}:${l.quantity}`)).toEqual([
        'O1:A1:2',
        'O1:POST:1',
        'O6:C1:1',
        'O3:A1:3',
        'O4:B1:1',
        'O2:B1:1',
        'O5:A1:-1',
      ]);
      expect(all[0]).toEqual({
        orderId: expect.any(Number),
        orderExternalId: 'O1',
        customerId: ids.c1,
        orderedAt: '2026-01-05T10:00:00.000Z',
        orderKind: 'purchase',
        country: 'United Kingdom',
        productId: expect.any(Number),
        sku: 'A1',
        productKind: 'product',
        quantity: 2,
        unitPrice: 10,
      });
      expect(all.at(-1)).toMatchObject({ orderKind: 'return', customerId: ids.c3 });
      const window = [
        ...store.orders.iterateLines({
          from: T('2026-01-10T11:00:00Z'),
          before: T('2026-02-01T09:00:00Z'),
          customersOnly: true,
        }),
      ];
      expect(window.map((l) => l.orderExternalId)).toEqual(['O6', 'O3']);
    });

    it("a customer's own orders, and the order number + email check", () => {
      const orders = store.customerOrders;
      expect(orders.recent(ids.c1)).toEqual([
        {
          invoice: 'O2',
          kind: 'purchase',
          orderedAt: '2026-02-01T09:00:00.000Z',
          country: 'United Kingdom',
          lines: 1,
          items: 1,
          total: 30,
        },
        {
          invoice: 'O1',
          kind: 'purchase',
          orderedAt: '2026-01-05T10:00:00.000Z',
          country: 'United Kingdom',
          lines: 2,
          items: 3,
          total: 25,
        },
      ]);
      expect(orders.recent(ids.c1, 1)).toHaveLength(1);
      expect(orders.ownOrder(ids.c1, 'o2')).toMatchObject({ invoice: 'O2', total: 30 });
      expect(orders.ownOrder(ids.c2, 'O1')).toBeUndefined();
      expect(orders.ownOrderLines(ids.c1, 'O1')).toEqual([
        { sku: 'A1', description: 'Alpha mug', quantity: 2, unitPrice: 10 },
        { sku: 'POST', description: 'Postage', quantity: 1, unitPrice: 5 },
      ]);
      expect(orders.verify(' o1 ', ' A@X.com ')).toEqual({ verified: true, customerId: ids.c1 });
      expect(orders.verify('O1', 'b@y.com')).toEqual({ verified: false, targetCustomerId: ids.c1 });
      expect(orders.verify('O4', 'a@x.com')).toEqual({ verified: false, targetCustomerId: null });
      expect(orders.verify('NOPE', 'a@x.com')).toEqual({ verified: false, targetCustomerId: null });
      expect(orders.customerWithEmail(' B@Y.COM ')).toBe(ids.c2);
      expect(orders.customerWithEmail('nobody@y.com')).toBeUndefined();
    });

    it('sales figures: best sellers (ties broken by catalogue order), active customers, customer months', () => {
      expect(store.sales.topProducts()).toEqual([
        { sku: 'B1', description: 'Beta bowl', customers: 1, orders: 2, quantity: 2, revenue: 60 },
        { sku: 'A1', description: 'Alpha mug', customers: 2, orders: 2, quantity: 5, revenue: 50 },
        { sku: 'C1', description: 'Gamma cup', customers: 1, orders: 1, quantity: 1, revenue: 7.5 },
      ]);
      expect(store.sales.topProducts({ country: 'France' }, 5)).toEqual([
        { sku: 'A1', description: 'Alpha mug', customers: 1, orders: 1, quantity: 3, revenue: 30 },
      ]);
      expect(store.sales.topProducts({ before: T('2026-01-06T00:00:00Z') }, 1)).toMatchObject([
        { sku: 'A1' },
      ]);
      expect([...store.sales.activeCustomers({ from: T('2026-01-15T00:00:00Z') })].sort()).toEqual(
        [ids.c1, ids.c2].sort(),
      );
      expect(store.sales.customerMonths()).toEqual([
        { customerId: ids.c1, month: '2026-01' },
        { customerId: ids.c2, month: '2026-01' },
        { customerId: ids.c3, month: '2026-01' },
        { customerId: ids.c1, month: '2026-02' },
      ]);
    });

    it('what the recommenders train on, and a fingerprint that changes with new orders', async () => {
      const data = store.recsData;
      expect(data.purchases().map((p) => `${p.customer ?? 'guest'}:${p.orderId}:${p.sku}`)).toEqual([
        'c1:O1:A1',
        'c1:O1:POST',
        'c3:O6:C1',
        'c2:O3:A1',
        'guest:O4:B1',
        'c1:O2:B1',
      ]);
      expect(data.catalogue().map((c) => c.sku)).toEqual(['A1', 'POST', 'B1', 'C1']);
      expect(data.customerCountries()).toEqual({ c1: 'United Kingdom', c2: 'France', c3: 'Germany' });
      expect(data.trainingData(T('2026-01-15T00:00:00Z')).purchases).toHaveLength(3);
      const before = data.dataFingerprint();
      expect(before).toBe('orders=6;lines=7;products=4;last=2026-02-02T15:30:00.000Z;lineId=7');
      await importOrders(
        store,
        writeCsv(tmp.dir, 'more.csv', [HEADER, 'O7,c2,C1,Gamma cup,1,7.5,2026-02-05T10:00:00Z,France,,']),
        { timeZone: 'UTC' },
      );
      expect(data.dataFingerprint()).not.toBe(before);
      expect(data.hasCustomer('c2')).toBe(true);
      expect(data.hasCustomer('c9')).toBe(false);
    });
  });

  it('gives ids as SQLite does: rows imported again, or updated, take none (the analytics split customers by id)', async () => {
    const again = SHOP.map((line) => line.replace('United Kingdom,a@x.com', 'Ireland,new@x.com'));
    await importOrders(store, writeCsv(tmp.dir, 'again.csv', again), { timeZone: 'UTC' });
    await importOrders(
      store,
      writeCsv(tmp.dir, 'new.csv', [HEADER, 'O8,c4,D1,Delta jug,1,12,2026-02-06T10:00:00Z,Spain,,']),
      { timeZone: 'UTC' },
    );
    expect(store.orders.customerByExternal('c1')).toMatchObject({ id: ids.c1, email: 'new@x.com' });
    expect(store.orders.customerByExternal('c4')!.id).toBe(ids.c3 + 1);
    expect(store.orders.listProducts().map((p) => p.id)).toEqual([1, 2, 3, 4, 5]);
    expect([...store.orders.iterateLines()].map((l) => l.orderId)).toEqual([1, 1, 6, 3, 4, 2, 5, 7]);
  });

  it('scores: replaced per date, newest first, top churn with missing values last, stage history', () => {
    const scores = store.scores;
    expect(scores.latestAsOf()).toBeNull();
    scores.saveScores(AS_OF_1, null, [score(ids.c1, 0.2, 100, 'active'), score(ids.c2, 0.5, 10, 'active')]);
    const run = store.runs.record({ model: 'churn', version: 'v1' });
    scores.saveScores(AS_OF_2, run.id, [
      score(ids.c1, 0.9, null, 'at risk'),
      score(ids.c2, 0.9, 40, 'at risk'),
      score(ids.c3, 0.1, 5, 'active'),
    ]);
    // Saving the same date again replaces that date's rows.
    scores.saveScores(AS_OF_2, run.id, [score(ids.c3, 0.3, 5, 'active')]);
    expect(scores.latestAsOf()).toBe(AS_OF_2);
    expect(scores.forCustomer(ids.c3)).toEqual({
      ...score(ids.c3, 0.3, 5, 'active'),
      externalId: 'c3',
      country: 'Germany',
      asOf: AS_OF_2,
      modelRunId: run.id,
    });
    expect(scores.topChurn(AS_OF_2, 3).map((s) => [s.externalId, s.churnProbability, s.clv])).toEqual([
      ['c2', 0.9, 40],
      ['c1', 0.9, null],
      ['c3', 0.3, 5],
    ]);
    expect(scores.allAt(AS_OF_1).map((s) => s.externalId)).toEqual(['c1', 'c2']);
    expect(scores.forCustomer(ids.c1)!.churnDrivers).toEqual([{ feature: 'recency', effect: 0.5 }]);

    scores.recordStageChanges(
      [{ customerId: ids.c1, stage: 'active', previousStage: null }],
      AS_OF_1,
      AS_OF_1,
    );
    scores.recordStageChanges(
      [
        { customerId: ids.c1, stage: 'at risk', previousStage: 'active' },
        { customerId: ids.c2, stage: 'at risk', previousStage: null },
      ],
      AS_OF_2,
      AS_OF_2,
    );
    expect(scores.latestStages()).toEqual(
      new Map([
        [ids.c1, 'at risk'],
        [ids.c2, 'at risk'],
      ]),
    );
    expect(scores.stageHistory(ids.c1)).toEqual([
      { stage: 'active', previousStage: null, changedAt: AS_OF_1, asOf: AS_OF_1 },
      { stage: 'at risk', previousStage: 'active', changedAt: AS_OF_2, asOf: AS_OF_2 },
    ]);
  });

  it('campaign candidates: scores with the run before, first purchasers, one-time buyers, the latest reference', () => {
    store.scores.saveScores(AS_OF_1, null, [score(ids.c1, 0.2, 100, 'active')]);
    store.scores.saveScores(AS_OF_2, null, [
      score(ids.c1, 0.8, 90, 'at risk'),
      score(ids.c2, 0.4, 20, 'active'),
    ]);
    const campaigns = store.campaigns;
    expect(campaigns.latestScoreDate(T('2026-02-02T00:00:00Z'))).toBe(AS_OF_1);
    expect(campaigns.latestScoreDate(T('2025-01-01T00:00:00Z'))).toBeNull();
    const candidates = campaigns.scoredCandidates(AS_OF_2);
    expect(candidates).toEqual([
      {
        customerId: ids.c1,
        externalId: 'c1',
        country: 'United Kingdom',
        timeZone: null,
        consentState: 'unknown',
        forgottenAt: null,
        segment: 'At risk',
        stage: 'at risk',
        churnProbability: 0.8,
        clv: 90,
        previousStage: 'active',
        previousChurnProbability: 0.2,
        referenceId: null,
        referenceChannelId: null,
        referenceUpdatedAt: null,
        email: 'a@x.com',
        preferredChannel: null,
        firstPurchaseAt: null,
      },
      expect.objectContaining({ externalId: 'c2', previousStage: null, previousChurnProbability: null }),
    ]);
    const first = campaigns.firstPurchasers(T('2026-01-06T00:00:00Z'), T('2026-02-01T00:00:00Z'), AS_OF_2);
    expect(first.map((c) => [c.externalId, c.firstPurchaseAt, c.stage])).toEqual([
      ['c2', '2026-01-20T12:00:00.000Z', 'active'],
      ['c3', '2026-01-10T11:00:00.000Z', null],
    ]);
    const once = campaigns.oneTimeBuyers(
      T('2026-01-01T00:00:00Z'),
      T('2026-02-01T00:00:00Z'),
      T('2026-01-25T00:00:00Z'),
      null,
    );
    // c1 bought twice only counting orders before Feb 1; by Jan 25 c1 had bought once.
    expect(once.map((c) => c.externalId)).toEqual(['c1', 'c2', 'c3']);
    const later = campaigns.oneTimeBuyers(
      T('2026-01-01T00:00:00Z'),
      T('2026-02-01T00:00:00Z'),
      T('2026-03-01T00:00:00Z'),
      null,
    );
    expect(later.map((c) => c.externalId)).toEqual(['c2', 'c3']);

    const identities = store.identities;
    const seenAt = (iso: string, conversationId: string) =>
      identities.seen(
        { channelId: 'webchat', channelUserId: 'u-c1', role: 'customer' },
        {
          conversationId,
          serviceUrl: 'http://127.0.0.1:1',
          reference: { conversation: { id: conversationId } },
        },
        T(iso),
      );
    const me = seenAt('2026-02-01T10:00:00Z', 'conv-old');
    seenAt('2026-02-02T10:00:00Z', 'conv-new');
    identities.linkCustomer(me.id, ids.c1);
    const latest = campaigns.latestReference(ids.c1)!;
    expect(latest.channelId).toBe('webchat');
    expect(campaigns.scoredCandidates(AS_OF_2)[0]).toMatchObject({
      referenceId: latest.id,
      referenceChannelId: 'webchat',
    });
    expect(identities.references(me.id).map((r) => r.conversationId)).toEqual(['conv-new', 'conv-old']);
    expect(campaigns.latestReference(ids.c2)).toBeUndefined();
  });

  it('campaigns: created, listed, due, assigned once, counted per arm, with memberships and delivery', () => {
    const campaigns = store.campaigns;
    const made = campaigns.create(
      {
        name: 'Spring',
        kind: 'winback',
        status: 'scheduled',
        audience: { stage: 'at risk' },
        offer: { percentOff: 10 },
        controlShare: 0.25,
        scheduledAt: T('2026-03-01T09:00:00Z'),
        createdBy: 'cli',
      },
      T('2026-02-20T09:00:00Z'),
    );
    expect(made).toEqual({
      id: expect.any(Number),
      name: 'Spring',
      kind: 'winback',
      status: 'scheduled',
      audience: { stage: 'at risk' },
      offer: { percentOff: 10 },
      controlShare: 0.25,
      attributionDays: 30,
      scheduledAt: '2026-03-01T09:00:00.000Z',
      createdBy: 'cli',
      createdAt: '2026-02-20T09:00:00.000Z',
      updatedAt: '2026-02-20T09:00:00.000Z',
    });
    const other = campaigns.create(
      { name: 'Hello', kind: 'welcome', audience: {}, offer: {}, controlShare: 0, createdBy: null },
      T('2026-02-21T09:00:00Z'),
    );
    expect(campaigns.list().map((c) => c.id)).toEqual([other.id, made.id]);
    expect(campaigns.byKindAndName('winback', 'Spring')!.id).toBe(made.id);
    expect(campaigns.due('winback', T('2026-02-28T00:00:00Z'))).toEqual([]);
    expect(campaigns.due('winback', T('2026-03-01T09:00:00Z')).map((c) => c.id)).toEqual([made.id]);
    expect(campaigns.setStatus(made.id, 'completed', T('2026-03-02T00:00:00Z'))).toBe(true);
    expect(campaigns.get(made.id)).toMatchObject({
      status: 'completed',
      updatedAt: '2026-03-02T00:00:00.000Z',
    });
    expect(campaigns.get(other.id + 100)).toBeUndefined();

    const assigned = T('2026-01-15T00:00:00Z');
    expect(campaigns.assign(made.id, ids.c1, 'treatment', assigned, 0.12)).toBe(true);
    expect(campaigns.assign(made.id, ids.c1, 'control', assigned)).toBe(false);
    expect(campaigns.assign(made.id, ids.c2, 'control', assigned)).toBe(true);
    expect(campaigns.armOf(made.id, ids.c1)).toBe('treatment');
    expect(campaigns.memberCounts(made.id)).toEqual({ treatment: 1, control: 1 });
    store.outbox.enqueue(
      {
        dedupeKey: 'spring:c1',
        campaignId: made.id,
        customerId: ids.c1,
        conversationReferenceId: null,
        kind: 'winback',
        payload: { text: 'hi' },
      },
      assigned,
    );
    const claimed = store.outbox.claimNext(T('2026-01-25T00:00:00Z'))!;
    store.outbox.markSent(claimed.id, 'activity-1', T('2026-01-25T00:00:00Z'));
    expect(campaigns.memberships(made.id)).toEqual([
      {
        campaignId: made.id,
        customerId: ids.c1,
        arm: 'treatment',
        assignedAt: '2026-01-15T00:00:00.000Z',
        anchor: '2026-01-25T00:00:00.000Z',
        until: '2026-02-24T00:00:00.000Z',
        converted: 1, // O2 on Feb 1
        offerJson: '{"percentOff":10}',
        predictedUplift: 0.12,
      },
      {
        campaignId: made.id,
        customerId: ids.c2,
        arm: 'control',
        assignedAt: '2026-01-15T00:00:00.000Z',
        anchor: '2026-01-15T00:00:00.000Z',
        until: '2026-02-14T00:00:00.000Z',
        converted: 1, // O3 on Jan 20
        offerJson: '{"percentOff":10}',
        predictedUplift: null,
      },
    ]);
    expect(campaigns.memberships()).toHaveLength(2);
    expect(campaigns.outcomes(made.id, 30)).toEqual([
      { arm: 'control', channel: 'chat', members: 1, converted: 1, orders: 1, revenue: 30 },
      { arm: 'treatment', channel: 'chat', members: 1, converted: 1, orders: 1, revenue: 30 },
    ]);
    expect(campaigns.deliveryCountsFor(made.id, 'email').sent).toBe(0);
    expect(campaigns.deliveryCountsFor(made.id, 'chat').sent).toBe(1);
    expect(campaigns.deliveryCounts(made.id)).toEqual({
      queued: 0,
      sending: 0,
      sent: 1,
      delivered: 1,
      skipped: 0,
      failed: 0,
      dead: 0,
      skipReasons: {},
    });
  });

  it('chat identities: upserted by account, keeping what a later sighting does not say, linked to a customer', () => {
    const identities = store.identities;
    const conversation = { conversationId: 'c-1', serviceUrl: 'http://127.0.0.1:1', reference: { x: 1 } };
    const first = identities.seen(
      {
        channelId: 'msteams',
        channelUserId: '29:abc',
        aadObjectId: 'aad-1',
        displayName: 'Mia',
        role: 'marketer',
      },
      conversation,
      T('2026-02-01T10:00:00Z'),
    );
    const again = identities.seen(
      { channelId: 'msteams', channelUserId: '29:abc', role: 'customer' },
      { ...conversation, serviceUrl: 'http://127.0.0.1:2', reference: { x: 2 } },
      T('2026-02-02T10:00:00Z'),
    );
    expect(again).toEqual({
      id: first.id,
      channelId: 'msteams',
      channelUserId: '29:abc',
      aadObjectId: 'aad-1',
      displayName: 'Mia',
      role: 'customer',
      customerId: null,
      lastSeenAt: '2026-02-02T10:00:00.000Z',
    });
    expect(identities.references(first.id)).toEqual([
      {
        identityId: first.id,
        channelId: 'msteams',
        conversationId: 'c-1',
        serviceUrl: 'http://127.0.0.1:2',
        tenantId: null,
        reference: { x: 2 },
        updatedAt: '2026-02-02T10:00:00.000Z',
      },
    ]);
    expect(identities.linkCustomer(first.id, ids.c2)).toMatchObject({ customerId: ids.c2 });
    expect(identities.byAccount('msteams', '29:abc')!.customerId).toBe(ids.c2);
    expect(identities.byId(first.id + 1000)).toBeUndefined();
    expect(identities.linkCustomer(first.id + 1000, ids.c2)).toBeUndefined();
  });

  it('opt-outs: per channel or everywhere, once, until resubscribed', () => {
    const optOuts = store.optOuts;
    expect(optOuts.optOut(ids.c1, 'stop', 'slack', T('2026-02-01T00:00:00Z'))).toBe(true);
    expect(optOuts.isOptedOut(ids.c1, 'slack')).toBe(true);
    expect(optOuts.isOptedOut(ids.c1, 'webchat')).toBe(false);
    expect(optOuts.isOptedOut(ids.c1)).toBe(true);
    expect(optOuts.optOut(ids.c1, 'stop everything', null, T('2026-02-02T00:00:00Z'))).toBe(true);
    expect(optOuts.optOut(ids.c1, 'stop again', null)).toBe(false);
    expect(optOuts.current(ids.c1, 'webchat')).toEqual({
      customerId: ids.c1,
      channel: null,
      reason: 'stop everything',
      optedOutAt: '2026-02-02T00:00:00.000Z',
    });
    expect(optOuts.resubscribe(ids.c1)).toBe(true);
    expect(optOuts.resubscribe(ids.c1)).toBe(false);
    expect(optOuts.isOptedOut(ids.c1)).toBe(false);
  });

  it('feedback: the last complaint, a summary by sentiment, filtered lists; feedback about the bot apart', () => {
    const feedback = store.feedback;
    const entry = (text: string, label: 'positive' | 'neutral' | 'negative', s: number) => ({
      customerId: ids.c1,
      chatIdentityId: null,
      text,
      sentimentScore: s,
      sentimentLabel: label,
    });
    const first = feedback.record(entry('love it', 'positive', 0.75), T('2026-02-01T10:00:00Z'));
    feedback.record(entry('broken', 'negative', -0.5), T('2026-02-02T10:00:00Z'));
    feedback.record(entry('ok', 'neutral', 0), T('2026-02-03T10:00:00Z'));
    expect(first).toEqual(expect.any(Number));
    expect(feedback.lastNegativeAt(ids.c1)).toBe('2026-02-02T10:00:00.000Z');
    expect(feedback.lastNegativeAt(ids.c2)).toBeNull();
    expect(feedback.summary(T('2026-02-01T00:00:00Z'))).toEqual({
      since: '2026-02-01T00:00:00.000Z',
      total: 3,
      byLabel: { positive: 1, neutral: 1, negative: 1 },
      meanScore: 0.25 / 3,
    });
    expect(feedback.recent(T('2026-02-01T00:00:00Z'), 2).map((f) => f.text)).toEqual(['ok', 'broken']);
    expect(feedback.recent(T('2026-02-01T00:00:00Z'), 10, 'positive')).toEqual([
      { id: first, ...entry('love it', 'positive', 0.75), createdAt: '2026-02-01T10:00:00.000Z' },
    ]);
    const about = feedback.recordAboutBot(
      { chatIdentityId: null, text: 'useless report', sentimentScore: -0.6, sentimentLabel: 'negative' },
      T('2026-02-04T00:00:00Z'),
    );
    expect(feedback.recentAboutBot(T('2026-02-01T00:00:00Z'))).toEqual([
      {
        id: about,
        chatIdentityId: null,
        text: 'useless report',
        sentimentScore: -0.6,
        sentimentLabel: 'negative',
        createdAt: '2026-02-04T00:00:00.000Z',
      },
    ]);
    expect(feedback.summary(T('2026-02-04T00:00:00Z')).total).toBe(0);
  });

  it('hand-offs: one open request per person, one per distinct request, listed and closed', () => {
    const handoffs = store.handoffs;
    const identity = store.identities.seen(
      { channelId: 'webchat', channelUserId: 'u-1', displayName: 'Ann', role: 'customer' },
      { conversationId: 'c', serviceUrl: 'http://127.0.0.1:1', reference: {} },
    );
    const a = handoffs.open(identity.id, ids.c1, 'talk to a person', T('2026-02-01T00:00:00Z'));
    expect(a).toEqual({ id: expect.any(Number), created: true });
    expect(handoffs.open(identity.id, ids.c1, 'again', T('2026-02-01T01:00:00Z'))).toEqual({
      id: a.id,
      created: false,
    });
    const r1 = handoffs.openRequest(identity.id, ids.c1, 'return O1', T('2026-02-02T00:00:00Z'));
    expect(handoffs.openRequest(identity.id, ids.c1, 'return O1')).toEqual({ id: r1.id, created: false });
    expect(handoffs.openRequest(identity.id, ids.c1, 'return O2', T('2026-02-03T00:00:00Z')).created).toBe(
      true,
    );
    expect(handoffs.list().map((h) => h.reason)).toEqual(['return O2', 'return O1', 'talk to a person']);
    expect(handoffs.list('open', 1)[0]).toEqual({
      id: expect.any(Number),
      chatIdentityId: identity.id,
      customerId: ids.c1,
      customer: 'c1',
      displayName: 'Ann',
      channelId: 'webchat',
      reason: 'return O2',
      status: 'open',
      createdAt: '2026-02-03T00:00:00.000Z',
      closedAt: null,
    });
    expect(handoffs.close(a.id, T('2026-02-05T00:00:00Z'))).toBe(true);
    expect(handoffs.close(a.id)).toBe(false);
    expect(handoffs.list('closed')).toMatchObject([{ id: a.id, closedAt: '2026-02-05T00:00:00.000Z' }]);
    expect(handoffs.list(null)).toHaveLength(3);
  });

  it('conversation state: eTags hold across two connections (two instances), and a conflict writes nothing', () => {
    const other = openStore(location);
    try {
      const mine = store.botState;
      const theirs = other.botState;
      expect(mine.writeAll([{ key: 'conv/1', etag: 'e1', valueJson: '{"step":1}' }])).toEqual({});
      const read = theirs.read(['conv/1', 'missing']);
      expect(read).toEqual([{ key: 'conv/1', etag: 'e1', valueJson: '{"step":1}' }]);
      // The other instance writes based on what it read: accepted.
      expect(
        theirs.writeAll([{ key: 'conv/1', etag: 'e2', valueJson: '{"step":2}', expectedEtag: 'e1' }]),
      ).toEqual({});
      // This one writes from its stale read: refused, and nothing of its batch is written.
      expect(
        mine.writeAll([
          { key: 'conv/2', etag: 'x', valueJson: '{}' },
          { key: 'conv/1', etag: 'e3', valueJson: '{"step":3}', expectedEtag: 'e1' },
        ]),
      ).toEqual({ conflict: 'conv/1' });
      expect(mine.read(['conv/1', 'conv/2'])).toEqual([
        { key: 'conv/1', etag: 'e2', valueJson: '{"step":2}' },
      ]);
      // No row yet: a conditional write creates it.
      expect(
        mine.writeAll([{ key: 'conv/3', etag: 'n', valueJson: '{}', expectedEtag: 'whatever' }]),
      ).toEqual({});
      theirs.delete(['conv/1', 'conv/3']);
      expect(mine.read(['conv/1', 'conv/3'])).toEqual([]);
    } finally {
      other.close();
    }
  });

  it('audit log, model runs (and the newest run id another process can watch)', () => {
    const audit = store.audit;
    const baseline = audit.recent().length; // the import wrote one entry
    audit.write('cli', 'marketers.add', 'email:a@b.co', { note: 'x' }, T('2026-02-01T00:00:00Z'));
    audit.write('cli', 'marketers.add', 'email:c@d.co', {}, T('2026-02-02T00:00:00Z'));
    audit.write('job:winback', 'campaign.run', null, { sent: 2 }, T('2026-02-03T00:00:00Z'));
    expect(audit.count('cli', 'marketers.add', T('2026-02-02T00:00:00Z'))).toBe(1);
    expect(audit.recent(2)).toEqual([
      {
        id: expect.any(Number),
        at: '2026-02-03T00:00:00.000Z',
        actor: 'job:winback',
        action: 'campaign.run',
        subject: null,
        details: { sent: 2 },
      },
      expect.objectContaining({ subject: 'email:c@d.co', details: {} }),
    ]);
    expect(audit.recent()).toHaveLength(baseline + 3);

    const runs = store.runs;
    expect(runs.newestId()).toBeNull();
    const a = runs.record({
      model: 'recs',
      version: 'r1',
      asOf: T('2026-02-01T00:00:00Z'),
      trainedAt: T('2026-02-01T01:00:00Z'),
      params: { k: 10 },
      metrics: { ndcg: 0.25 },
      artifactPath: '/models/r1.json',
      dataFingerprint: 'f1',
    });
    expect(a).toEqual({
      id: expect.any(Number),
      model: 'recs',
      version: 'r1',
      asOf: '2026-02-01T00:00:00.000Z',
      trainedAt: '2026-02-01T01:00:00.000Z',
      params: { k: 10 },
      metrics: { ndcg: 0.25 },
      artifactPath: '/models/r1.json',
      dataFingerprint: 'f1',
    });
    const b = runs.record({ model: 'churn', version: 'c1', trainedAt: T('2026-02-02T00:00:00Z') });
    runs.record({ model: 'recs', version: 'r0', trainedAt: T('2026-01-01T00:00:00Z') });
    expect(runs.latest('recs')!.version).toBe('r1');
    expect(runs.latest('nothing')).toBeUndefined();
    expect(runs.list().map((r) => r.version)).toEqual(['c1', 'r1', 'r0']);
    expect(runs.newestId()).toBeGreaterThan(b.id);
    expect(() => runs.record({ model: 'recs', version: 'r1' })).toThrow();
  });

  it('verification attempts: counted per key by their keyed hashes, the same hashes on every connection', () => {
    const attempts = store.verifyAttempts;
    const keys = { identityId: null, customerId: ids.c1, email: ' A@X.com ', clientAddress: '10.0.0.1' };
    attempts.record(keys, 'failed', T('2026-02-01T00:00:00Z'));
    attempts.record({ ...keys, customerId: null }, 'failed', T('2026-02-01T01:00:00Z'));
    attempts.record(keys, 'succeeded', T('2026-02-01T02:00:00Z'));
    const since = T('2026-01-01T00:00:00Z');
    expect(attempts.failures(keys, since)).toEqual({
      customer: { failures: 1, lastFailureAt: '2026-02-01T00:00:00.000Z' },
      email: { failures: 2, lastFailureAt: '2026-02-01T01:00:00.000Z' },
      address: { failures: 2, lastFailureAt: '2026-02-01T01:00:00.000Z' },
    });
    const other = openStore(location);
    try {
      expect(other.verifyAttempts.failures({ ...keys, email: 'a@x.com' }, since).email!.failures).toBe(2);
    } finally {
      other.close();
    }
    expect(attempts.forgetCustomer(ids.c1, 'a@x.com')).toBe(3);
    attempts.record(keys, 'failed', T('2026-02-01T00:00:00Z'));
    expect(attempts.prune(T('2026-02-02T00:00:00Z'))).toBe(1);
    expect(attempts.failures(keys, since)).toEqual({
      customer: { failures: 0, lastFailureAt: null },
      email: { failures: 0, lastFailureAt: null },
      address: { failures: 0, lastFailureAt: null },
    });
  });

  it('verification codes: only a keyed hash kept, one open code per chat user, tries counted, closed, expired, capped, pruned', () => {
    const attempts = store.verifyAttempts;
    const identity = store.identities.seen(
      { channelId: 'webchat', channelUserId: 'u-code', role: 'customer' },
      { conversationId: 'conv-code', serviceUrl: 'http://127.0.0.1:1', reference: {} },
    );
    const sentAt = T('2026-03-01T10:00:00Z');
    const expiresAt = T('2026-03-01T10:10:00Z');
    const first = attempts.issueCode({
      identityId: identity.id,
      customerId: ids.c1,
      code: '123456',
      sentAt,
      expiresAt,
    });
    const second = attempts.issueCode({
      identityId: identity.id,
      customerId: ids.c1,
      code: '654321',
      sentAt,
      expiresAt,
    });
    // A newer code closes the one before it.
    expect(attempts.openCode(identity.id, T('2026-03-01T10:05:00Z'))).toEqual({
      id: second,
      customerId: ids.c1,
      tries: 0,
      expiresAt: '2026-03-01T10:10:00.000Z',
    });
    expect(first).not.toBe(second);
    expect(attempts.codeMatches(second, '654321')).toBe(true);
    expect(attempts.codeMatches(second, ' 654321 ')).toBe(true);
    expect(attempts.codeMatches(second, '123456')).toBe(false);
    expect(attempts.codeMatches(first, '123456')).toBe(true); // matches, but is no longer open
    expect(attempts.codeTried(second)).toBe(1);
    expect(attempts.codeTried(second)).toBe(2);
    expect(attempts.openCode(identity.id, T('2026-03-01T10:10:00Z'))).toBeUndefined(); // expired
    attempts.closeCode(second, T('2026-03-01T10:06:00Z'));
    expect(attempts.openCode(identity.id, T('2026-03-01T10:07:00Z'))).toBeUndefined();
    expect(attempts.codesSentSince(ids.c1, T('2026-03-01T00:00:00Z'))).toBe(2);
    expect(attempts.codesSentSince(ids.c1, T('2026-03-02T00:00:00Z'))).toBe(0);
    expect(attempts.pruneCodes(T('2026-03-02T00:00:00Z'))).toBe(2);
    expect(attempts.codesSentSince(ids.c1, T('2026-01-01T00:00:00Z'))).toBe(0);
  });

  it('forget me: erases the person in one transaction and leaves a tombstone without their name', () => {
    const identity = store.identities.seen(
      { channelId: 'webchat', channelUserId: 'u-c1', role: 'customer' },
      { conversationId: 'conv-c1', serviceUrl: 'http://127.0.0.1:1', reference: {} },
    );
    store.identities.linkCustomer(identity.id, ids.c1);
    // Left by email (no chat account): erased with the customer, not with the account.
    store.feedback.record({
      customerId: ids.c1,
      chatIdentityId: null,
      text: 'my name is Ann',
      sentimentScore: 0,
      sentimentLabel: 'neutral',
    });
    store.optOuts.optOut(ids.c1, 'stop');
    store.scores.saveScores(AS_OF_1, null, [score(ids.c1, 0.5, 1, 'active')]);
    // A code mailed to the customer's address for another chat user (not linked to the customer).
    const asker = store.identities.seen(
      { channelId: 'webchat', channelUserId: 'u-asker', role: 'customer' },
      { conversationId: 'conv-asker', serviceUrl: 'http://127.0.0.1:1', reference: {} },
    );
    store.verifyAttempts.issueCode({
      identityId: asker.id,
      customerId: ids.c1,
      code: '246810',
      sentAt: T('2026-02-09T00:00:00Z'),
      expiresAt: T('2026-02-09T00:10:00Z'),
    });
    const erased = store.erasure.forgetIdentity(identity.id, T('2026-02-10T00:00:00Z'));
    expect(erased).toEqual({
      customerId: ids.c1,
      formerExternalId: 'c1',
      accounts: [{ channelId: 'webchat', channelUserId: 'u-c1', conversationIds: ['conv-c1'] }],
      counts: {
        chatAccounts: 1,
        conversations: 1,
        feedback: 1,
        handoffs: 0,
        messages: 0,
        campaignMemberships: 0,
        optOuts: 1,
        scores: 1,
        stageHistory: 0,
        verificationCodes: 1,
        verificationAttempts: 0,
      },
      walEmptied: true,
    });
    const customer = store.orders.customer(ids.c1)!;
    expect(customer.externalId).toMatch(/^forgotten-[0-9a-f]{16}$/);
    expect(customer).toMatchObject({ email: null, consentState: 'withdrawn' });
    expect(store.identities.byId(identity.id)).toBeUndefined();
    expect(store.orders.dataExtent().orders).toBe(6);
    expect(store.audit.recent(1)[0]).toMatchObject({ action: 'forget_me', subject: `customer:${ids.c1}` });
    expect(JSON.stringify(store.audit.recent(1))).not.toContain('c1"');
  });

  it('customer contacts: created, updated only when something differs, suppressed addresses, erasure', () => {
    const contacts = store.contacts;
    const importId = store.imports.beginImport({
      file: 'customers.csv',
      format: 'customers',
      startedAt: AS_OF_1,
    });
    // (The customer file's reader hands addresses over normalised, as here.)
    const created = contacts.apply(
      {
        externalId: 'c9',
        email: 'nine@example.com',
        name: 'Nina',
        consent: { state: 'granted', at: AS_OF_1, source: 'checkout' },
        preferredChannel: 'email',
      },
      importId,
      T(AS_OF_2),
    );
    expect(created).toEqual({ customerId: expect.any(Number), outcome: 'created' });
    const nine = created.customerId!;
    expect(contacts.customersWithEmail('Nine@Example.com')).toEqual([nine]);
    expect(contacts.contact(nine)).toMatchObject({
      externalId: 'c9',
      name: 'Nina',
      preferredChannel: 'email',
      consentState: 'granted',
      consentUpdatedAt: AS_OF_1,
      consentSource: 'checkout',
      forgottenAt: null,
    });
    expect(contacts.apply({ externalId: 'c9', name: 'Nina' }, importId, T(AS_OF_2)).outcome).toBe(
      'unchanged',
    );
    expect(
      contacts.apply({ externalId: 'c1', name: 'Ann', preferredChannel: 'chat' }, importId, T(AS_OF_2)),
    ).toEqual({
      customerId: ids.c1,
      outcome: 'updated',
    });
    expect(contacts.suppress('a@x.com', 'bounced', '550 no such user', T(AS_OF_2))).toBe(true);
    expect(contacts.suppress('A@X.com', 'complained', null, T(AS_OF_2))).toBe(false);
    expect(contacts.suppression('a@x.com')).toEqual({
      reason: 'bounced',
      detail: '550 no such user',
      createdAt: AS_OF_2,
    });
    expect(contacts.isSuppressed('b@y.com')).toBe(false);
    // Messages by email carry the address and name read at send time.
    store.outbox.enqueue(
      {
        dedupeKey: 'mail:c1',
        campaignId: null,
        customerId: ids.c1,
        conversationReferenceId: null,
        channel: 'email',
        kind: 'winback',
        payload: {},
      },
      T(AS_OF_2),
    );
    expect(store.outbox.claimNext(T(AS_OF_2))).toMatchObject({
      channel: 'email',
      email: 'a@x.com',
      customerName: 'Ann',
      customerExternalId: 'c1',
    });
    // Forgetting the customer drops the contact details and keeps the address only as a hash.
    const identity = store.identities.seen(
      { channelId: 'webchat', channelUserId: 'u-c1', role: 'customer' },
      { conversationId: 'conv-c1', serviceUrl: 'http://127.0.0.1:1', reference: {} },
    );
    store.identities.linkCustomer(identity.id, ids.c1);
    store.erasure.forgetIdentity(identity.id, T('2026-03-01T00:00:00Z'));
    expect(contacts.contact(ids.c1)).toMatchObject({ name: null, preferredChannel: null, email: null });
    expect(contacts.apply({ externalId: 'c1-again', email: 'A@x.com' }, importId, T(AS_OF_2)).outcome).toBe(
      'forgotten',
    );
    expect(contacts.apply({ externalId: 'c2', email: 'b@y.com' }, importId, T(AS_OF_2)).outcome).toBe(
      'unchanged',
    );
  });

  it('the web chat demo: one real customer per country, a marketer and customer users made once', () => {
    const demo = store.webChatDemo;
    expect(demo.demoCustomers(4, 1)).toEqual([
      {
        id: ids.c1,
        externalId: 'c1',
        country: 'United Kingdom',
        orders: 2,
        firstOrderAt: '2026-01-05T10:00:00.000Z',
        lastOrderAt: '2026-02-01T09:00:00.000Z',
      },
      expect.objectContaining({ externalId: 'c2', orders: 1 }),
      expect.objectContaining({ externalId: 'c3', orders: 1 }),
    ]);
    expect(demo.demoCustomers(4, 2).map((c) => c.externalId)).toEqual(['c1']);
    expect(demo.customerByExternalId('c3')).toMatchObject({
      orders: 1,
      firstOrderAt: '2026-01-10T11:00:00.000Z',
    });
    const marketer = demo.demoMarketer();
    expect(marketer.channelUserId).toMatch(/^dl_demo-marketer-[0-9a-f]{24}$/);
    expect(demo.demoMarketer()).toEqual(marketer);
    expect(store.marketers.isMarketer(marketer)).toBe(true);
    const user = demo.demoCustomerUser({ id: ids.c2, externalId: 'c2' });
    expect(demo.demoCustomerUser({ id: ids.c2, externalId: 'c2' })).toEqual(user);
    expect(store.identities.byAccount(user.channelId, user.channelUserId)).toMatchObject({
      customerId: ids.c2,
    });
  });

  it('job runs: one holder per scheduled run, leases renewed and taken over when they run out', async () => {
    const runs = store.jobRuns;
    const other = openStore(location);
    try {
      expect(runs.claim('winback@2026-02-01T10:00:00.000Z', 'winback', 'a', 60_000)).toBe(true);
      expect(other.jobRuns.claim('winback@2026-02-01T10:00:00.000Z', 'winback', 'b', 60_000)).toBe(false);
      expect(other.jobRuns.renew('winback@2026-02-01T10:00:00.000Z', 'b', 60_000)).toBe(false);
      expect(runs.renew('winback@2026-02-01T10:00:00.000Z', 'a', 60_000)).toBe(true);
      expect(runs.finish('winback@2026-02-01T10:00:00.000Z', 'a', 'ok')).toBe(true);
      expect(runs.get('winback@2026-02-01T10:00:00.000Z')).toMatchObject({
        job: 'winback',
        holder: 'a',
        attempts: 1,
        outcome: 'ok',
        finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      // Done: nobody runs it again, even after its lease.
      expect(other.jobRuns.claim('winback@2026-02-01T10:00:00.000Z', 'winback', 'b', 60_000)).toBe(false);

      // A holder that stops renewing: its run is abandoned once the lease ran out, and taken over.
      expect(runs.claim('nightly@2026-02-01T02:30:00.000Z', 'nightly', 'a', 100)).toBe(true);
      expect(other.jobRuns.abandoned()).toEqual([]);
      await sleep(250);
      expect(other.jobRuns.abandoned().map((r) => r.runKey)).toEqual(['nightly@2026-02-01T02:30:00.000Z']);
      expect(other.jobRuns.claim('nightly@2026-02-01T02:30:00.000Z', 'nightly', 'b', 100)).toBe(true);
      expect(runs.finish('nightly@2026-02-01T02:30:00.000Z', 'a', 'ok')).toBe(false); // no longer a's
      for (let attempt = 3; attempt <= MAX_RUN_ATTEMPTS; attempt++) {
        await sleep(250);
        expect(runs.claim('nightly@2026-02-01T02:30:00.000Z', 'nightly', 'a', 100)).toBe(true);
      }
      // A run that died MAX_RUN_ATTEMPTS times is left alone.
      await sleep(250);
      expect(runs.abandoned()).toEqual([]);
      expect(other.jobRuns.claim('nightly@2026-02-01T02:30:00.000Z', 'nightly', 'b', 100)).toBe(false);
      expect(runs.get('nightly@2026-02-01T02:30:00.000Z')).toMatchObject({
        attempts: MAX_RUN_ATTEMPTS,
        finishedAt: null,
      });
      expect(runs.recent(1)[0].runKey).toBe('nightly@2026-02-01T02:30:00.000Z');
    } finally {
      other.close();
    }
  });

  it('model files: written whole, read back on any connection, replaced', () => {
    const file = path.join(tmp.dir, `models-${engine.name}`, 'recs-1.json');
    expect(store.modelFiles.exists(file)).toBe(false);
    expect(store.modelFiles.read(file)).toBeUndefined();
    store.modelFiles.write(file, '{"v":1}');
    const other = openStore(location);
    try {
      expect(other.modelFiles.read(file)).toBe('{"v":1}');
      other.modelFiles.write(file, '{"v":2}');
      expect(store.modelFiles.exists(file)).toBe(true);
      expect(store.modelFiles.read(file)).toBe('{"v":2}');
    } finally {
      other.close();
    }
  });

  it('transactions: all of it or none of it, across repositories, with nested parts rolled back alone', () => {
    expect(() =>
      store.transaction(() => {
        store.audit.write('cli', 'in-transaction', null);
        store.optOuts.optOut(ids.c2, 'stop');
        throw new Error('abandoned');
      }),
    ).toThrow('abandoned');
    expect(store.optOuts.isOptedOut(ids.c2)).toBe(false);
    expect(store.audit.count('cli', 'in-transaction', T('2000-01-01T00:00:00Z'))).toBe(0);
    store.transaction(() => {
      store.optOuts.optOut(ids.c2, 'kept');
      expect(() =>
        store.transaction(() => {
          store.optOuts.optOut(ids.c3, 'dropped');
          throw new Error('inner');
        }),
      ).toThrow('inner');
    });
    expect(store.optOuts.isOptedOut(ids.c2)).toBe(true);
    expect(store.optOuts.isOptedOut(ids.c3)).toBe(false);
  });
});
