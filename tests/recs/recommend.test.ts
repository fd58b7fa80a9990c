/**
 * The recommender on the real Online Retail file, through the command line a shop would use:
 * JSON shapes, saved and versioned models, reasons that recompute from the raw orders, filters,
 * cold start, and the quality bar: the hybrid beats popularity and plain item-kNN.
 */
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { main } from '../../cli/main';
import {
  createAlsBatchScorer,
  jsAlsBatchScorer,
  readRecsModel,
  recommend,
  recommendMany,
  type RecsModel,
  type Reason,
} from '../../analytics/recs';
import type { TrainingData } from '../../analytics/recs/types';
import { tempDir } from '../support/files';
import { describeWithShared, groceriesFile, onlineRetailFile, testWithShared } from '../support/sharedData';

describeWithShared([onlineRetailFile], 'the recommender on the real Online Retail file', () => {
  const tmp = tempDir('retain-recs-');
  const dbFile = path.join(tmp.dir, 'retail.db');
  process.env.RETAIN_MODELS_DIR = path.join(tmp.dir, 'models');

  /** Runs the CLI in-process and returns what it printed on stdout. */
  async function cli(...args: string[]): Promise<{ out: string; code: number }> {
    let out = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString();
      return true;
    });
    process.exitCode = 0;
    try {
      await main(['node', 'retain', ...args, '--db', dbFile]);
    } finally {
      spy.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { out, code };
  }

  let store: Store;
  let data: TrainingData;
  let model: RecsModel;
  /** What `recommend --json` and `similar --json` print per product. */
  interface JsonItem {
    rank: number;
    sku: string;
    score: number;
    unitPrice: number | null;
    reason: Reason;
  }
  interface JsonRule {
    antecedent: string[];
    consequent: string[];
    support: number;
    confidence: number;
    lift: number;
  }
  let recommendJson: { customer: string; coldStart: boolean; items: JsonItem[]; model: { version: string } };

  beforeAll(async () => {
    store = openStore(dbFile);
    await importOrders(store, onlineRetailFile);
    store.close();
    const first = await cli('recommend', '--customer', '12347', '--json');
    expect(first.code).toBe(0);
    recommendJson = JSON.parse(first.out);
    store = openStore(dbFile);
    const runs = store.runs.list();
    model = readRecsModel(runs[0].artifactPath!);
    data = store.recsData.trainingData(new Date(model.asOf));
  }, 120_000);

  afterAll(() => {
    store?.close();
    tmp.cleanup();
  });

  describe('retain recommend', () => {
    it('prints ranked products with score and reason, and records the model version', () => {
      expect(recommendJson.customer).toBe('12347');
      expect(recommendJson.coldStart).toBe(false);
      expect(recommendJson.items).toHaveLength(10);
      recommendJson.items.forEach((item: JsonItem, r: number) => {
        expect(item.rank).toBe(r + 1);
        expect(typeof item.sku).toBe('string');
        expect(typeof item.score).toBe('number');
        expect(typeof item.reason.text).toBe('string');
        expect(item.reason.text.length).toBeGreaterThan(10);
      });
      const scores = recommendJson.items.map((i: JsonItem) => i.score);
      expect([...scores].sort((a, b) => b - a)).toEqual(scores);
      const runs = store.runs.list();
      expect(runs).toHaveLength(1);
      expect(runs[0].model).toBe('recs');
      expect(recommendJson.model.version).toBe(runs[0].version);
      expect(runs[0].metrics).toHaveProperty('validation');
    });

    it('reuses the saved model while the data is unchanged, and gives the same answer', async () => {
      const again = await cli('recommend', '--customer', '12347', '--json');
      expect(JSON.parse(again.out).items).toEqual(recommendJson.items);
      expect(store.runs.list()).toHaveLength(1);
    });

    it('answers a customer with no history with popular products (cold start)', async () => {
      const { out } = await cli('recommend', '--customer', 'NEW-CUSTOMER-1', '--k', '5', '--json');
      const json = JSON.parse(out);
      expect(json.coldStart).toBe(true);
      expect(json.knownCustomer).toBe(false);
      expect(json.items).toHaveLength(5);
      for (const item of json.items) expect(['popular', 'trending']).toContain(item.reason.kind);
      const buyers = json.items.map((i: JsonItem) => i.reason.recentBuyers);
      expect([...buyers].sort((a, b) => b - a)).toEqual(buyers);
    });

    it('applies the price filter ("gifts under 2") and can include bought products', async () => {
      const { out } = await cli('recommend', '--customer', '12347', '--max-price', '2', '--json');
      const items = JSON.parse(out).items;
      expect(items).toHaveLength(10);
      for (const item of items) expect(item.unitPrice).toBeLessThanOrEqual(2);
      const withBought = recommend(model, '12347', { k: 10, excludeBought: false }).items.map((i) => i.sku);
      expect(withBought.some((s) => boughtBy('12347').has(s))).toBe(true);
    });
  });

  function boughtBy(customer: string): Set<string> {
    return new Set(data.purchases.filter((p) => p.customer === customer).map((p) => p.sku));
  }

  describe('reasons are true: they recompute from the raw orders', () => {
    const customersWhoBought = (sku: string) =>
      new Set(data.purchases.filter((p) => p.sku === sku && p.customer !== null).map((p) => p.customer!));
    const ordersWith = (sku: string) =>
      new Set(data.purchases.filter((p) => p.sku === sku).map((p) => p.orderId));

    function check(customer: string, reason: Reason, sku: string): void {
      if (
        reason.kind === 'boughtWith' ||
        reason.kind === 'customersAlsoBought' ||
        reason.kind === 'similarDescription'
      ) {
        expect(boughtBy(customer).has(reason.sku!)).toBe(true);
      }
      if (reason.kind === 'boughtWith' || reason.kind === 'customersAlsoBought') {
        const a = customersWhoBought(reason.sku!);
        const both = [...customersWhoBought(sku)].filter((c) => a.has(c)).length;
        expect(reason.customersWhoBoughtBoth).toBe(both);
        const oa = ordersWith(reason.sku!);
        const ob = ordersWith(sku);
        const together = [...ob].filter((o) => oa.has(o)).length;
        expect(reason.ordersWithBoth).toBe(together);
        const productOrders = new Set(
          data.purchases.filter((p) => model.itemIndex.has(p.sku)).map((p) => p.orderId),
        ).size;
        expect(reason.lift).toBeCloseTo((together * productOrders) / (oa.size * ob.size), 2);
        expect(reason.text.toLowerCase()).toContain(
          model.items.descriptions[model.itemIndex.get(reason.sku!)!]!.toLowerCase(),
        );
        expect(reason.text).not.toMatch(/lift/i);
      } else if (reason.kind === 'similarDescription') {
        const words = (s: string) => s.toLowerCase();
        const desc = model.items.descriptions[model.itemIndex.get(sku)!]!;
        for (const w of reason.sharedWords!) expect(words(desc)).toContain(w);
        expect(reason.sharedWords!.length).toBeGreaterThan(0);
      } else {
        const from = model.asOf - reason.windowDays! * 86_400_000;
        const recent = new Set(
          data.purchases
            .filter((p) => p.sku === sku && p.customer !== null && p.at >= from)
            .map((p) => p.customer),
        );
        expect(reason.recentBuyers).toBe(recent.size);
      }
    }

    it('for every recommendation of 15 customers, with every kind of reason represented', () => {
      const customers = model.customers.ids.filter((_, u) => u % 197 === 0).slice(0, 15);
      const kinds = new Set<string>();
      for (const c of customers) {
        const { items } = recommend(model, c, { k: 10 });
        expect(items).toHaveLength(10);
        for (const item of items) {
          check(c, item.reason, item.sku);
          kinds.add(item.reason.kind);
          expect(boughtBy(c).has(item.sku)).toBe(false);
        }
      }
      expect(kinds.has('customersAlsoBought') || kinds.has('boughtWith')).toBe(true);
      expect(kinds.has('popular') || kinds.has('trending')).toBe(true);
    });

    it('never recommends postage, fees or other non-product codes', () => {
      const kinds = new Map(data.catalogue.map((c) => [c.sku, c.kind]));
      for (const c of model.customers.ids.slice(0, 50)) {
        for (const item of recommend(model, c, { k: 10, excludeBought: false }).items)
          expect(kinds.get(item.sku)).toBe('product');
      }
      expect(recommend(model, 'nobody').items.map((i) => i.sku)).not.toContain('POST');
    });
  });

  describe('recommendations for many customers at once (what win-back campaigns use)', () => {
    it('give each customer the same products and reasons as one at a time, on the fastest engine and the plain loop', async () => {
      // Every 5th customer, plus one the model has never seen (cold start inside a batch).
      const customers = [...model.customers.ids.filter((_, i) => i % 5 === 0), 'nobody'];
      const single = customers.map((c) => recommend(model, c, { k: 5 }));
      for (const engine of [await createAlsBatchScorer(model.als), jsAlsBatchScorer(model.als)]) {
        try {
          const batch = recommendMany(model, customers, engine, { k: 5 });
          expect(batch.map((r) => r.customer)).toEqual(customers);
          let sameLists = 0;
          batch.forEach((r, i) => {
            const one = single[i];
            if (r.items.map((x) => x.sku).join() === one.items.map((x) => x.sku).join()) sameLists++;
            // Float32 ALS scores may swap two products whose scores tie to 6 digits, nothing more.
            r.items.forEach((x, k) => expect(x.score).toBeCloseTo(one.items[k].score, 4));
            const reasons = new Map(one.items.map((x) => [x.sku, x.reason.text]));
            for (const x of r.items) if (reasons.has(x.sku)) expect(x.reason.text).toBe(reasons.get(x.sku));
          });
          expect(sameLists / customers.length).toBeGreaterThan(0.99);
          expect(batch[batch.length - 1].coldStart).toBe(true);
        } finally {
          engine.dispose();
        }
      }
    });
  });

  describe('retain similar', () => {
    it('lists products like a given one, with co-purchase reasons that recompute', async () => {
      const { out, code } = await cli('similar', '--sku', '22697', '--k', '5', '--json');
      expect(code).toBe(0);
      const json = JSON.parse(out);
      expect(json.sku).toBe('22697');
      expect(json.items).toHaveLength(5);
      expect(json.items.map((i: JsonItem) => i.sku)).not.toContain('22697');
      const first = json.items[0];
      expect(first.reason.sku).toBe('22697');
      expect(['boughtWith', 'customersAlsoBought']).toContain(first.reason.kind);
      expect(store.runs.list()).toHaveLength(1);
    });

    it('fails clearly for an unknown product', async () => {
      const errors: string[] = [];
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
        errors.push(c.toString());
        return true;
      });
      const { code } = await cli('similar', '--sku', 'NO-SUCH-SKU', '--json');
      spy.mockRestore();
      expect(code).toBe(1);
      expect(errors.join('')).toContain('unknown product');
    });
  });

  describe('retain rules (from the database orders)', () => {
    it('prints rules with support, confidence and lift that recompute from the orders', async () => {
      const { out } = await cli('rules', '--min-support', '0.02', '--min-confidence', '0.5', '--json');
      const json = JSON.parse(out);
      expect(json.source).toBe('orders');
      expect(json.rules.length).toBeGreaterThan(0);
      const baskets = new Map<string, Set<string>>();
      const kinds = new Map(data.catalogue.map((c) => [c.sku, c.kind]));
      for (const p of data.purchases) {
        if (kinds.get(p.sku) !== 'product') continue;
        if (!baskets.has(p.orderId)) baskets.set(p.orderId, new Set());
        baskets.get(p.orderId)!.add(p.sku);
      }
      expect(json.baskets).toBe(baskets.size);
      const r = json.rules[0];
      const all = [...baskets.values()];
      const count = (items: string[]) => all.filter((b) => items.every((i) => b.has(i))).length;
      const both = count([...r.antecedent, ...r.consequent]);
      expect(r.support).toBeCloseTo(both / all.length, 10);
      expect(r.confidence).toBeCloseTo(both / count(r.antecedent), 10);
      expect(r.lift).toBeCloseTo(r.confidence / (count(r.consequent) / all.length), 8);
      expect(r.antecedentDescriptions).toHaveLength(r.antecedent.length);
    });

    testWithShared([groceriesFile], 'reads a basket file instead (the groceries benchmark)', async () => {
      const { out } = await cli(
        'rules',
        '--file',
        groceriesFile,
        '--min-support',
        '0.006',
        '--min-confidence',
        '0.25',
        '--json',
      );
      const json = JSON.parse(out);
      expect(json.totalRules).toBe(463);
      const rule = json.rules.find(
        (x: JsonRule) => x.antecedent.join() === 'pot plants' && x.consequent.join() === 'whole milk',
      );
      expect(rule.support).toBeCloseTo(0.006914, 6);
      expect(rule.confidence).toBeCloseTo(0.4, 6);
      expect(rule.lift).toBeCloseTo(1.5655, 4);
    });
  });

  describe('retain eval recs --as-of 2011-04-01', () => {
    it('prints the documented metrics, and the hybrid beats both baselines', async () => {
      const { out, code } = await cli('eval', 'recs', '--as-of', '2011-04-01', '--json');
      expect(code).toBe(0);
      const json = JSON.parse(out);
      const keys = ['hitRate@10', 'precision@10', 'recall@10', 'ndcg@10', 'customers'];
      for (const k of keys) {
        expect(typeof json[k]).toBe('number');
        expect(typeof json.baselines.popularity[k]).toBe('number');
        expect(typeof json.baselines.itemKnn[k]).toBe('number');
      }
      expect(json.customers).toBeGreaterThan(500);
      expect(json.baselines.popularity.customers).toBe(json.customers);
      for (const metric of ['hitRate@10', 'ndcg@10']) {
        expect(json[metric]).toBeGreaterThan(json.baselines.popularity[metric]);
        expect(json[metric]).toBeGreaterThan(json.baselines.itemKnn[metric]);
      }
    }, 120_000);
  });
});
