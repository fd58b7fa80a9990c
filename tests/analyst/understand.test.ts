/**
 * Understanding questions about the shop's figures, without a database: what is taken as a
 * question (and what is left to the intent router), how follow-ups change the last question, and
 * that a spec survives being kept in conversation state as JSON.
 */
import fs from 'node:fs';
import {
  readQuerySpec,
  understandShopQuestion,
  type QuerySpec,
  type ShopVocabulary,
  type Understanding,
} from '../../nlp/query';
import { projectPath } from '../../lib/paths';
import { DEFAULT_SEGMENT_RULES } from '../../analytics/rfm/rfm';
import { STAGES } from '../../analytics/stage/stage';

const vocabulary: ShopVocabulary = {
  countries: ['United Kingdom', 'Germany', 'France', 'EIRE', 'Spain', 'Netherlands', 'Channel Islands'],
  segments: DEFAULT_SEGMENT_RULES.map((r) => r.name),
  stages: [...STAGES],
  products: [
    { code: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER' },
    { code: '21814', name: 'HEART T-LIGHT HOLDER' },
    { code: '22423', name: 'REGENCY CAKESTAND 3 TIER' },
    { code: '20725', name: 'LUNCH BAG RED RETROSPOT' },
    { code: '85099B', name: 'JUMBO BAG RED RETROSPOT' },
    { code: '22086', name: "PAPER CHAIN KIT 50'S CHRISTMAS" },
    { code: '22910', name: 'PAPER CHAIN KIT VINTAGE CHRISTMAS' },
    { code: '47566', name: 'PARTY BUNTING' },
  ],
};
const referenceDate = new Date('2011-07-01T00:00:00Z');

function ask(text: string, previous?: QuerySpec | null): Understanding | null {
  return understandShopQuestion(text, { vocabulary, referenceDate, previous });
}

function spec(text: string, previous?: QuerySpec | null): QuerySpec {
  const u = ask(text, previous);
  if (!u || u.kind === 'unsupported')
    throw new Error(`"${text}" was not understood as a query: ${JSON.stringify(u)}`);
  return u.spec;
}

/** A conversation: each message understood with the spec before it (kept as JSON, as a dialog does). */
function conversation(...messages: string[]): Understanding | null {
  let previous: QuerySpec | null = null;
  let u: Understanding | null = null;
  for (const m of messages) {
    u = ask(m, previous ? (JSON.parse(JSON.stringify(previous)) as QuerySpec) : null);
    if (u && u.kind !== 'unsupported') previous = u.spec;
  }
  return u;
}

describe('questions about figures become specs', () => {
  test('measure, period, filter and shape are read independently of word order and typos', () => {
    const a = spec('revnue in germny since march');
    const b = spec('since March, what was revenue in Germany?');
    for (const s of [a, b]) {
      expect(s).toMatchObject({
        measure: 'revenue',
        shape: 'figure',
        period: { from: '2011-03-01', to: '2011-07-02' },
        filters: { countries: ['Germany'] },
      });
    }
    expect(a.notes).toContain('Read "revnue" as "revenue".');
  });

  test.each<[string, Partial<QuerySpec>]>([
    [
      'top 5 products by revenue in Germany',
      { shape: 'ranking', dimension: 'product', limit: 5, measure: 'revenue' },
    ],
    ['revenue by country this year', { shape: 'breakdown', dimension: 'country' }],
    ['orders per month', { shape: 'trend', dimension: 'month', measure: 'orders' }],
    ['which 3 countries had the lowest revenue this year?', { shape: 'ranking', order: 'asc', limit: 3 }],
    ['new vs returning customers last month', { dimension: 'customerType', measure: 'customers' }],
    ['best month for sales', { shape: 'ranking', dimension: 'month', limit: 1 }],
    [
      'average order value in q2',
      { measure: 'aov', period: { from: '2011-04-01', to: '2011-07-01', text: 'q2' } },
    ],
    ['total customer lifetime value in france', { measure: 'totalClv', filters: { countries: ['France'] } }],
    ['how many customers did we lose last month?', { measure: 'lostCustomers' }],
    ['what share of revenue comes from the uk', { measure: 'revenue', share: true }],
  ])('%s', (text, expected) => {
    expect(spec(text)).toMatchObject(expected);
  });

  test('comparisons keep their sides in the order asked', () => {
    expect(spec('france vs germany revenue in q2').comparison).toEqual({
      by: 'country',
      members: ['France', 'Germany'],
    });
    expect(spec('sales last month vs the month before').comparison).toMatchObject({
      by: 'period',
      periods: [
        { from: '2011-06-01', to: '2011-07-01' },
        { from: '2011-05-01', to: '2011-06-01' },
      ],
    });
    expect(
      spec('compare units of the regency cakestand and the white hanging heart t-light holder in q2')
        .comparison,
    ).toEqual({
      by: 'product',
      members: [
        { code: '22423', name: 'REGENCY CAKESTAND 3 TIER' },
        { code: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER' },
      ],
    });
  });

  test('filters: segments, stages, kinds of customer, amounts, exclusions and words of product names', () => {
    expect(spec('revenue from champions last quarter').filters).toEqual({ segments: ['Champions'] });
    expect(spec("total sales for can't lose them").filters).toEqual({ segments: ["Can't lose them"] });
    expect(spec('revenue from lapsed customers').filters).toEqual({ stages: ['lapsed'] });
    expect(spec('orders from returning customers in june').filters).toEqual({ customerKind: 'returning' });
    expect(spec('AOV of guest checkouts this year').filters).toEqual({ customerKind: 'guest' });
    expect(spec('how many orders over £1000 in the last 3 months?').filters).toEqual({
      orderValue: { min: 1000 },
    });
    expect(spec('how many customers spent over £500 last quarter?').filters).toEqual({
      customerSpend: { min: 500 },
    });
    expect(spec('revenue excluding the uk this year').filters).toEqual({
      excludeCountries: ['United Kingdom'],
    });
    expect(spec('international sales last quarter').filters).toEqual({
      excludeCountries: ['United Kingdom'],
    });
    expect(spec('christmas products sales last month').filters).toEqual({ productWords: ['christmas'] });
    expect(spec('revenue of the uk this year excluding guest checkouts').filters).toEqual({
      countries: ['United Kingdom'],
      customerKind: 'registered',
    });
    const both = spec('revenue from France and Germany combined in q2');
    expect(both.filters).toEqual({ countries: ['France', 'Germany'] });
    expect(both.comparison).toBeUndefined();
  });

  test('a country with no orders is still a country: the answer can say there are none', () => {
    const s = spec('what was revenue in mexico last month');
    expect(s.filters.countries).toEqual(['Mexico']);
    expect(s.notes).toContain('Mexico: no orders in the data.');
  });

  test('a spec is plain data: it survives JSON, and what was typed reaches it only as known values', () => {
    const s = spec("revenue in germany'; DELETE FROM orders; -- last month");
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(s.filters).toEqual({ countries: ['Germany'] });
    expect(s.notes).toContain('Not used: "delete".');
  });
});

describe('follow-ups change one part of the last question', () => {
  test.each<[string[], Partial<Understanding>]>([
    [
      ['what was our revenue last month?', 'and in France?'],
      { kind: 'followup', spec: expect.objectContaining({ filters: { countries: ['France'] } }) },
    ],
    [
      ['orders in germany in q1', 'what about q2?'],
      {
        spec: expect.objectContaining({
          period: expect.objectContaining({ from: '2011-04-01' }),
          filters: { countries: ['Germany'] },
        }),
      },
    ],
    [
      ['revenue by country last quarter', 'only champions'],
      { spec: expect.objectContaining({ dimension: 'country', filters: { segments: ['Champions'] } }) },
    ],
    [
      ['top 5 products by revenue', 'show me more'],
      { action: 'more', spec: expect.objectContaining({ page: 1, limit: 5 }) },
    ],
    [['revenue in may', 'why?'], { action: 'why' }],
    [['orders by country in q1', 'export that as csv'], { action: 'export' }],
    [
      ['customers by country this year', 'sort by revenue'],
      { spec: expect.objectContaining({ measure: 'customers', sortBy: 'revenue' }) },
    ],
    [
      ['how many new customers last month?', 'and the month before?'],
      { spec: expect.objectContaining({ period: { from: '2011-05-01', to: '2011-06-01' } }) },
    ],
    [
      ['what was revenue in april', 'compare with march'],
      { spec: expect.objectContaining({ shape: 'comparison' }) },
    ],
    [
      ['revenue by country in june', 'without the uk'],
      { spec: expect.objectContaining({ filters: { excludeCountries: ['United Kingdom'] } }) },
    ],
    [
      ['how many customers did we have in may', 'only new ones'],
      { spec: expect.objectContaining({ measure: 'newCustomers' }) },
    ],
    [['revenue in germany last month', 'all countries'], { spec: expect.objectContaining({ filters: {} }) }],
  ])('%j', (messages, expected) => {
    expect(conversation(...messages)).toMatchObject(expected);
  });

  test('"and France" adds with "also", replaces otherwise', () => {
    expect(conversation('revenue in germany', 'also France')).toMatchObject({
      spec: { filters: { countries: ['Germany', 'France'] } },
    });
    expect(conversation('revenue in germany', 'what about France')).toMatchObject({
      spec: { filters: { countries: ['France'] } },
    });
  });

  test('a damaged or outdated spec from conversation state is forgotten, not trusted', () => {
    const damaged = { ...spec('revenue in germany'), measure: 'profit' } as unknown as QuerySpec;
    expect(readQuerySpec(damaged)).toBeNull();
    expect(ask('and in France?', damaged)).toBeNull();
    expect(ask('orders in France', damaged)).toMatchObject({ kind: 'query', spec: { measure: 'orders' } });
    expect(readQuerySpec(JSON.parse(JSON.stringify(spec('top 5 products by revenue'))))).not.toBeNull();
  });

  test('a message far longer than a chat question is not read', () => {
    expect(ask(`revenue in germany ${'and france '.repeat(60)}`)).toBeNull();
  });

  test('"why" with a figure of its own asks about that figure, before or after another question', () => {
    for (const u of [
      ask('why did revenue drop in may?'),
      conversation('orders in germany', 'why did revenue drop in may?'),
    ])
      expect(u).toMatchObject({
        kind: 'followup',
        action: 'why',
        spec: { measure: 'revenue', period: { from: '2011-05-01' }, filters: {} },
      });
  });

  test('a follow-up without a question before it is left to the intent router', () => {
    expect(ask('show me more')).toBeNull();
    expect(ask('why?')).toBeNull();
  });
});

describe('what is not a question about figures is left to the intent router', () => {
  const intents = JSON.parse(fs.readFileSync(projectPath('nlp', 'data', 'intents.json'), 'utf8')) as Record<
    string,
    string[] | string
  >;
  // These intents answer figures of their own (segments, churn, lifetime value, top products,
  // campaign results): questions about them with a period, a filter or a breakdown are taken.
  const overlapping = [
    'segment_overview',
    'segment_detail',
    'churn_report',
    'clv_report',
    'product_insight',
    'campaign_status',
  ];

  test.each(Object.keys(intents).filter((k) => k !== '_about' && !overlapping.includes(k)))(
    'no training message of %s is taken',
    (intent) => {
      const taken = (intents[intent] as string[]).filter((text) => ask(text) !== null);
      expect(taken).toEqual([]);
    },
  );

  test('the fixed reports keep their bare names', () => {
    for (const text of [
      'which segments do we have?',
      'churn report',
      'customer lifetime value report',
      'what are our top products?',
      'how many customers in each segment',
      'list the at-risk customers',
      'who is likely to churn in germany?',
      'look up customer 12347',
      'what is customer 12347 worth?',
      'status of order 536365',
    ])
      expect([text, ask(text)]).toEqual([text, null]);
  });
});

describe('what retain cannot answer from orders is said, with the reason', () => {
  test.each<[string, RegExp]>([
    ["what's our profit margin last month?", /no costs/],
    ['how many visitors did the website get yesterday?', /visits/],
    ['revenue by city', /country/],
    ['forecast revenue for next month', /forecast/],
    ['which day of the week do we sell the most', /weekday/],
    ['churn risk per month', /as of the latest training/],
    ['average order value per product', /many products/],
    ['revenue from wholesalers last quarter', /wholesalers/],
    ['revenue in narnia', /narnia/],
    ['what were sales like in the run up to christmas', /dates/],
    ['how many different products did we sell in may', /different products/],
    ['revenue on rainy days', /weather/],
    ['did the hot weather in june boost sales?', /weather/],
  ])('%s', (text, reason) => {
    const u = ask(text);
    expect(u?.kind).toBe('unsupported');
    expect(u && u.kind === 'unsupported' ? u.reason : '').toMatch(reason);
  });
});

describe('words that narrow a question to what the data cannot tell apart are refused, not dropped', () => {
  test.each([
    ['revenue on bank holidays', 'bank holidays'],
    ['average order value of vip customers', 'vip customers'],
    ['how many orders came through instagram', 'instagram'],
    ['sales of discounted items last month', 'discounted items'],
    ['revenue with free shipping', 'free shipping'],
    ['revenue from wholesale orders in france', 'wholesale orders'],
    ['revenue in the morning', 'morning'],
    ['orders from loyalty members since march', 'loyalty members'],
  ])('%s', (text, phrase) => {
    const u = ask(text);
    expect(u?.kind).toBe('unsupported');
    expect(u && u.kind === 'unsupported' ? u.reason : '').toContain(`"${phrase}"`);
  });

  test('also in a follow-up: "and for vip customers?" after a figure', () => {
    const first = spec('revenue in france last month');
    const u = ask('and for vip customers?', first);
    expect(u?.kind).toBe('unsupported');
  });

  test.each([
    ['units shipped in may', 'units'],
    ['how much money came in last week', 'revenue'],
    ['what are the 5 best-selling products by quantity last quarter', 'units'],
    ['avg clv by lifecycle stage', 'clv'],
    ['which month had the fewest orders', 'orders'],
    ['how many customers shopped with us in february', 'customers'],
  ])('words that only say how it is asked still get an answer: %s', (text, measure) => {
    expect(spec(text).measure).toBe(measure);
  });
});
