import { buildHistories, type LineInput } from '../../analytics/history';
import { allCustomerFacts, customerFacts } from '../../analytics/features/customerFacts';
import { CHURN_FEATURES, churnFeatureVector, featureContext } from '../../analytics/features/churnFeatures';
import { describeFactor } from '../../analytics/churn/drivers';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

let nextOrder = 1;
/** One purchase order of `customerId` on `iso` holding the given products. */
function order(customerId: number, iso: string, products: number[]): LineInput[] {
  const orderId = nextOrder++;
  return products.map((productId) => ({
    orderId,
    customerId,
    orderedAt: day(iso),
    orderKind: 'purchase',
    country: 'United Kingdom',
    productId,
    productKind: 'product',
    quantity: 2,
    unitPrice: 5,
  }));
}

const asOf = day('2011-02-01');

/**
 * Window: the 30 days before 2011-02-01, i.e. [2011-01-02, 2011-02-01).
 * 1 bought product 1 in December only (not active). 2 bought products 1 and 2 in the window,
 * 3 bought product 2, 4 bought product 3 in the window and product 1 on the as-of day itself
 * (which must not count). Active: 2, 3, 4. Buyers in the window: product 1 {2}, 2 {2, 3}, 3 {4}.
 */
function shop(extra: LineInput[] = []) {
  const lines = [
    ...order(1, '2010-12-01', [1]),
    ...order(2, '2011-01-20', [1, 2]),
    ...order(3, '2011-01-25', [2]),
    ...order(4, '2011-01-31', [3]),
    ...order(4, '2011-02-01', [1]),
    ...extra,
  ].sort((a, b) => Number(a.orderedAt) - Number(b.orderedAt));
  return buildHistories(lines).customers;
}

const shareOf = (customers: ReturnType<typeof shop>, id: number) =>
  allCustomerFacts(customers, asOf).find((f) => f.customerId === id)!.productDemandShare;

describe("product demand: how much the customer's products sell to other customers right now", () => {
  test('hand-computed shares: (other buyers + 1) / (other active customers + 1), geometric mean', () => {
    const customers = shop();
    // 1 is not active: 3 others are. Product 1 has one buyer (2): (1 + 1) / (3 + 1).
    expect(shareOf(customers, 1)).toBeCloseTo(0.5, 12);
    // 2 is active, so 2 others; leaving 2 out, product 1 has 0 buyers, product 2 has 1 (3):
    // sqrt(1/3 * 2/3).
    expect(shareOf(customers, 2)).toBeCloseTo(Math.sqrt(2 / 9), 12);
    // 3 bought product 2; the other buyer is 2: (1 + 1) / (2 + 1).
    expect(shareOf(customers, 3)).toBeCloseTo(2 / 3, 12);
    // 4's product 1 was bought on the as-of day: only product 3 counts, nobody else bought it.
    expect(shareOf(customers, 4)).toBeCloseTo(1 / 3, 12);
  });

  test('orders on or after the as-of date change nothing (no look into the future)', () => {
    const before = allCustomerFacts(shop(), asOf).map((f) => f.productDemandShare);
    const later = shop([...order(3, '2011-02-01', [1]), ...order(1, '2011-03-01', [1, 2, 3])]);
    expect(allCustomerFacts(later, asOf).map((f) => f.productDemandShare)).toEqual(before);
  });

  test('more recent buyers of the same product raise the share of customer 1', () => {
    const busier = shop([...order(5, '2011-01-10', [1]), ...order(6, '2011-01-11', [1])]);
    // 5 others active, product 1 bought by 2, 5 and 6: (3 + 1) / (5 + 1).
    expect(shareOf(busier, 1)).toBeCloseTo(4 / 6, 12);
    expect(shareOf(busier, 1)!).toBeGreaterThan(shareOf(shop(), 1)!);
  });

  test('the churn feature is its log; facts of a lone history have no demand and are refused', () => {
    const customers = shop();
    const facts = allCustomerFacts(customers, asOf);
    const ctx = featureContext(facts, 'United Kingdom', 30);
    const one = facts.find((f) => f.customerId === 1)!;
    expect(churnFeatureVector(one, ctx)[CHURN_FEATURES.indexOf('productDemand')]).toBeCloseTo(
      Math.log(0.5),
      12,
    );
    const lone = customerFacts(customers[0], asOf)!;
    expect(lone.productDemandShare).toBeNull();
    expect(() => churnFeatureVector(lone, ctx)).toThrow(/allCustomerFacts/);
  });

  test('a marketer reads it as a percentage of recent customers', () => {
    const facts = allCustomerFacts(shop(), asOf).find((f) => f.customerId === 2)!;
    expect(describeFactor('product demand', facts, 90)).toBe(
      'each of their products was bought by about 47% of the other customers of the last 30 days',
    );
    expect(describeFactor('product demand', { ...facts, productDemandShare: 0.0123 }, 90)).toBe(
      'each of their products was bought by about 1.2% of the other customers of the last 30 days',
    );
    expect(describeFactor('product demand', { ...facts, productDemandShare: 0.001 }, 90)).toBe(
      'hardly any other customer bought their products in the last 30 days',
    );
  });
});
