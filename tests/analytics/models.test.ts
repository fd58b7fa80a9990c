import { buildHistories, DAY_MS, purchasedBetween, type LineInput } from '../../analytics/history';
import { customerFacts } from '../../analytics/features/customerFacts';
import {
  CHURN_FEATURES,
  labelledExamples,
  trainingExamples,
  trainingWindows,
} from '../../analytics/features/churnFeatures';
import { quantileScores, scoreRfm, segmentFor, type SegmentRule } from '../../analytics/rfm/rfm';
import { fitClusters } from '../../analytics/segments/clusters';
import { fitKMeans } from '../../analytics/kmeans/kmeans';
import { rocAuc, prAuc, topFraction, brier } from '../../analytics/metrics/classification';
import { stageFor, stageChanges } from '../../analytics/stage/stage';
import { seededRandom } from '../../lib/random';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

function line(
  orderId: number,
  customerId: number,
  t: number,
  value = 10,
  kind: LineInput['orderKind'] = 'purchase',
): LineInput {
  return {
    orderId,
    customerId,
    orderedAt: t,
    orderKind: kind,
    country: 'United Kingdom',
    productId: 1 + (orderId % 7),
    productKind: 'product',
    quantity: kind === 'purchase' ? 1 : -1,
    unitPrice: value,
  };
}

/** Random order histories: customers with different rates, some stopping for good. */
function syntheticLines(customers: number, from: number, to: number, seed: number): LineInput[] {
  const random = seededRandom(seed);
  const lines: LineInput[] = [];
  let orderId = 1;
  for (let c = 1; c <= customers; c++) {
    const rate = 0.005 + random() * 0.05;
    const stopAt = from + random() * (to - from) * 1.5;
    let t = from + random() * (to - from) * 0.5;
    while (t < to && t < stopAt) {
      lines.push(line(orderId++, c, Math.floor(t), 5 + random() * 50));
      t += (-Math.log(1 - random()) / rate) * DAY_MS;
    }
  }
  return lines.sort((a, b) => Number(a.orderedAt) - Number(b.orderedAt));
}

describe('features and labels as of a date', () => {
  test('facts use only orders before the as-of date', () => {
    const lines = [
      line(1, 1, day('2011-01-01'), 20),
      line(2, 1, day('2011-01-11'), 30),
      line(3, 1, day('2011-02-10'), 500),
    ];
    const h = buildHistories(lines).customers[0];
    const f = customerFacts(h, day('2011-02-01'))!;
    expect(f).toMatchObject({
      frequency: 2,
      monetary: 50,
      recencyDays: 21,
      tenureDays: 31,
      meanIntervalDays: 10,
    });
    expect(customerFacts(h, day('2011-01-01'))).toBeNull();
  });

  test('churn labels never leak the future: changing orders on or after the scoring date changes nothing', () => {
    const from = day('2010-01-01');
    const asOf = day('2010-12-01');
    const lines = syntheticLines(200, from, day('2011-06-01'), 7);
    const past = lines.filter((l) => Number(l.orderedAt) < asOf);
    // A different future: every customer buys again right at the scoring date (would flip every
    // label of a window whose label period reached asOf or beyond).
    const future = [...new Set(past.map((l) => l.customerId))].map((c, i) =>
      line(900000 + i, c!, asOf + 3600_000),
    );
    const full = buildHistories(lines);
    const altered = buildHistories([...past, ...future]);
    const options = { horizonDays: 90, stepDays: 30, maxWindows: 3, maxAuxWindows: 2 };
    const a = trainingExamples(full.customers, asOf, from, 'United Kingdom', options);
    const b = trainingExamples(altered.customers, asOf, from, 'United Kingdom', options);
    expect(a.length).toBeGreaterThan(200);
    // Three full windows are too few: shorter-horizon windows are in the comparison too.
    expect(a.some((e) => e.horizonDays < 90)).toBe(true);
    expect(b.map((e) => [e.customerId, e.cutoff, e.horizonDays, e.y, ...e.x])).toEqual(
      a.map((e) => [e.customerId, e.cutoff, e.horizonDays, e.y, ...e.x]),
    );
    for (const w of trainingWindows(asOf, from, options))
      expect(w.cutoff + w.horizonDays * DAY_MS).toBeLessThanOrEqual(asOf);
    // And a label window that would cross the scoring date is refused outright.
    expect(() => labelledExamples(full.customers, asOf - 30 * DAY_MS, 90, null, asOf)).toThrow(/crosses/);
  });

  test('short histories add shorter-horizon windows, labelled over their own horizon', () => {
    const from = day('2010-01-01');
    const histories = buildHistories(syntheticLines(200, from, day('2011-06-01'), 11));
    const byId = new Map(histories.customers.map((c) => [c.customerId, c]));
    const short = day('2010-05-01'); // room for one 90-day window only
    const examples = trainingExamples(histories.customers, short, from, null, {
      horizonDays: 90,
      maxAuxWindows: 4,
    });
    const horizons = [...new Set(examples.map((e) => e.horizonDays))].sort((a, b) => a - b);
    expect(horizons).toEqual([45, 90]);
    expect(new Set(examples.map((e) => e.cutoff)).size).toBeGreaterThan(4);
    const logHorizon = CHURN_FEATURES.indexOf('logHorizon');
    for (const e of examples) {
      expect(e.cutoff + e.horizonDays * DAY_MS).toBeLessThanOrEqual(short);
      expect(e.x[logHorizon]).toBeCloseTo(Math.log(e.horizonDays));
      const end = e.cutoff + e.horizonDays * DAY_MS;
      expect(e.y).toBe(purchasedBetween(byId.get(e.customerId)!, e.cutoff, end) ? 0 : 1);
    }
    // With enough history for the full horizon, or when turned off, only full windows are used.
    const long = trainingWindows(day('2011-01-01'), from, { horizonDays: 90 });
    expect(long.length).toBeGreaterThanOrEqual(4);
    expect(long.every((w) => w.horizonDays === 90)).toBe(true);
    expect(trainingWindows(short, from, { horizonDays: 90, minFullWindows: 0 })).toHaveLength(1);
  });

  test('a customer is labelled churned exactly when they do not buy within the horizon', () => {
    const lines = [
      line(1, 1, day('2011-01-05')),
      line(2, 2, day('2011-01-05')),
      line(3, 1, day('2011-03-31')), // inside [Feb 1, May 2)
      line(4, 2, day('2011-05-03')), // after the horizon
    ];
    const examples = labelledExamples(buildHistories(lines).customers, day('2011-02-01'), 90, null);
    expect(examples.map((e) => [e.customerId, e.y])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });
});

describe('RFM', () => {
  test('quantile scores on a hand-computable fixture, ties sharing their score', () => {
    expect(quantileScores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    // Five customers bought once: midrank 3 of 10 -> ceil(1.5) = 2 for all of them.
    expect(quantileScores([1, 1, 1, 1, 1, 2, 3, 4, 5, 6])).toEqual([2, 2, 2, 2, 2, 3, 4, 4, 5, 5]);
  });

  test('scores and segments: recent big spenders are Champions, long-gone small ones are Lost', () => {
    const customers = Array.from({ length: 10 }, (_, i) => ({
      customerId: i + 1,
      recencyDays: 100 - i * 10, // customer 10 bought most recently
      frequency: i + 1,
      monetary: (i + 1) * 100,
    }));
    const scores = scoreRfm(customers);
    expect(scores[9]).toMatchObject({ r: 5, f: 5, m: 5, score: '555', segment: 'Champions' });
    expect(scores[0]).toMatchObject({ r: 1, f: 1, m: 1, score: '111', segment: 'Lost' });
    expect(scores[5].score).toBe('333');
    expect(scores[5].segment).toBe('Need attention');
  });

  test('the segment map is configurable', () => {
    const rules: SegmentRule[] = [{ name: 'Everyone', r: [1, 5], fm: [1, 5] }];
    expect(segmentFor(1, 1, 1, rules)).toBe('Everyone');
    expect(segmentFor(5, 5, 5)).toBe('Champions');
    expect(segmentFor(1, 5, 5)).toBe("Can't lose them");
  });
});

describe('k-means', () => {
  const random = seededRandom(3);
  const blob = (cx: number, cy: number) =>
    Array.from({ length: 60 }, () => [cx + random() - 0.5, cy + random() - 0.5]);
  const points = [...blob(0, 0), ...blob(5, 5), ...blob(0, 8)];

  test('same seed, same clusters; separated blobs are found', () => {
    const a = fitKMeans(points, 3, 11);
    const b = fitKMeans(points, 3, 11);
    expect(b.centroids).toEqual(a.centroids);
    const sorted = a.centroids.map((c) => c.map(Math.round)).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(sorted).toEqual([
      [0, 0],
      [0, 8],
      [5, 5],
    ]);
  });

  test('k is chosen by silhouette and clusters are described in words', () => {
    const facts = Array.from({ length: 240 }, (_, i) => {
      const group = i % 2;
      return {
        recencyDays: group ? 3 + (i % 5) : 150 + (i % 30),
        frequency: group ? 20 + (i % 7) : 1,
        monetary: group ? 5000 + i * 10 : 20 + (i % 10),
      };
    }) as Parameters<typeof fitClusters>[0];
    const model = fitClusters(facts, { seed: 5 });
    expect(model.selection?.k).toBe(2);
    expect(fitClusters(facts, { seed: 5 })).toEqual(model);
    expect(model.descriptions[0]).toBe('frequent high spenders, bought recently');
    expect(model.descriptions[1]).toMatch(/^one-off low spenders/);
  });
});

describe('metrics', () => {
  test('ROC-AUC, PR-AUC, Brier and top-decile lift on hand-computed cases', () => {
    expect(rocAuc([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.75);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBeCloseTo(0.5);
    expect(prAuc([0.9, 0.8, 0.3, 0.1], [1, 0, 1, 0])).toBeCloseTo((1 + 2 / 3) / 2);
    expect(brier([1, 0, 0.5], [1, 1, 0])).toBeCloseTo((0 + 1 + 0.25) / 3);
    const scores = Array.from({ length: 20 }, (_, i) => 20 - i);
    const labels = scores.map((_, i) => (i < 2 || i === 10 || i === 15 ? 1 : 0));
    expect(topFraction(scores, labels, 0.1)).toMatchObject({ size: 2, precision: 1, lift: 5 });
  });
});

describe('lifecycle stage', () => {
  test('stages follow the documented rules and only changes are recorded', () => {
    expect(stageFor({ tenureDays: 10, recencyDays: 10, frequency: 1, churnProbability: 0.9 }, 90)).toBe(
      'new',
    );
    expect(stageFor({ tenureDays: 300, recencyDays: 200, frequency: 5, churnProbability: 0.3 }, 90)).toBe(
      'lapsed',
    );
    expect(stageFor({ tenureDays: 300, recencyDays: 50, frequency: 5, churnProbability: 0.6 }, 90)).toBe(
      'at risk',
    );
    expect(stageFor({ tenureDays: 300, recencyDays: 50, frequency: 5, churnProbability: 0.2 }, 90)).toBe(
      'repeat',
    );
    expect(stageFor({ tenureDays: 300, recencyDays: 50, frequency: 1, churnProbability: 0.2 }, 90)).toBe(
      'active',
    );
    const changes = stageChanges(
      [
        { customerId: 1, stage: 'repeat' },
        { customerId: 2, stage: 'at risk' },
        { customerId: 3, stage: 'new' },
      ],
      new Map([
        [1, 'repeat'],
        [2, 'repeat'],
      ]),
    );
    expect(changes).toEqual([
      { customerId: 2, stage: 'at risk', previousStage: 'repeat' },
      { customerId: 3, stage: 'new', previousStage: null },
    ]);
  });
});
