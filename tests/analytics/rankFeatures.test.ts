import { buildHistories, type LineInput } from '../../analytics/history';
import { allCustomerFacts } from '../../analytics/features/customerFacts';
import {
  CHURN_FEATURES,
  RANKED_FEATURES,
  churnFeatureVector,
  featureContext,
  percentileIn,
  quantileGrid,
} from '../../analytics/features/churnFeatures';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

function purchase(orderId: number, customerId: number, iso: string): LineInput {
  return {
    orderId,
    customerId,
    orderedAt: day(iso),
    orderKind: 'purchase',
    country: 'United Kingdom',
    productId: 1,
    productKind: 'product',
    quantity: 1,
    unitPrice: 10,
  };
}

describe('rank features (percentile among the customers at the same cutoff)', () => {
  test('quantile grid by nearest rank', () => {
    // 5 values, 5 points: ranks 0, 1, 2, 3, 4 of the sorted values.
    expect(quantileGrid([5, 1, 3, 2, 4], 5)).toEqual([1, 2, 3, 4, 5]);
    // 3 points over 5 values: ranks round(0), round(2), round(4).
    expect(quantileGrid([10, 0, 30, 20, 40], 3)).toEqual([0, 20, 40]);
    expect(quantileGrid([], 3)).toEqual([]);
  });

  test('percentile: linear between quantiles, midrank on ties, clipped outside', () => {
    const grid = [1, 2, 3, 4, 5];
    expect(percentileIn(grid, 3)).toBe(0.5);
    expect(percentileIn(grid, 2.5)).toBe(0.375); // halfway between 0.25 and 0.5
    expect(percentileIn(grid, 0)).toBe(0);
    expect(percentileIn(grid, 9)).toBe(1);
    // Three of five quantiles are 1 (indexes 0..2): the middle one, index 1 of 4.
    expect(percentileIn([1, 1, 1, 2, 3], 1)).toBe(0.25);
    expect(percentileIn([], 7)).toBe(0.5);
  });

  test('the same customer ranks higher among customers who bought less', () => {
    // Customer 1 bought on 3 days. Customers 2-4 bought on 1 day each; customers 5-7 on 5 days.
    const lines: LineInput[] = [];
    let id = 1;
    for (const d of ['2011-01-03', '2011-01-10', '2011-01-17']) lines.push(purchase(id++, 1, d));
    for (const c of [2, 3, 4]) lines.push(purchase(id++, c, '2011-01-05'));
    for (const c of [5, 6, 7]) {
      for (const d of ['2011-01-02', '2011-01-04', '2011-01-06', '2011-01-08', '2011-01-12']) {
        lines.push(purchase(id++, c, d));
      }
    }
    lines.sort((a, b) => Number(a.orderedAt) - Number(b.orderedAt));
    const customers = buildHistories(lines).customers;
    const frequencyRank = CHURN_FEATURES.indexOf('frequencyRank');
    const rankOf = (population: number[]) => {
      const facts = allCustomerFacts(
        customers.filter((c) => population.includes(c.customerId)),
        day('2011-02-01'),
      );
      const ctx = featureContext(facts, 'United Kingdom', 30);
      return churnFeatureVector(
        facts.find((f) => f.customerId === 1)!,
        ctx,
      )[frequencyRank];
    };
    // The reference has 201 quantiles q_k = sorted[round(k / 200 * (n - 1))]; a value equal to a
    // run of them gets the middle of the run, k_mid / 200.
    // Among 1-4 the frequencies sort to 1, 1, 1, 3: q_k = 3 for round(3k/200) = 3, k = 167..200.
    expect(rankOf([1, 2, 3, 4])).toBeCloseTo((167 + 200) / 2 / 200, 10);
    // Among 1 and 5-7 (3, 5, 5, 5): q_k = 3 for round(3k/200) = 0, k = 0..33.
    expect(rankOf([1, 5, 6, 7])).toBeCloseTo(33 / 2 / 200, 10);
    // Among all seven (1, 1, 1, 3, 5, 5, 5): q_k = 3 for round(6k/200) = 3, k = 84..116.
    expect(rankOf([1, 2, 3, 4, 5, 6, 7])).toBeCloseTo((84 + 116) / 2 / 200, 10);
  });

  test('every rank feature follows its raw feature in the vector', () => {
    for (const [rank, raw] of RANKED_FEATURES) {
      expect(CHURN_FEATURES.indexOf(rank)).toBeGreaterThan(CHURN_FEATURES.indexOf('logHorizon'));
      expect(CHURN_FEATURES.indexOf(raw)).toBeGreaterThanOrEqual(0);
      expect(CHURN_FEATURES.indexOf(raw)).toBeLessThanOrEqual(CHURN_FEATURES.indexOf('logHorizon'));
    }
  });
});
