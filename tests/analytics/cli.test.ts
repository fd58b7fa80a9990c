import path from 'node:path';
import { openStore } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { projectPath } from '../../lib/paths';
import { runCli } from '../support/cli';
import { tempDir } from '../support/files';
import { describeWithShared, onlineRetailFile } from '../support/sharedData';

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('analytics commands on the demo sample', () => {
  const tmp = tempDir();
  const dbFile = path.join(tmp.dir, 'demo.db');
  beforeAll(async () => {
    const store = openStore(dbFile);
    try {
      await importOrders(store, projectPath('data', 'demo', 'online-retail-sample.csv.gz'));
    } finally {
      store.close();
    }
  });
  afterAll(() => tmp.cleanup());

  test('report before train says what to do, with a non-zero exit code', async () => {
    const r = await runCli(['report', 'churn', '--json', '--db', dbFile]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/retain train/);
  });

  test('train, report segments, report churn and customer print the documented JSON', async () => {
    const train = await runCli(['train', '--as-of', '2011-06-01', '--json', '--db', dbFile]);
    expect(train.stderr).not.toMatch(/error/i);
    expect(train.code).toBe(0);
    const summary = json(train.stdout);
    expect(summary).toMatchObject({
      asOf: '2011-06-01T00:00:00.000Z',
      horizonDays: 90,
      churnModel: expect.any(String),
    });
    expect(summary.customers).toBeGreaterThan(300);
    const stages = summary.stages as Record<string, number>;
    expect(Object.values(stages).reduce((a, b) => a + b, 0)).toBe(summary.customers);
    expect(summary.stageChanges).toBe(summary.customers); // first run: everyone gets a stage

    const segments = json((await runCli(['report', 'segments', '--json', '--db', dbFile])).stdout);
    const profiles = segments.segments as {
      revenueShare: number;
      customers: number;
      topCountries: unknown[];
      topProducts: { name: string }[];
    }[];
    expect(profiles.reduce((s, p) => s + p.customers, 0)).toBe(summary.customers);
    expect(profiles.reduce((s, p) => s + p.revenueShare, 0)).toBeCloseTo(1, 6);
    expect(profiles[0].topProducts[0].name).toMatch(/[A-Z]/);
    expect((segments.clusters as { name: string }[])[0].name).toMatch(/spenders/);

    const churn = json((await runCli(['report', 'churn', '--top', '5', '--json', '--db', dbFile])).stdout);
    const top = churn.top as { customer: string; churnProbability: number; drivers: { text: string }[] }[];
    expect(top).toHaveLength(5);
    expect(top[0].churnProbability).toBeGreaterThanOrEqual(top[4].churnProbability);
    expect(top[0].drivers.length).toBeGreaterThan(0);

    const customer = await runCli(['customer', top[0].customer, '--json', '--db', dbFile]);
    expect(customer.code).toBe(0);
    const c = json(customer.stdout);
    expect(c).toMatchObject({
      customer: top[0].customer,
      segment: expect.any(String),
      cluster: { id: expect.any(Number), description: expect.any(String) },
      churn: { probability: top[0].churnProbability, drivers: expect.any(Array) },
      pAlive: expect.any(Number),
      stage: { current: expect.any(String), since: '2011-06-01T00:00:00.000Z' },
    });
    expect(c.clv === null || typeof c.clv === 'number').toBe(true);
    // Doubts about the lifetime-value fit travel with every customer's figures.
    expect(Array.isArray(c.clvWarnings)).toBe(true);
    for (const w of c.clvWarnings as string[]) expect(summary.warnings).toContain(w);

    const unknown = await runCli(['customer', 'no-such-customer', '--db', dbFile]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no-such-customer/);

    // Training again at the same date records no stage changes.
    const again = json((await runCli(['train', '--as-of', '2011-06-01', '--json', '--db', dbFile])).stdout);
    expect(again.stageChanges).toBe(0);
  });
});

describeWithShared([onlineRetailFile], 'retain eval churn on the shared Online Retail file', () => {
  const tmp = tempDir();
  const dbFile = path.join(tmp.dir, 'retail.db');
  beforeAll(async () => {
    const store = openStore(dbFile);
    try {
      await importOrders(store, onlineRetailFile);
    } finally {
      store.close();
    }
  });
  afterAll(() => tmp.cleanup());

  test('prints the documented JSON and beats both baselines from the same run', async () => {
    const r = await runCli([
      'eval',
      'churn',
      '--as-of',
      '2011-04-01',
      '--horizon',
      '90',
      '--json',
      '--db',
      dbFile,
    ]);
    expect(r.code).toBe(0);
    const result = json(r.stdout);
    expect(result).toMatchObject({
      auc: expect.any(Number),
      prAuc: expect.any(Number),
      brier: expect.any(Number),
      topDecileLift: expect.any(Number),
      baselines: { recency: { auc: expect.any(Number) }, bgnbd: { auc: expect.any(Number) } },
      customers: expect.any(Number),
      churnRate: expect.any(Number),
    });
    const baselines = result.baselines as { recency: { auc: number }; bgnbd: { auc: number } };
    expect(result.auc).toBeGreaterThan(baselines.recency.auc);
    expect(result.auc).toBeGreaterThan(baselines.bgnbd.auc);
    expect(result.topDecileLift).toBeGreaterThan(1);
    // Customers with an order before the date (the file has 3,002 customers over seven months).
    expect(result.customers).toBeGreaterThan(1500);
    expect(result.customers).toBeLessThan(3002);
    expect(result).not.toHaveProperty('ceiling');
  });

  test('--ceiling adds what the features reach when trained on the period itself, above the honest forecast', async () => {
    const r = await runCli(['eval', 'churn', '--as-of', '2011-04-01', '--ceiling', '--json', '--db', dbFile]);
    expect(r.code).toBe(0);
    const result = json(r.stdout) as {
      auc: number;
      ceiling: { inPeriodCrossValidatedAuc: number; folds: number };
    };
    expect(result.ceiling.folds).toBe(5);
    // Knowing the period's labels can only help: the bound sits at or above the forecast
    // (a little below is fold noise), and well below a perfect 1.
    expect(result.ceiling.inPeriodCrossValidatedAuc).toBeGreaterThan(result.auc - 0.01);
    expect(result.ceiling.inPeriodCrossValidatedAuc).toBeLessThan(0.95);
  });
});
