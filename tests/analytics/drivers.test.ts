import { describeFactor } from '../../analytics/churn/drivers';
import type { CustomerFacts } from '../../analytics/features/customerFacts';

const facts = (over: Partial<CustomerFacts>): CustomerFacts =>
  ({
    orders: 2,
    monetary: 300,
    grossValue: 300,
    frequency: 2,
    meanIntervalDays: 30,
    recencyDays: 142,
    ...over,
  }) as CustomerFacts;

describe('churn drivers a marketer can read', () => {
  it('says how long since the last order against the usual pace', () => {
    expect(describeFactor('recency', facts({}), 90)).toBe(
      'no order for 142 days, usually orders every 30 days',
    );
  });

  it('speaks of money in pounds and does not contradict itself when cancellations cancel the spend', () => {
    expect(describeFactor('spend', facts({}), 90)).toBe('spent £300 over 2 orders, about £150 each');
    expect(describeFactor('spend', facts({ orders: 1, grossValue: 339, monetary: 339 }), 90)).toBe(
      'spent £339 on one order',
    );
    const cancelled = describeFactor('spend', facts({ orders: 1, monetary: 0, grossValue: 307 }), 90);
    expect(cancelled).toBe('one order worth £307, £0 after cancellations and returns');
  });

  it('never shows model internals', () => {
    for (const factor of ['spend', 'basket', 'market', 'recency', 'frequency'] as const) {
      const text = describeFactor(
        factor,
        facts({ country: 'Germany', productBreadth: 12, meanProducts: 4.6 }),
        90,
      );
      expect(text).not.toMatch(/logit|rank|feature|parameter|bg\/nbd|effect/i);
    }
    expect(describeFactor('market', facts({ country: 'Germany' }), 90)).toBe('a customer in Germany');
  });
});
