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

  it('does not contradict itself when cancellations cancel the spend', () => {
    expect(describeFactor('spend', facts({}), 90)).toBe('spent 300 in total, 150 per order on average');
    const cancelled = describeFactor('spend', facts({ orders: 1, monetary: 0, grossValue: 307 }), 90);
    expect(cancelled).toBe('ordered 307 (0 after cancellations and returns), 307 per order on average');
  });
});
