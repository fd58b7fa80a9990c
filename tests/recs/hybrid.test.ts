/**
 * The recommender on a small made-up shop where the right answers are known by construction:
 * three themes of products, customers who stick to one theme, a postage code, a product nobody
 * bought yet, and availability by country.
 */
import {
  fitRecs,
  recommend,
  similarItems,
  serializeRecsModel,
  deserializeRecsModel,
} from '../../analytics/recs';
import { RankingAccumulator } from '../../analytics/recs/metrics';
import { seededRandom } from '../../lib/random';
import type { CatalogueItem, Purchase, TrainingData } from '../../analytics/recs/types';

const DAY = 86_400_000;
const start = Date.UTC(2011, 0, 1);
const themes = ['RED HEART', 'BLUE STAR', 'GREEN LEAF'];
const objects = ['MUG', 'CANDLE', 'CUSHION', 'BAG', 'TIN', 'CARD', 'LANTERN', 'FRAME'];

function shop(): TrainingData {
  const catalogue: CatalogueItem[] = [];
  themes.forEach((t, ti) =>
    objects.forEach((o, oi) =>
      catalogue.push({
        sku: `${ti}${oi}`,
        description: `${t} ${o}`,
        kind: 'product',
        lastUnitPrice: 1 + oi * 3,
        // Lanterns are not shipped to France.
        availableIn: o === 'LANTERN' ? ['United Kingdom', 'Germany'] : null,
      }),
    ),
  );
  catalogue.push({ sku: 'POST', description: 'POSTAGE', kind: 'postage', lastUnitPrice: 18 });
  catalogue.push({ sku: 'NEW1', description: 'RED HEART DOORSTOP', kind: 'product', lastUnitPrice: 6 });
  const rand = seededRandom(1);
  const purchases: Purchase[] = [];
  const customerCountry: Record<string, string | null> = {};
  for (let c = 0; c < 90; c++) {
    const theme = c % 3;
    customerCountry[`C${c}`] = c % 5 === 0 ? 'France' : 'United Kingdom';
    for (let o = 0; o < 4; o++) {
      const at = start + Math.floor(rand() * 120) * DAY + c * 1000 + o;
      const orderId = `O${c}-${o}`;
      for (let n = 0; n < 3; n++) {
        // Mostly the customer's theme, sometimes another one.
        const t = rand() < 0.9 ? theme : Math.floor(rand() * 3);
        purchases.push({
          customer: `C${c}`,
          orderId,
          sku: `${t}${Math.floor(rand() * objects.length)}`,
          at,
          quantity: 1 + n,
        });
      }
      purchases.push({ customer: `C${c}`, orderId, sku: 'POST', at, quantity: 1 });
    }
  }
  purchases.sort((a, b) => a.at - b.at || a.orderId.localeCompare(b.orderId));
  return { purchases, catalogue, customerCountry, asOf: start + 120 * DAY };
}

const data = shop();
const params = {
  als: { factors: 8, iterations: 5, regularization: 0.1, alpha: 20, seed: 3 },
  validationDays: 30,
};
const model = fitRecs(data, params);
const bought = (c: string) => new Set(data.purchases.filter((p) => p.customer === c).map((p) => p.sku));

describe('hybrid recommender (made-up shop)', () => {
  it("ranks the customer's own theme first, each with a reason, never postage", () => {
    let ownTheme = 0;
    let total = 0;
    for (let c = 0; c < 90; c += 7) {
      const { items, coldStart } = recommend(model, `C${c}`, {
        k: 5,
        country: 'United Kingdom',
        excludeBought: false,
      });
      expect(coldStart).toBe(false);
      for (const item of items) {
        expect(item.sku).not.toBe('POST');
        expect(item.reason.text.length).toBeGreaterThan(0);
        total++;
        if (item.sku.startsWith(String(c % 3)) || item.sku === 'NEW1') ownTheme++;
      }
    }
    // A third would be chance.
    expect(ownTheme / total).toBeGreaterThan(0.8);
  });

  it('leaves out what the customer already bought (by default)', () => {
    for (let c = 0; c < 90; c += 11) {
      for (const item of recommend(model, `C${c}`, { k: 10 }).items)
        expect(bought(`C${c}`).has(item.sku)).toBe(false);
    }
  });

  it("leaves out products not shipped to the customer's country, and respects a price range", () => {
    const french = recommend(model, 'C0', { k: 30, excludeBought: false }); // C0 lives in France
    expect(french.items.length).toBeGreaterThan(10);
    expect(french.items.map((i) => i.description)).not.toContainEqual(expect.stringContaining('LANTERN'));
    const british = recommend(model, 'C1', { k: 30, excludeBought: false });
    expect(british.items.map((i) => i.description)).toContainEqual(expect.stringContaining('LANTERN'));
    const cheap = recommend(model, 'C1', { k: 30, excludeBought: false, minPrice: 4, maxPrice: 10 });
    expect(cheap.items.length).toBeGreaterThan(0);
    for (const i of cheap.items) expect(i.unitPrice! >= 4 && i.unitPrice! <= 10).toBe(true);
  });

  it('gives a new customer the most popular products, explained by their buyer counts', () => {
    const { items, coldStart } = recommend(model, 'someone-new', { k: 5 });
    expect(coldStart).toBe(true);
    const from = data.asOf - 30 * DAY;
    for (const item of items) {
      const buyers = new Set(
        data.purchases.filter((p) => p.sku === item.sku && p.at >= from).map((p) => p.customer),
      );
      expect(item.reason.recentBuyers).toBe(buyers.size);
    }
    const counts = items.map((i) => i.reason.recentBuyers!);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
  });

  it('finds "something like" a product nobody bought yet from its description', () => {
    const like = similarItems(model, 'NEW1', 3)!;
    expect(like.length).toBe(3);
    for (const i of like) {
      expect(i.description).toContain('RED HEART');
      expect(i.reason.kind).toBe('similarDescription');
      expect(i.reason.sharedWords).toEqual(expect.arrayContaining(['red', 'heart']));
    }
    expect(similarItems(model, 'NOPE')).toBeNull();
  });

  it('is deterministic and survives saving and loading', () => {
    const again = fitRecs(data, params);
    const text = serializeRecsModel(model);
    expect(serializeRecsModel(again)).toBe(text);
    const loaded = deserializeRecsModel(text);
    for (const c of ['C0', 'C5', 'C44', 'nobody']) {
      expect(recommend(loaded, c, { k: 5 })).toEqual(recommend(model, c, { k: 5 }));
    }
  });

  it('never looks past its as-of date (later orders change nothing)', () => {
    const later: Purchase[] = Array.from({ length: 200 }, (_, n) => ({
      customer: `C${n % 90}`,
      orderId: `LATE${n}`,
      sku: '07',
      at: data.asOf + n * 1000,
      quantity: 1,
    }));
    const withFuture = fitRecs({ ...data, purchases: [...data.purchases, ...later] }, params);
    expect(serializeRecsModel(withFuture)).toBe(serializeRecsModel(model));
  });
});

describe('ranking metrics', () => {
  it('computes hit rate, precision, recall and ndcg at 10 by their definitions', () => {
    const acc = new RankingAccumulator(10);
    acc.add([5, 1, 7], new Set([1, 9])); // hit at rank 2
    acc.add([3, 4], new Set([8])); // miss
    acc.add([2], new Set()); // no truth: not counted
    const m = acc.result();
    expect(m.customers).toBe(2);
    expect(m['hitRate@10']).toBeCloseTo(0.5, 6);
    expect(m['precision@10']).toBeCloseTo(0.05, 6);
    expect(m['recall@10']).toBeCloseTo(0.25, 6);
    expect(m['ndcg@10']).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)) / 2, 6);
  });
});
