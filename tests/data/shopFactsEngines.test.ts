/**
 * Marketers' figures (data/repositories/shopFacts.ts) on PostgreSQL against SQLite, on the same
 * orders (the bundled demo sample, trained on both for segments and stages): every grouping and
 * every kind of filter gives the same rows. The definitions themselves are checked on SQLite, against
 * SQL written in the tests, by tests/analyst.
 */
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { trainAndStore } from '../../analytics/training';
import type { CustomerGrouping, FactsFilter, FactsGrouping } from '../../data/repositories/shopFacts';
import { projectPath } from '../../lib/paths';
import { tempDir } from '../support/files';
import { postgresDatabases, postgresTestUrl } from '../support/engines';

const DEMO = projectPath('data', 'demo', 'online-retail-sample.csv.gz');
const GROUPINGS: FactsGrouping[] = [
  'none',
  'country',
  'product',
  'customer',
  'segment',
  'stage',
  'customerType',
  'day',
  'week',
  'month',
  'quarter',
  'year',
];
const FILTERS: Record<string, FactsFilter> = {
  all: {},
  period: { from: '2011-02-01', to: '2011-05-01' },
  countries: { from: '2011-01-01', countries: ['France', 'Germany', 'Unknown'] },
  notUk: { excludeCountries: ['United Kingdom'] },
  skus: { skus: ['22423', '85123A', '47566'] },
  words: { nameWords: ['heart', 'holder'] },
  segments: { segments: ['Champions', 'Loyal customers', 'At risk'] },
  stages: { stages: ['at risk', 'lapsed'] },
  newCustomers: { from: '2011-03-01', to: '2011-06-01', customerKind: 'new' },
  returning: { from: '2011-03-01', customerKind: 'returning' },
  guests: { customerKind: 'guest' },
  registered: { to: '2011-04-01', customerKind: 'registered' },
  bigOrders: { orderValue: { min: 200 } },
  bigSpenders: { from: '2011-01-01', customerSpend: { min: 500, max: 5000 }, countries: ['United Kingdom'] },
};

/**
 * Rows in a stable order, amounts to a millionth: SQLite's float sums can leave a residue where
 * the exact sum is 0 (6.7e-16 for a purchase and its cancellation), PostgreSQL's numeric ones not.
 */
function comparable(rows: object[]): unknown[] {
  const round = (v: unknown) => (typeof v === 'number' ? Number(v.toFixed(6)) + 0 : v);
  return rows
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)])))
    .sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

const url = postgresTestUrl('shop facts on PostgreSQL');
const describePg = url ? describe : describe.skip;

describePg('marketers’ figures on PostgreSQL answer as on SQLite', () => {
  const tmp = tempDir();
  const databases = postgresDatabases();
  let sqlite: Store;
  let pg: Store;
  beforeAll(async () => {
    sqlite = openStore(path.join(tmp.dir, 'facts.db'));
    pg = openStore(databases.create());
    for (const store of [sqlite, pg]) {
      await importOrders(store, DEMO);
      await trainAndStore(store);
    }
  }, 120_000);
  afterAll(() => {
    sqlite?.close();
    pg?.close();
    databases.dropAll();
    tmp.cleanup();
  });

  it('the same extent, data version, countries, products and score date', () => {
    for (const read of [
      (s: Store) => s.facts.extent(),
      (s: Store) => s.facts.dataVersion(),
      (s: Store) => s.facts.countries(),
      (s: Store) => s.facts.products(),
      (s: Store) => s.facts.scoresAsOf(),
    ])
      expect(read(pg)).toEqual(read(sqlite));
  });

  it.each(Object.keys(FILTERS))('sales with the %s filter, in every grouping', (name) => {
    const filter = FILTERS[name];
    for (const grouping of GROUPINGS) {
      const expected = comparable(sqlite.facts.sales(filter, grouping));
      expect({ grouping, rows: comparable(pg.facts.sales(filter, grouping)) }).toEqual({
        grouping,
        rows: expected,
      });
    }
  });

  it.each(Object.keys(FILTERS))('lost customers and scores with the %s filter', (name) => {
    const filter = FILTERS[name];
    const previous = { from: '2010-12-01', to: '2011-03-01' };
    for (const grouping of ['none', 'country', 'segment', 'stage'] as CustomerGrouping[]) {
      expect({ grouping, rows: comparable(pg.facts.lost(filter, previous, grouping)) }).toEqual({
        grouping,
        rows: comparable(sqlite.facts.lost(filter, previous, grouping)),
      });
      expect({ grouping, rows: comparable(pg.facts.scores(filter, grouping)) }).toEqual({
        grouping,
        rows: comparable(sqlite.facts.scores(filter, grouping)),
      });
    }
  });

  it('the figures are not all empty (the comparison compares something)', () => {
    expect(sqlite.facts.sales({}, 'month').length).toBeGreaterThanOrEqual(7);
    expect(sqlite.facts.sales(FILTERS.words, 'product').length).toBeGreaterThan(0);
    expect(sqlite.facts.sales(FILTERS.segments, 'segment').length).toBeGreaterThan(0);
    expect(
      sqlite.facts.lost(
        { from: '2011-03-01', to: '2011-07-01' },
        { from: '2010-12-01', to: '2011-03-01' },
        'country',
      ).length,
    ).toBeGreaterThan(0);
  });
});
