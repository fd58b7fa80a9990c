import { assignArm, controlDraw } from '../../analytics/campaigns/controlGroup';
import { estimateUplift, newcombeInterval, wilsonInterval } from '../../analytics/campaigns/uplift';

describe('uplift with a confidence interval', () => {
  it('matches the published Wilson and Newcombe intervals', () => {
    // Newcombe (1998), single proportion paper, example 81/263: Wilson 0.2553 to 0.3662.
    const w = wilsonInterval({ successes: 81, trials: 263 });
    expect(w.low).toBeCloseTo(0.2553, 4);
    expect(w.high).toBeCloseTo(0.3662, 4);
    // Newcombe (1998), difference paper, example 56/70 - 48/80: method 10 gives 0.0524 to 0.3339.
    const d = newcombeInterval({ successes: 56, trials: 70 }, { successes: 48, trials: 80 });
    expect(d.low).toBeCloseTo(0.0524, 4);
    expect(d.high).toBeCloseTo(0.3339, 4);
  });

  it('reports the rates, the uplift and whether the interval excludes zero', () => {
    const e = estimateUplift({ successes: 56, trials: 70 }, { successes: 48, trials: 80 });
    expect(e.treatedRate).toBeCloseTo(0.8, 10);
    expect(e.controlRate).toBeCloseTo(0.6, 10);
    expect(e.uplift).toBeCloseTo(0.2, 10);
    expect(e.relativeUplift).toBeCloseTo(1 / 3, 10);
    expect(e.significant).toBe(true);
    // Hand-computed Wald interval: 0.2 ± 1.96 * sqrt(0.8*0.2/70 + 0.6*0.4/80) = 0.2 ± 0.1425
    // (Newcombe 1998 lists the same for his method 1).
    expect(e.waldInterval!.low).toBeCloseTo(0.0575, 4);
    expect(e.waldInterval!.high).toBeCloseTo(0.3425, 4);

    const small = estimateUplift({ successes: 3, trials: 30 }, { successes: 0, trials: 4 });
    expect(small.significant).toBe(false); // a tiny control group proves nothing
    expect(small.interval!.low).toBeGreaterThanOrEqual(-1);
    expect(small.interval!.high).toBeLessThanOrEqual(1);
    expect(small.relativeUplift).toBeNull();

    expect(estimateUplift({ successes: 3, trials: 30 }, { successes: 0, trials: 0 }).uplift).toBeNull();
  });
});

describe('control group assignment', () => {
  const customers = Array.from({ length: 20_000 }, (_, i) => i + 1);

  it('holds out the campaign’s share of customers', () => {
    for (const share of [0.1, 0.25]) {
      const control = customers.filter((c) => assignArm(7, c, share) === 'control').length;
      // Binomial sd at 20,000 customers is ~0.2-0.3 points: 1 point is far outside chance.
      expect(Math.abs(control / customers.length - share)).toBeLessThan(0.01);
    }
    expect(customers.every((c) => assignArm(7, c, 0) === 'treatment')).toBe(true);
  });

  it('is independent across campaigns: the same people are not always held out', () => {
    const a = new Set(customers.filter((c) => assignArm(1, c, 0.1) === 'control'));
    const b = customers.filter((c) => assignArm(2, c, 0.1) === 'control');
    const both = b.filter((c) => a.has(c)).length;
    // Independent draws overlap in about 0.1 * 0.1 of customers (200 here), not in 10% (2,000).
    expect(both).toBeGreaterThan(100);
    expect(both).toBeLessThan(320);
  });

  it('a larger share only adds customers to the control group (draws are fixed per pair)', () => {
    for (const c of customers.slice(0, 2000)) {
      if (assignArm(3, c, 0.1) === 'control') expect(assignArm(3, c, 0.2)).toBe('control');
      expect(controlDraw(3, c)).toBe(controlDraw(3, c));
    }
  });
});
