import { EntityExtractor, type Entity } from '../../nlp/entities/extract';
import { extractDateRanges } from '../../nlp/entities/dates';
import { ProductCatalogue } from '../../nlp/entities/catalogue';

// Reference "today": Thursday 2011-06-09 (the end of the online-retail sample period).
const TODAY = new Date('2011-06-09T10:00:00Z');

const extractor = new EntityExtractor({
  segments: ['Champions', 'Loyal', 'At Risk', "Can't Lose Them", 'Hibernating', 'New Customers'],
  countries: ['United Kingdom', 'Germany', 'France', 'EIRE', 'Netherlands', 'USA'],
  customerIds: ['12346', '17850', '13047'],
  products: [
    { code: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER' },
    { code: '20725', name: 'LUNCH BAG RED RETROSPOT' },
    { code: '20727', name: 'LUNCH BAG BLACK SKULL' },
    { code: '85099B', name: 'JUMBO BAG RED RETROSPOT' },
    { code: '22423', name: 'REGENCY CAKESTAND 3 TIER' },
    { code: '47566', name: 'PARTY BUNTING' },
  ],
});

function pick(entities: Entity[], type: Entity['type']) {
  return entities
    .filter((e) => e.type === type)
    .map((e) => {
      const {
        text: _t,
        start: _s,
        end: _e,
        type: _type,
        ...rest
      } = e as Entity & { text?: string; start?: number; end?: number };
      return rest;
    });
}

describe('date ranges relative to a reference date ([from, to), to exclusive)', () => {
  test.each([
    ['churn last quarter', { from: '2011-01-01', to: '2011-04-01' }],
    ['churn this quarter', { from: '2011-04-01', to: '2011-07-01' }],
    ['at risk since March', { from: '2011-03-01', to: '2011-06-10' }],
    ['since september', { from: '2010-09-01', to: '2011-06-10' }],
    ['orders in the past 30 days', { from: '2011-05-10', to: '2011-06-09' }],
    ['last 3 months', { from: '2011-03-09', to: '2011-06-09' }],
    ['revenue last month', { from: '2011-05-01', to: '2011-06-01' }],
    ['sales last week', { from: '2011-05-30', to: '2011-06-06' }],
    ['what happened yesterday', { from: '2011-06-08', to: '2011-06-09' }],
    ['today', { from: '2011-06-09', to: '2011-06-10' }],
    ['last year', { from: '2010-01-01', to: '2011-01-01' }],
    ['in March 2011', { from: '2011-03-01', to: '2011-04-01' }],
    ['in december', { from: '2010-12-01', to: '2011-01-01' }],
    ['Q1 2011', { from: '2011-01-01', to: '2011-04-01' }],
    ['between March and May', { from: '2011-03-01', to: '2011-06-01' }],
    ['from 2011-02-01 to 2011-02-14', { from: '2011-02-01', to: '2011-02-15' }],
    ['since 5 march', { from: '2011-03-05', to: '2011-06-10' }],
    ['ytd', { from: '2011-01-01', to: '2011-06-10' }],
    ['in 2010', { from: '2010-01-01', to: '2011-01-01' }],
    ['sales in the first quarter of 2011', { from: '2011-01-01', to: '2011-04-01' }],
    ['the second quarter', { from: '2011-04-01', to: '2011-07-01' }],
    ['revenue on 3 june', { from: '2011-06-03', to: '2011-06-04' }],
    ['orders on 2011-06-03', { from: '2011-06-03', to: '2011-06-04' }],
    ['revenue november 2010', { from: '2010-11-01', to: '2010-12-01' }],
    ['between june 1 and june 5', { from: '2011-06-01', to: '2011-06-06' }],
    ['month to date', { from: '2011-06-01', to: '2011-06-10' }],
    ['since the start of the year', { from: '2011-01-01', to: '2011-06-10' }],
  ])('%s', (text, expected) => {
    const found = extractDateRanges(text.toLowerCase(), TODAY);
    expect(found).toHaveLength(1);
    expect({ from: found[0].from, to: found[0].to }).toEqual(expected);
  });

  test('no date where there is none', () => {
    expect(extractDateRanges('show me the champions segment', TODAY)).toEqual([]);
    expect(extractDateRanges('top 20 customers at risk', TODAY)).toEqual([]);
  });
});

describe('money and percentages', () => {
  test.each([
    ['gift ideas under £20', [{ amount: 20, currency: 'GBP', bound: 'max' }]],
    ['something around 15 pounds', [{ amount: 15, currency: 'GBP', bound: 'about' }]],
    ['over $50 please', [{ amount: 50, currency: 'USD', bound: 'min' }]],
    ['budget 30', [{ amount: 30, bound: 'max' }]],
    ['a present for €12.50', [{ amount: 12.5, currency: 'EUR', bound: undefined }]],
    ['top 20 customers at risk', []],
  ])('%s', (text, expected) => {
    expect(pick(extractor.extract(text, TODAY), 'money')).toEqual(expected);
  });

  test.each([
    ['send 10% off to champions', [{ value: 10 }]],
    ['a 15 percent discount', [{ value: 15 }]],
    ['give them 12.5 % off', [{ value: 12.5 }]],
  ])('%s', (text, expected) => {
    expect(pick(extractor.extract(text, TODAY), 'percent')).toEqual(expected);
    expect(pick(extractor.extract(text, TODAY), 'money')).toEqual([]);
  });
});

describe('ids: invoices and known customers', () => {
  test.each([
    ['where is order 536365', 'invoice', '536365'],
    ['invoice #581234 status', 'invoice', '581234'],
    ['refund for C536379', 'invoice', 'C536379'],
    ['status of 540001', 'invoice', '540001'],
    ['look up customer 12583', 'customerId', '12583'],
    ['cust #14688 history', 'customerId', '14688'],
    ['is 17850 at risk', 'customerId', '17850'],
  ])('%s -> %s %s', (text, type, value) => {
    expect(pick(extractor.extract(text, TODAY), type as Entity['type'])).toEqual([{ value }]);
  });

  test('an unknown bare number is not a customer', () => {
    expect(pick(extractor.extract('is 99999 at risk', TODAY), 'customerId')).toEqual([]);
  });
});

describe('segments and countries from the gazetteer, typo-tolerant', () => {
  test.each([
    ['tell me about the champions', 'segment', 'Champions'],
    ['champoins segment', 'segment', 'Champions'],
    ['who is in at risk', 'segment', 'At Risk'],
    ['customers we cant lose them', 'segment', "Can't Lose Them"],
    ["customers we can't lose them", 'segment', "Can't Lose Them"],
    ['hibernatng customers', 'segment', 'Hibernating'],
    ['churn in germany', 'country', 'Germany'],
    ['churn in Germnay', 'country', 'Germany'],
    ['customers from the uk', 'country', 'United Kingdom'],
    ['sales in ireland', 'country', 'EIRE'],
    ['orders from holland', 'country', 'Netherlands'],
  ])('%s -> %s', (text, type, value) => {
    expect(pick(extractor.extract(text, TODAY), type as Entity['type'])).toEqual([{ value }]);
  });

  test('"us" as a pronoun is not the USA', () => {
    expect(pick(extractor.extract('tell us about churn', TODAY), 'country')).toEqual([]);
  });

  test('a message can carry several entities at once', () => {
    const e = extractor.extract('send 10% off to champions in France since March', TODAY);
    expect(e.map((x) => x.type).sort()).toEqual(['country', 'dateRange', 'percent', 'segment']);
  });
});

describe('products: SKUs and fuzzy names against the catalogue', () => {
  test.each([
    ['similar to 85123A', '85123A'],
    ['anything like the white hanging heart holder', '85123A'],
    ['whte hangng heart t-light', '85123A'],
    ['the lunch bag red retrospot', '20725'],
    ['lunch bag black skul', '20727'],
    ['jumbo bagg red retrospot', '85099B'],
    ['regency cake stand', '22423'],
    ['party buntin', '47566'],
  ])('%s -> %s', (text, code) => {
    const products = extractor.extract(text, TODAY).filter((e) => e.type === 'product');
    expect(products[0]).toMatchObject({ code });
  });

  test('no product in an unrelated message', () => {
    expect(extractor.extract('where is my order', TODAY).filter((e) => e.type === 'product')).toEqual([]);
  });

  test('an ambiguous name returns several candidates, best first', () => {
    const c = new ProductCatalogue([
      { code: '1', name: 'LUNCH BAG RED RETROSPOT' },
      { code: '2', name: 'LUNCH BAG BLACK SKULL' },
      { code: '3', name: 'DOORMAT RED RETROSPOT' },
    ]);
    const m = c.match('lunch bag', { minScore: 0.3 });
    expect(m.map((x) => x.code).sort()).toEqual(['1', '2']);
  });

  test('of two names matched in full, the one that accounts for more of the typed words wins', () => {
    const c = new ProductCatalogue([
      { code: '21814', name: 'HEART T-LIGHT HOLDER' },
      { code: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER' },
    ]);
    expect(c.match('white hanging heart t-light holder')[0].code).toBe('85123A');
    expect(c.match('heart t-light holder')[0].code).toBe('21814');
  });
});
