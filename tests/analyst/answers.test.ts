/**
 * The analyst on a small shop whose every figure is known by hand: the definitions the answers
 * state (net revenue, guest checkouts, new and lost customers...), paging, export, "why?", the
 * report in every channel, and the SQL staying out of reach of what is typed.
 */
import { openStore, type Store } from '../../data/store';
import { sql } from '../support/sql';
import { importOrders } from '../../data/import/importOrders';
import { Analyst, type AnalystAnswer } from '../../services/analyst';
import type { QuerySpec } from '../../nlp/query';
import { reportToMarkdown } from '../../reports/markdown';
import { reportToAdaptiveCard } from '../../reports/adaptiveCard';
import { reportToSlack } from '../../reports/slack';
import { renderChartPng } from '../../reports/chart';
import { tempDir, writeCsv } from '../support/files';

const at = (day: string) => `${day}T10:00:00Z`;
const ORDERS = [
  'order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country',
  // February: 50001 and 50003 buy.
  `1007,50001,AM1,ALPHA MUG,1,10,${at('2011-02-01')},United Kingdom`,
  `1006,50003,AM1,ALPHA MUG,1,10,${at('2011-02-10')},United Kingdom`,
  // March: 50001 again on two days (postage is not merchandise), 50002 for the first time and
  // returns one mug, a guest checkout; 50003 does not come back.
  `1001,50001,AM1,ALPHA MUG,2,10,${at('2011-03-05')},United Kingdom`,
  `1001,50001,POST,POSTAGE,1,5,${at('2011-03-05')},United Kingdom`,
  `1002,50001,BB1,BRAVO BAG,1,30,${at('2011-03-20')},United Kingdom`,
  `1003,50002,AM1,ALPHA MUG,5,10,${at('2011-03-10')},France`,
  `1004,50002,AM1,ALPHA MUG,-1,10,${at('2011-03-12')},France`,
  `1005,,BB1,BRAVO BAG,2,30,${at('2011-03-15')},United Kingdom`,
  // April: fourteen products, one of them named like a spreadsheet formula.
  `1008,50002,XB1,XMAS BAG,3,5,${at('2011-04-02')},France`,
  `1009,50004,EVIL,"=HYPERLINK(""http://example.com"")",1,1,${at('2011-04-03')},Germany`,
  ...Array.from(
    { length: 12 },
    (_, i) =>
      `1010,50004,P${String(i + 1).padStart(2, '0')},PRODUCT ${i + 1},1,${i + 2},${at('2011-04-05')},Germany`,
  ),
];

describe('the analyst on a shop known by hand', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let analyst: Analyst;

  beforeAll(async () => {
    tmp = tempDir('retain-analyst-');
    store = openStore(`${tmp.dir}/shop.db`);
    await importOrders(store, writeCsv(tmp.dir, 'orders.csv', ORDERS), { timeZone: 'UTC', actor: 'test' });
    analyst = new Analyst(store.facts);
  });

  afterAll(() => {
    store.close();
    tmp.cleanup();
  });

  function answer(...messages: string[]): AnalystAnswer {
    let previous: QuerySpec | null = null;
    let last: AnalystAnswer | null = null;
    for (const m of messages) {
      const u = analyst.understand(m, previous);
      if (!u) throw new Error(`"${m}" was not taken as a question about figures`);
      last = analyst.respond(u);
      if (u.kind !== 'unsupported') previous = JSON.parse(JSON.stringify(u.spec)) as QuerySpec;
    }
    return last!;
  }

  test.each<[string, number]>([
    // Merchandise only (no postage), net of the returned mug, the guest's order included.
    ['revenue in march', 150],
    ['orders in march', 4],
    ['units sold in march', 9],
    // Named customers only: the guest checkout is not a customer.
    ['how many customers bought in march', 2],
    ['new customers in march', 1],
    ['returning customers in march', 1],
    ['repeat purchase rate in march', 0.5],
    ['average order value in march', 40],
    ['items per order in march', 2.5],
    ['spend per customer in march', 50],
    ['orders per customer in march', 1.5],
    ['return rate in march', 10 / 160],
    ['how much was returned in march', 10],
    ['how many returns in march', 1],
    // 50003 bought in February and not in March.
    ['lost customers in march', 1],
    ['churn rate in march', 0.5],
    ['retention rate in march', 0.5],
    ['how many orders over £40 in march', 2],
    ['revenue from orders over £40 in march', 110],
    ['how many customers spent over £40 in march', 2],
    ['how many customers spent over £50 in march', 0],
    ['revenue from guest checkouts in march', 60],
    ['revenue from new customers in march', 40],
    ['revenue in france in march', 40],
    ['sales of bags in march', 90],
  ])('%s = %d', (question, value) => {
    const a = answer(question);
    expect(a.kind).toBe('figure');
    expect(a.value).toBeCloseTo(value, 6);
  });

  test('every answer says what it computed: the definition, the period and the filters', () => {
    const revenue = answer('revenue in france in march');
    expect(revenue.statement).toBe('Revenue in France, March 2011: £40.00.');
    expect(revenue.notes[0]).toMatch(/net of cancellations and returns.*guest checkouts included/);
    expect(answer('customers in march').notes[0]).toMatch(/Guest checkouts .* not counted/);
    expect(answer('lost customers in march').notes).toContain(
      'Compared periods: February 2011 and March 2011.',
    );
    expect(answer('how many new customers').notes).toContain(
      'No period given: new customers are counted per period, so I used the last full month, March 2011.',
    );
  });

  test('a period without orders, a country without orders, and data not trained yet are said plainly', () => {
    const november = answer('revenue in november 2011');
    expect(november.kind).toBe('nodata');
    expect(november.statement).toBe(
      'There are no orders in November 2011: the order history covers 2011-02-01 to 2011-04-05.',
    );
    const mexico = answer('revenue in mexico in march');
    expect(mexico.value).toBe(0);
    expect(mexico.notes).toContain('Mexico: no orders in the data.');
    const champions = answer('revenue from champions in march');
    expect(champions.kind).toBe('cannot');
    expect(champions.statement).toMatch(/retain train/);
  });

  test('tables page through every row, and export all of them as CSV with formulas defused', () => {
    const first = answer('revenue by product in april');
    expect(first.kind).toBe('table');
    expect(first.rows).toHaveLength(14);
    expect(first.page.rows.map((r) => r.key)).toEqual([
      'XB1',
      'P12',
      'P11',
      'P10',
      'P09',
      'P08',
      'P07',
      'P06',
      'P05',
      'P04',
    ]);
    const second = answer('revenue by product in april', 'show me more');
    expect(second.page.rows.map((r) => r.key)).toEqual(['P03', 'P02', 'P01', 'EVIL']);
    expect(second.notes).toContain('Showing rows 11–14 of 14.');
    const past = answer('revenue by product in april', 'show me more', 'more');
    expect(past.page.rows).toEqual([]);
    expect(past.notes).toContain('That was all: 14 rows.');

    const csv = answer('revenue by product in april', 'export that as csv').csv();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe('Code,Product,Revenue,Units,Orders');
    expect(lines).toHaveLength(15);
    expect(lines[1]).toBe('XB1,XMAS BAG,15,3,1');
    expect(csv).toContain(`EVIL,"'=HYPERLINK(""http://example.com"")",1,1,1`);
  });

  test('trends show every day, week or month of the period, empty ones as zero', () => {
    const weekly = answer('orders per week in march');
    expect(weekly.rows.map((r) => [r.key, r.value])).toEqual([
      ['2011-02-28', 1],
      ['2011-03-07', 1],
      ['2011-03-14', 2],
      ['2011-03-21', 0],
      ['2011-03-28', 0],
    ]);
    expect(weekly.chart).toMatchObject({ kind: 'lines' });
    expect(weekly.notes).toContain('The last week is incomplete: the data ends on 2011-03-31.');
  });

  test('"why?" splits the change between groups, and the parts add up to the whole', () => {
    for (const measure of ['revenue', 'average order value', 'orders']) {
      const why = answer(`${measure} in march`, 'why?');
      expect(why.kind).toBe('drivers');
      const march = answer(`${measure} in march`).value!;
      const february = answer(`${measure} in february`).value!;
      const byCountry = why.drivers!.find((g) => g.dimension === 'country')!;
      const parts = byCountry.items.reduce((s, i) => s + i.change, 0);
      expect(parts).toBeCloseTo(march - february, 6);
      expect(why.statement).toMatch(/not why customers behaved so/);
    }
    expect(answer('revenue in march', 'why?').drivers!.find((g) => g.dimension === 'country')!.items).toEqual(
      [
        expect.objectContaining({ key: 'United Kingdom', before: 20, after: 110, change: 90 }),
        expect.objectContaining({ key: 'France', before: 0, after: 40, change: 40 }),
      ],
    );
  });

  test('comparisons give both sides and the change', () => {
    const a = answer('revenue in march vs february');
    expect(a.rows.map((r) => [r.label, r.value])).toEqual([
      ['March 2011', 150],
      ['February 2011', 20],
    ]);
    expect(a.comparison).toEqual({ change: 130, relativeChange: 6.5 });
    expect(a.statement).toBe(
      'Revenue, March 2011 vs February 2011: March 2011 £150.00, February 2011 £20.00. March 2011 is +650.0% on February 2011.',
    );
  });

  test('a period the data does not cover to its end is flagged in the comparison', () => {
    expect(answer('revenue this month vs last month').statement).toBe(
      'Revenue, April 2011 vs March 2011: April 2011 £106.00, March 2011 £150.00. April 2011 is -29.3% on March 2011. April 2011 has data up to 2011-04-05 only, so the comparison is not like for like.',
    );
  });

  test('the report renders in every channel', () => {
    for (const a of [
      answer('revenue by country in march'),
      answer('revenue in march'),
      answer('revenue in march', 'why?'),
    ]) {
      const markdown = reportToMarkdown(a.report);
      expect(markdown).toContain(a.title);
      const card = reportToAdaptiveCard(a.report);
      expect(card).toMatchObject({ type: 'AdaptiveCard' });
      expect(JSON.stringify(reportToSlack(a.report))).toContain(a.title);
    }
    expect(answer('revenue by country in march').chart).toMatchObject({ kind: 'bar' });
  });

  test('the charts render to images', async () => {
    for (const a of [answer('revenue by country in march'), answer('orders per week in march')]) {
      const png = await renderChartPng(a.chart!);
      expect(png.png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.width).toBeGreaterThan(100);
    }
  });

  test('a spec that is not one gets a plain answer, not an error', () => {
    const bad = {
      measure: 'revenue',
      shape: 'figure',
      filters: { countries: 'Germany' },
    } as unknown as QuerySpec;
    expect(analyst.answer(bad)).toMatchObject({
      kind: 'cannot',
      statement: 'That question is no longer readable: please ask it again.',
    });
    expect(analyst.why(bad).kind).toBe('cannot');
  });

  test('what is typed only ever reaches the SQL as bound values', () => {
    const facts = store.facts;
    expect(facts.sales({ countries: ["x'); DROP TABLE orders; --"] }, 'none')).toEqual([]);
    expect(facts.sales({ nameWords: ["%' OR 1=1 --"] }, 'product')).toEqual([]);
    const a = answer("revenue in france'; DELETE FROM orders; -- in march");
    expect(a.value).toBe(40);
    expect((sql(store).prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n).toBe(10);
  });

  test('the covering indexes of the facts queries exist', () => {
    const indexes = (
      sql(store).prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as { name: string }[]
    ).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['orders_time_facts', 'order_lines_facts']));
  });
});
