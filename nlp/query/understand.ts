/**
 * Understanding a marketer's question about the shop's figures as a query spec. The grammar is
 * compositional: a question names (or implies) one measure, at most one dimension, a shape
 * (figure, ranking, breakdown, trend, comparison), a period and filters, each recognised on its
 * own, in any order and with typos; the shop's countries, segments, stages and products come from
 * the vocabulary the caller passes. Follow-ups change one part of the previous spec.
 *
 * The answer is null when the message is not a question about figures (campaigns, customer
 * lists, recommendations, customer service, chit-chat), so that the intent router keeps those,
 * and "unsupported" with a reason when it is a question about figures retain has no data for.
 * Pure: no database, no clock (the reference date is passed in).
 */
import { extractDateRanges } from '../entities/dates';
import type { Entity } from '../entities/extract';
import { nameWords } from '../entities/catalogue';
import { wordSimilarity } from '../entities/fuzzy';
import { isEnglishWord } from '../text/englishWords';
import { correctSpelling, isSwap, normalise } from './text';
import { readQuerySpec } from './validate';
import { prepareVocabulary, type PreparedVocabulary, type ShopVocabulary } from './vocabulary';
import {
  ABROAD,
  AGGREGATE,
  ALL_TIME,
  ALSO,
  ASCENDING,
  SEASON,
  SHARE,
  COMPARISON,
  CUSTOMER_LIST,
  CUSTOMER_TYPE,
  DIMENSION_WORDS,
  ELSEWHERE,
  EVERYONE,
  EVERYWHERE,
  EXCLUDE_BEFORE,
  EXPORT,
  FACTS_CUE,
  FOLLOW_UP_START,
  GUEST,
  MEASURE_CUES,
  MORE,
  NUMBER,
  NUMBER_WORDS,
  PREVIOUS_PERIOD,
  QUANTIFIER,
  QUESTION_FRAME,
  REGISTERED,
  REPORT_WORD,
  SORT,
  SUPERLATIVE,
  SUPERLATIVE_WORDS,
  TIME_ADVERBS,
  TOTAL,
  UNKNOWABLE,
  WHY,
  YEAR_EARLIER,
  type MeasureRole,
} from './lexicon';
import { latestMonth, previousPeriod, yearEarlier } from './periods';
import {
  FLOW_MEASURES,
  LOST_MEASURES,
  SCORE_MEASURES,
  isTimeDimension,
  unsupportedCombination,
  type AmountRange,
  type Comparison,
  type CustomerKind,
  type Dimension,
  type Measure,
  type Period,
  type ProductRef,
  type QuerySpec,
  type Understanding,
} from './spec';

export interface UnderstandOptions {
  vocabulary: ShopVocabulary;
  /** "Today" for relative dates: the day after the newest order. */
  referenceDate: Date;
  /** The spec of the last answer in this conversation, for follow-ups. */
  previous?: QuerySpec | null;
}

/** The text with what has been read so far blanked out, so that no word is read twice. */
class Sentence {
  private readonly used: boolean[];

  constructor(readonly text: string) {
    this.used = new Array<boolean>(text.length).fill(false);
  }

  isFree(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.used[i]) return false;
    return true;
  }

  consume(start: number, end: number): void {
    for (let i = start; i < end; i++) this.used[i] = true;
  }

  /** Matches lying wholly in unread text, consumed unless `keep`. */
  take(pattern: RegExp, keep = false): RegExpExecArray[] {
    if (!pattern.global) throw new Error(`pattern must be global: ${pattern.source}`);
    const out: RegExpExecArray[] = [];
    pattern.lastIndex = 0;
    for (let m = pattern.exec(this.text); m; m = pattern.exec(this.text)) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      if (!this.isFree(m.index, m.index + m[0].length)) continue;
      if (!keep) this.consume(m.index, m.index + m[0].length);
      out.push(m);
    }
    return out;
  }

  /** The unread text, read parts replaced by spaces (positions kept). */
  unread(): string {
    return [...this.text].map((c, i) => (this.used[i] ? ' ' : c)).join('');
  }
}

interface MeasureMention {
  measure: Measure;
  role: MeasureRole;
  figure?: boolean;
  start: number;
  end: number;
}

/** Everything one message says, before it becomes (or changes) a spec. */
interface Reading {
  text: string;
  notes: string[];
  measure?: Measure;
  /** Customer kinds named next to another measure ("revenue from new customers"). */
  kinds: CustomerKind[];
  dimension?: Dimension | 'auto';
  ranking: boolean;
  /** "best month", "which day": time buckets ranked rather than shown in order. */
  timeRanking?: boolean;
  /** "what share of revenue comes from...": the figure against the whole shop. */
  share?: boolean;
  /** The measure names a figure by itself ("revenue", "average order value"), not only things ("orders"). */
  figureNamed?: boolean;
  measureRole?: MeasureRole;
  /** "why", "what drove": the reasons for a figure are asked for. */
  asksWhy?: boolean;
  ascending: boolean;
  limit?: number;
  periods: Period[];
  relative?: 'previous' | 'yearEarlier';
  allTime: boolean;
  countries: string[];
  excludeCountries: string[];
  segments: string[];
  stages: string[];
  products: ProductRef[];
  customerKind?: CustomerKind;
  orderValue?: AmountRange;
  customerSpend?: AmountRange;
  comparisonCue: boolean;
  also: boolean;
  only: boolean;
  everywhere: boolean;
  everyone: boolean;
  sortBy?: Measure;
  action?: 'more' | 'why' | 'export';
  unknowable?: string;
  factsCue: boolean;
  blocked: boolean;
  worldCountries: string[];
  /** Words of product names ("christmas"): products whose name has them. */
  productWords: string[];
  /** A word that names nothing in the data, after "in", "from"... */
  unknownWord?: string;
  /** Words that narrow the question to something the data cannot tell apart ("rainy days", "vip customers"). */
  unknownQualifier?: string;
  /** Content words left unread. */
  unused: string[];
  unknownGroup?: string;
}

const GRAMMAR_WORDS = new Set(
  (
    'a an the of for from in into on at to by per with without how much many what whats which who is are was were be been ' +
    'being our my your their its it this that these those we us me i you they them and or but vs versus v than then ' +
    'show give tell list get got let see look looking please pls can could would will should do does did done doing ' +
    'have has had total overall number count sum figure figures data shop store stats all any each every some ' +
    'there so far more most less least up down since during over under above below about around across among also ' +
    'too only just sold sell sells selling bought buy buying buys ordered order place placed make made did happened ' +
    'value worth top best worst biggest largest highest lowest bottom first last next previous break broken split ' +
    'compare compared comparison between same again ever still now currently recently far much amount amounts ' +
    'were whole entire lot lots big small customers customer people per cent percent percentage rate share products ' +
    'product items item units unit sales sale revenue orders segment segments stage average risk probability ' +
    'rank ranked ranking unique popular ones came brings bring brought earned distributed developed changed ' +
    'breakdown spent spend returned report numbers something come comes coming went go goes looks performing ' +
    'perform performed doing done drop dropped drops fall fell falls rise rose rises increase increased ' +
    'decrease decreased grow grew grown decline declined change up down jump jumped dip dipped combined ' +
    'together altogether excluding exclude except without minus excl exc'
  ).split(' '),
);

const NUMBER_WORD = new RegExp(`^(?:${NUMBER})$`);
const toNumber = (w: string) => (/^\d+$/.test(w) ? Number(w) : (NUMBER_WORDS[w] ?? NaN));

/** Longer messages are not chat questions about figures (and would only cost time to read). */
const MAX_LENGTH = 500;

export function understandShopQuestion(text: string, options: UnderstandOptions): Understanding | null {
  if (text.length > MAX_LENGTH) return null;
  const vocabulary = prepareVocabulary(options.vocabulary);
  // Kept in conversation state: a damaged or outdated one is forgotten, not trusted.
  const previous = options.previous ? readQuerySpec(options.previous) : null;
  const reading = read(text, vocabulary, options.referenceDate, previous);
  if (!reading || reading.blocked) return null;
  // "why did revenue drop in May?" asks about a figure of its own, not the one before.
  const ownWhy = reading.asksWhy && !!reading.measure;
  if (previous && isFollowUp(reading) && !ownWhy) return followUp(reading, previous);
  if (reading.action === 'more' || reading.action === 'export' || (reading.asksWhy && !ownWhy)) return null;
  const u = newQuery(reading);
  return u?.kind === 'query' && ownWhy ? { kind: 'followup', spec: u.spec, action: 'why' } : u;
}

function read(
  raw: string,
  vocabulary: PreparedVocabulary,
  reference: Date,
  previous: QuerySpec | null,
): Reading | null {
  const normal = normalise(raw);
  if (!normal) return null;
  const { text, corrections } = correctSpelling(
    normal,
    (w) => vocabulary.words.has(w) || GRAMMAR_WORDS.has(w),
  );
  const r: Reading = {
    text,
    notes: corrections.map((c) => `Read "${c.typed}" as "${c.meant}".`),
    kinds: [],
    ranking: false,
    ascending: false,
    periods: [],
    allTime: false,
    countries: [],
    excludeCountries: [],
    segments: [],
    stages: [],
    products: [],
    comparisonCue: false,
    also: false,
    only: /\b(?:only|just)\b/.test(text),
    everywhere: false,
    everyone: false,
    factsCue: FACTS_CUE.test(text),
    blocked: false,
    worldCountries: [],
    productWords: [],
    unused: [],
  };
  FACTS_CUE.lastIndex = 0;
  const s = new Sentence(text);

  // Other parts of the bot: campaigns, recommendations, customer lists, customer service, a
  // customer or an order by its number...
  const ids = vocabulary.extractor
    .extract(text, reference)
    .filter((e) => e.type === 'customerId' || e.type === 'invoice');
  // A bare five-digit number that is no stock code and no amount is a customer's id.
  const customerNumber = [...text.matchAll(/(?<![£$€\d.])\b(\d{5})\b/g)].some(
    (m) =>
      !vocabulary.byCode.has(m[1]) &&
      !/(?:over|under|above|below|than|least|most)\s*$/.test(text.slice(0, m.index)),
  );
  if (ids.length || customerNumber || ELSEWHERE.some((p) => test(p, text)) || CUSTOMER_LIST.test(text)) {
    r.blocked = true;
    return r;
  }
  const forecast = /\bnext (?:\d+ )?(?:day|week|month|quarter|year)s?\b/.test(text) && !test(MORE, text);
  const lifetimeValue = MEASURE_CUES.find((c) => c.measure === 'clv')!.pattern;
  if (forecast) r.unknowable = UNKNOWABLE.find((u) => u.reason.includes('forecast'))!.reason;
  if (!test(lifetimeValue, text))
    r.unknowable ??= UNKNOWABLE.find((u) => u.early && test(u.pattern, text))?.reason;
  else if (r.unknowable === UNKNOWABLE.find((u) => u.reason.includes('forecast'))!.reason)
    r.unknowable = undefined;
  r.share = test(SHARE, text);

  // Follow-up actions on the last answer.
  r.asksWhy = test(WHY, text);
  if (previous) {
    if (test(EXPORT, text)) r.action = 'export';
    else if (test(MORE, text)) r.action = 'more';
    else if (r.asksWhy) r.action = 'why';
    s.take(EXPORT);
    s.take(MORE);
  }
  s.take(WHY);

  readPeriods(s, r, reference, previous);
  for (const m of s.take(CUSTOMER_TYPE)) if (m) r.dimension = 'customerType';
  for (const m of s.take(GUEST)) {
    // "excluding guest checkouts": named customers only.
    r.customerKind = EXCLUDE_BEFORE.test(s.text.slice(Math.max(0, m.index - 20), m.index))
      ? 'registered'
      : 'guest';
  }
  if (!r.customerKind && s.take(REGISTERED).length) r.customerKind = 'registered';
  readSort(s, r);
  // "all countries" lifts a filter; it asks for no breakdown.
  if (s.take(EVERYWHERE).length) r.everywhere = true;
  if (s.take(EVERYONE).length) r.everyone = true;
  readCustomerDimension(s, r);
  readMeasure(s, r);
  readDimension(s, r);
  readComparisonAndScope(s, r, vocabulary);
  if (!readEntities(s, r, vocabulary, reference)) {
    r.blocked = true;
    return r;
  }
  readProducts(s, r, vocabulary);
  readLeftovers(s, r, vocabulary);
  if (!r.unknowable) {
    const unread = s.unread();
    r.unknowable = UNKNOWABLE.find((u) => test(u.pattern, unread))?.reason;
    const by = /\b(?:by|per|split by|broken down by|grouped by|for each|across) ([a-z]{3,})\b/.exec(unread);
    if (!r.unknowable && by && !GRAMMAR_WORDS.has(by[1]) && !vocabulary.words.has(by[1]))
      r.unknowable = `I cannot split figures by "${by[1]}". I can split them by country, product, customer, segment, lifecycle stage, new vs returning customers, or by day, week, month, quarter or year.`;
  }
  return r;
}

const test = (pattern: RegExp, text: string) => {
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  return found;
};

function readPeriods(s: Sentence, r: Reading, reference: Date, previous: QuerySpec | null): void {
  // Periods in the order they are written: "june vs may" compares June with May.
  const found: Array<Period & { at: number }> = [];
  // "the same period last year" is relative, not the calendar year before.
  if (s.take(YEAR_EARLIER).length) r.relative = 'yearEarlier';
  const dates = extractDateRanges(s.text, reference);
  let previousWords: (Period & { at: number }) | undefined;
  for (const d of dates) {
    if (!s.isFree(d.start, d.end)) continue;
    s.consume(d.start, d.end);
    const period = { from: d.from, to: d.to, text: d.text, at: d.start };
    if (/^(?:the )?(?:previous|prior|preceding) (?:day|week|month|quarter|year)$/.test(d.text))
      previousWords = period;
    else found.push(period);
  }
  // Months and years written bare: "june vs may", "2010 vs 2011". "may" only where it cannot be the verb.
  const bare =
    /\b(?:(january|february|march|april|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)|(may))\b(?! \d)/g;
  for (const m of s.take(bare, true)) {
    if (
      m[2] &&
      !/(?:\b(?:in|for|during|of|since|vs|versus|v|and|than|to|with|against|:)\s*$|^\s*$)/.test(
        s.text.slice(0, m.index),
      ) &&
      !/^\s*(?:(?:vs|versus|v|and|compared|against|\/)\b|$)/.test(s.text.slice(m.index + 3))
    )
      continue;
    s.consume(m.index, m.index + m[0].length);
    const month = MONTH_INDEX[(m[1] ?? m[2]).slice(0, 3)];
    found.push({ ...latestMonth(reference, month), text: m[0], at: m.index });
  }
  // "the previous month" next to another period, or after one, is the one before that.
  if (previousWords && (found.length || previous)) r.relative = 'previous';
  else if (previousWords) found.push(previousWords);
  // A year on its own ("units 2011"), not an amount.
  for (const m of s.take(
    /(?<![£$€\d.,])\b(20\d\d)\b(?! ?(?:percent|pounds|gbp|units|orders|customers|items))/g,
    true,
  )) {
    if (/(?:over|under|above|below|than|least|most|top|£)\s*$/.test(s.text.slice(0, m.index))) continue;
    s.consume(m.index, m.index + m[0].length);
    const y = Number(m[1]);
    found.push({ from: `${y}-01-01`, to: `${y + 1}-01-01`, text: m[0], at: m.index });
  }
  r.periods = found
    .sort((a, b) => a.at - b.at)
    .map(({ from, to, text }) => ({ from, to, ...(text ? { text } : {}) }));
  if (!r.relative && s.take(PREVIOUS_PERIOD).length) r.relative = 'previous';
  if (s.take(ALL_TIME).length) r.allTime = true;
}

const MONTH_INDEX: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

function readSort(s: Sentence, r: Reading): void {
  const m = s.take(SORT)[0];
  if (!m) return;
  const rest = s.text.slice(m.index + m[0].length);
  for (const cue of MEASURE_CUES) {
    cue.pattern.lastIndex = 0;
    const found = cue.pattern.exec(rest);
    if (found && found.index <= 2) {
      r.sortBy = cue.measure === 'clv' && TOTAL.test(rest) ? 'totalClv' : cue.measure;
      s.consume(m.index + m[0].length + found.index, m.index + m[0].length + found.index + found[0].length);
      return;
    }
  }
}

function readMeasure(s: Sentence, r: Reading): void {
  const mentions: MeasureMention[] = [];
  for (const cue of MEASURE_CUES) {
    for (const m of s.take(cue.pattern, cue.weak)) {
      if (cue.weak) {
        // "how much did Germany spend": "Germany" is still to be read.
        const lastWord = m[0].lastIndexOf(' ') + 1;
        s.consume(m.index, m.index + 8);
        s.consume(m.index + lastWord, m.index + m[0].length);
      }
      let measure = cue.measure;
      if (
        measure === 'clv' &&
        TOTAL.test(s.text.slice(Math.max(0, m.index - 16), m.index + m[0].length + 10))
      )
        measure = 'totalClv';
      mentions.push({
        measure,
        role: cue.role,
        figure: cue.figure || cue.weak,
        start: m.index,
        end: m.index + m[0].length,
      });
    }
  }
  mentions.sort((a, b) => a.start - b.start);
  if (!mentions.length) return;
  let chosen: MeasureMention | undefined = mentions.find((m) => m.role === 'ratio');
  if (!chosen) {
    QUANTIFIER.lastIndex = 0;
    for (const q of s.text.matchAll(QUANTIFIER)) {
      const qEnd = q.index! + q[0].length;
      // "how much" asks for an amount, "how many" for a count.
      const amount = /much|amount/.test(q[0]);
      chosen = mentions.find(
        (m) => m.start >= q.index! && m.start - qEnd <= 30 && !(amount && m.role === 'count'),
      );
      if (chosen) break;
    }
  }
  if (!chosen) {
    // The first measure named is the head of the question ("revenue from orders over £500").
    chosen = [...mentions].sort(
      (a, b) => (a.role === 'count' ? 1 : 0) - (b.role === 'count' ? 1 : 0) || a.start - b.start,
    )[0];
    const firstKindOrAmount = mentions.find((m) => m.role !== 'count');
    const firstCount = mentions.find((m) => m.role === 'count');
    if (firstCount && firstKindOrAmount && firstCount.start < firstKindOrAmount.start) {
      // "customers who placed orders": customers, unless the customers are a filter ("orders from customers in...").
      const between = s.text.slice(firstCount.end, firstKindOrAmount.start);
      if (/^\s*(?:who|that|which|with|having)\b/.test(between) && firstKindOrAmount.role !== 'kind')
        chosen = firstCount;
    }
  }
  r.measure = chosen.measure;
  r.figureNamed = chosen.role === 'ratio' || !!chosen.figure;
  r.measureRole = chosen.role;
  for (const m of mentions) {
    if (m === chosen || m.role !== 'kind') continue;
    if (m.measure === 'newCustomers') r.kinds.push('new');
    if (m.measure === 'returningCustomers') r.kinds.push('returning');
  }
}

/**
 * "top 10 customers", "which customers", "by customer": customers as the rows of a table, read
 * before measures take "customers" as the number of customers.
 */
function readCustomerDimension(s: Sentence, r: Reading): void {
  const people = '(?:customers|buyers|clients|accounts|shoppers)';
  const patterns = [
    new RegExp(
      `\\b(?:top|best|biggest|largest|leading|most valuable|highest[- ]spending|bottom|worst|smallest)(?: (${NUMBER}))?(?: [a-z-]+)? ${people}\\b`,
      'g',
    ),
    new RegExp(`\\b(?:rank|ranking of)(?: the| our)? ${people}\\b|\\bwhich ${people}\\b`, 'g'),
    /\b(?:by|for each|for every) (?:customer|buyer|client)\b(?! (?:segments?|types?|stages?|groups?))/g,
  ];
  for (const [i, pattern] of patterns.entries()) {
    for (const m of s.take(pattern)) {
      r.dimension = 'customer';
      if (i < 2) r.ranking = true;
      if (m[1]) r.limit = toNumber(m[1]);
    }
  }
}

function readDimension(s: Sentence, r: Reading): void {
  const text = s.text;
  // "at least £500" and "at most" are amounts, not rankings.
  const plain = text.replace(/\bat (?:least|most)\b/g, '      ');
  r.ranking = test(SUPERLATIVE, plain);
  r.ascending = test(ASCENDING, plain);
  for (const [pattern, dim] of TIME_ADVERBS) {
    if (s.take(pattern).length && !r.dimension) r.dimension = dim;
  }
  const found: Array<{ dim: Dimension; at: number }> = [];
  for (const [dim, words] of Object.entries(DIMENSION_WORDS) as Array<[Dimension, string]>) {
    const patterns = [
      new RegExp(
        `\\b(?:by|per|for each|for every|in each|across|among|split (?:by|between|across|into)|broken down by|break(?:ing)? ?(?:it )?down (?:by|per|into)|grouped by|group by|breakdown (?:by|per)|between|each|every|according to)(?: the| each| every| our| all| their)? (?:${words})\\b`,
        'g',
      ),
      new RegExp(
        `\\b(?:${words})[- ]?(?:wise|breakdown|split|mix|distribution|ranking|league table|level|performance|by|table)\\b`,
        'g',
      ),
      new RegExp(`\\b(?:${SUPERLATIVE_WORDS})(?: (?:${NUMBER}))?(?: [a-z-]+){0,2}? (?:${words})\\b`, 'g'),
      new RegExp(`\\b(?:${NUMBER}) (?:[a-z-]+ ){0,2}(?:${words})\\b`, 'g'),
      new RegExp(`\\b(?:which|what)(?: (?:${NUMBER}))?(?: [a-z-]+)? (?:${words})\\b`, 'g'),
      new RegExp(
        `\\b(?:rank|ranking|ranked)(?: the| our| of)?(?: [a-z-]+)? (?:${words})\\b|\\b(?:${words}) ranked\\b`,
        'g',
      ),
    ];
    for (const [i, pattern] of patterns.entries()) {
      for (const m of s.take(pattern)) {
        // "which customers", "top customers" name a customer dimension; a bare "customers" is a measure.
        if (dim === 'customer' && i < 2 && !/\b(?:by|per|each) (?:customers?|buyers?|clients?)\b/.test(m[0]))
          continue;
        // "5 items" with no superlative is an amount ("5 units"), not a ranking of products.
        if (i === 3 && !r.ranking && dim !== 'product') continue;
        found.push({ dim, at: m.index });
        if (i >= 2 && isTimeDimension(dim)) r.timeRanking = true;
        const n = new RegExp(`\\b(${NUMBER})\\b`).exec(m[0]);
        if (n && (i >= 2 || r.ranking)) r.limit = toNumber(n[1]);
        if (i >= 2) r.ranking = true;
      }
    }
  }
  // Bare plural dimension names: "segments in France since March".
  for (const [dim, plural] of [
    ['segment', 'segments|segmentation'],
    ['country', 'countries|markets'],
    ['product', 'products|best ?sellers|top sellers'],
    ['stage', 'stages|lifecycle stages'],
  ] as Array<[Dimension, string]>) {
    for (const m of s.take(new RegExp(`\\b(?:${plural})\\b`, 'g'))) found.push({ dim, at: m.index });
  }
  if (!r.limit) {
    const top = new RegExp(
      `\\b(?:top|best|bottom|worst|first|biggest|largest|highest|lowest|leading) (${NUMBER})\\b`,
    ).exec(text);
    if (top && NUMBER_WORD.test(top[1])) {
      r.limit = toNumber(top[1]);
      r.ranking = true;
    }
  }
  found.sort((a, b) => a.at - b.at);
  const dims = [...new Set(found.map((f) => f.dim))];
  if (dims.length && (!r.dimension || r.dimension === 'auto')) {
    const dimension = r.dimension === 'auto' ? dims.find((d) => isTimeDimension(d)) : undefined;
    r.dimension = dimension ?? dims[0];
  }
  const others = dims.filter((d) => d !== r.dimension);
  if (others.length && r.dimension)
    r.notes.push(
      `I split by one thing at a time: by ${dimensionName(r.dimension)}, not by ${others.map(dimensionName).join(' or ')}.`,
    );
  if (r.ranking && r.ascending) r.notes.push('Lowest first.');
}

const dimensionName = (d: Dimension | 'auto') =>
  d === 'customerType' ? 'new vs returning' : d === 'auto' ? 'time' : d;

function readComparisonAndScope(s: Sentence, r: Reading, vocabulary: PreparedVocabulary): void {
  r.comparisonCue = test(COMPARISON, s.text) || /\bcompare\b|\bhow did .{1,60} compare\b/.test(s.text);
  s.take(COMPARISON);
  r.also = test(ALSO, s.text);
  if (s.take(ABROAD).length && vocabulary.home) {
    r.excludeCountries.push(vocabulary.home);
    r.notes.push(`Abroad means outside ${vocabulary.home}, the country with the most orders.`);
  }
}

/** Countries, segments, stages, amounts and ids; false when the message names a customer or an order. */
function readEntities(s: Sentence, r: Reading, vocabulary: PreparedVocabulary, reference: Date): boolean {
  const unread = s.unread();
  const entities: Entity[] = vocabulary.extractor.extract(unread, reference);
  const spans: Array<{ start: number; end: number; country?: string; segment?: string }> = [];
  for (const e of entities) {
    if (e.type === 'country' || e.type === 'segment') {
      if (!s.isFree(e.start, e.end)) continue;
      // "new" and "lost" are segment names, but far more often plain words; and a short name
      // typed differently is another word ("most" is not "Lost", "royal" not "Loyal"), unless
      // two of its letters were only swapped ("spian").
      if (e.type === 'segment' && /^(?:new|lost)$/i.test(e.value) && !/\bsegment\b/.test(s.text)) continue;
      const [typed, name] = [e.text.replace(/'/g, ''), e.value.toLowerCase().replace(/'/g, '')];
      if (e.value.length <= 5 && typed !== name && !isSwap(typed, name)) continue;
      s.consume(e.start, e.end);
      spans.push(e.type === 'country' ? { ...e, country: e.value } : { ...e, segment: e.value });
    }
  }
  // Adjectives ("French revenue") and the world's countries not in the data ("sales in Mexico").
  const names = [...vocabulary.countryWords.keys()].sort((a, b) => b.length - a.length);
  const alternation = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  for (const m of s.take(new RegExp(`\\b(${alternation})\\b`, 'g'), true)) {
    const country = vocabulary.countryWords.get(m[1])!;
    const inData = vocabulary.vocabulary.countries.includes(country);
    const before = s.text.slice(Math.max(0, m.index - 14), m.index);
    // Names not in the data need a preposition ("in Chad"): "china" and "jersey" are also products.
    if (!inData && !/\b(?:in|from|for|to|of|across|within|than|vs|and)\s*(?:the )?$/.test(before)) continue;
    if (m[1] === 'us' && !/\bthe us\b/.test(s.text)) continue;
    s.consume(m.index, m.index + m[0].length);
    spans.push({ start: m.index, end: m.index + m[0].length, country });
    if (!inData) r.worldCountries.push(country);
  }
  spans.sort((a, b) => a.start - b.start);
  for (const span of spans) {
    if (span.country) {
      const before = s.text.slice(Math.max(0, span.start - 20), span.start);
      if (EXCLUDE_BEFORE.test(before)) {
        if (!r.excludeCountries.includes(span.country)) r.excludeCountries.push(span.country);
      } else if (!r.countries.includes(span.country)) r.countries.push(span.country);
    } else if (span.segment && !r.segments.includes(span.segment)) r.segments.push(span.segment);
  }
  // Lifecycle stages: "lapsed", or a stage named as one ("the at-risk stage").
  for (const m of s.take(/\b(new|active|repeat|at[- ]risk|lapsed)(?: lifecycle)? stage\b|\blapsed\b/g)) {
    const stage = vocabulary.stageByLower.get((m[1] ?? 'lapsed').replace('-', ' '));
    if (stage && !r.stages.includes(stage)) r.stages.push(stage);
  }
  // Amounts: order value, or a customer's spend when the words say so.
  const money = entities.filter((e): e is Extract<Entity, { type: 'money' }> => e.type === 'money');
  if (
    money.length === 2 &&
    /\bbetween\b/.test(s.text.slice(Math.max(0, money[0].start - 12), money[0].start))
  ) {
    money[0] = { ...money[0], bound: 'min' };
    money[1] = { ...money[1], bound: 'max' };
  }
  for (const m of money) {
    if (!s.isFree(m.start, m.end)) continue;
    const after = s.text.slice(m.end, m.end + 14);
    let bound = m.bound;
    if (!bound && /^\s*(?:or more|or above|and above|and up|\+|plus)\b/.test(after)) bound = 'min';
    if (!bound && /^\s*(?:or less|or under|and under|and below)\b/.test(after)) bound = 'max';
    if (bound !== 'min' && bound !== 'max') continue;
    s.consume(m.start, m.end);
    const before = s.text.slice(Math.max(0, m.start - 40), m.start);
    const spend =
      /\b(?:spent|spend|spending|spends|bought for|buying for)\b/.test(before) ||
      /\b(?:customers?|buyers?|clients?|people) (?:who are |that are )?worth\b/.test(before);
    const range: AmountRange = bound === 'min' ? { min: m.amount } : { max: m.amount };
    if (spend) r.customerSpend = { ...r.customerSpend, ...range };
    else r.orderValue = { ...r.orderValue, ...range };
    if (m.currency && m.currency !== 'GBP')
      r.notes.push(`Amounts are in the shop's currency (£); I read ${m.text} as £${m.amount}.`);
  }
  return true;
}

function readProducts(s: Sentence, r: Reading, vocabulary: PreparedVocabulary): void {
  // Stock codes typed as such: "85123A", "product 22423".
  for (const m of s.take(/\b(?:[a-z]?\d{4,6}[a-z]{0,2})\b/g, true)) {
    const p = vocabulary.byCode.get(m[0]);
    if (!p || /^(?:19|20)\d\d$/.test(m[0])) continue;
    s.consume(m.index, m.index + m[0].length);
    if (!r.products.some((x) => x.code === p.code)) r.products.push(p);
  }
  // Names: what is left once the grammar has been read, each side on its own when compared.
  const unread = s.unread();
  const separators = [...unread.matchAll(/\b(?:and|vs|versus|v|with|against|compared to|or)\b|\//g)];
  const cuts = [0, ...separators.flatMap((m) => [m.index!, m.index! + m[0].length]), unread.length];
  const parts: Array<{ start: number; text: string }> = [];
  for (let i = 0; i < cuts.length; i += 2)
    parts.push({ start: cuts[i], text: unread.slice(cuts[i], cuts[i + 1]) });
  // Grammar words, and words longer than any product name's, are not names.
  const content = (text: string) =>
    text.replace(/\b[a-z0-9'-]+\b/g, (w) =>
      GRAMMAR_WORDS.has(w) || w.length > 30 ? ' '.repeat(w.length) : w,
    );
  const sides = parts.filter((p) => /[a-z]{3}/.test(content(p.text)));
  for (const part of sides.length > 1 ? sides : [{ start: 0, text: unread }]) {
    const words = content(part.text);
    if (!/[a-z]{3}/.test(words)) continue;
    const best = vocabulary.catalogue.match(words, { limit: 1, minScore: 0.6 })[0];
    if (!best || r.products.some((p) => p.code === best.code)) continue;
    r.products.push({ code: best.code, name: best.name });
    r.notes.push(`Read "${words.trim().replace(/\s+/g, ' ')}" as ${best.code} ${best.name}.`);
    // The words of the name are read now.
    const named = nameWords(best.name);
    for (const m of part.text.matchAll(/[a-z0-9]+/g)) {
      if (m[0].length === 1 || named.some((w) => wordSimilarity(m[0], w) > 0))
        s.consume(part.start + m.index!, part.start + m.index! + m[0].length);
    }
  }
}

/** Words nobody reads as a filter ("please", "looking"). */
const FILLER = new Set(
  'please pls thanks thank hey hi hello guys team quick quickly roughly approximately exactly currently right like looking look going doing doing tell know want need wondering curious give show list see get got kindly just ok okay yes so well really actually something anything overall altogether'.split(
    ' ',
  ),
);

/**
 * What is left unread: words naming products by a word of their names ("christmas products",
 * "sales of bags"), words that name nothing in the data ("in Narnia": say so rather than answer
 * for everyone), and words not used, which the answer lists.
 */
function readLeftovers(s: Sentence, r: Reading, vocabulary: PreparedVocabulary): void {
  const unread = s.unread();
  for (const m of unread.matchAll(/[a-z][a-z'-]*/g)) {
    const word = m[0];
    if (GRAMMAR_WORDS.has(word) || FILLER.has(word) || word.length < 3) continue;
    const before = s.text.slice(Math.max(0, m.index! - 12), m.index!);
    const after = s.text.slice(m.index! + word.length, m.index! + word.length + 24);
    const productWord = vocabulary.productWord(word);
    const productContext =
      /^\s*(?:products?|items?|range|lines?|stuff|goods|gifts?|sales|revenue|orders|units)\b/.test(after) ||
      /\b(?:of|for|from|on)(?: the| our| all)?\s*$/.test(before);
    if (productWord && productContext && r.products.length === 0) {
      if (!r.productWords.includes(productWord)) r.productWords.push(productWord);
      s.consume(m.index!, m.index! + word.length);
      continue;
    }
    if (test(SEASON, word)) {
      r.unknowable ??= `I read periods as dates ("in December", "between 1 and 24 December", "Q4", "last 6 weeks"). Which dates do you mean by "${word}"?`;
      continue;
    }
    if (
      !isEnglishWord(word) &&
      !vocabulary.words.has(word) &&
      /\b(?:in|from|for|to|of|by)(?: the)?\s*$/.test(before)
    ) {
      r.unknownWord = word;
      continue;
    }
    // "revenue from wholesalers": a group of customers the data does not tell apart.
    if (
      /s$/.test(word) &&
      !vocabulary.words.has(word) &&
      /\b(?:from|among|to|by)(?: the| our| all)?\s*$/.test(before)
    ) {
      r.unknownGroup = word;
      continue;
    }
    const qualifier = qualifierPhrase(word, before, after);
    if (qualifier) {
      r.unknownQualifier ??= qualifier;
      continue;
    }
    if (!r.unused.includes(word)) r.unused.push(word);
  }
}

/** The things a question counts or splits by: a word before one of them narrows it ("vip customers"). */
const COUNTED_NOUN =
  /^[\s-]*(customers?|clients?|buyers?|shoppers?|users?|members?|people|orders?|items?|products?|purchases?|days|deliveries|shipments?|baskets?)\b/;
/**
 * Prepositions that put a condition on what is counted ("on rainy days", "through instagram",
 * "with free shipping", "in the morning"). "in" only with "the"; "for", "from", "by" not at all:
 * they also carry periods, countries and measures, and an unknown name after them is read above.
 */
const CONDITION_BEFORE =
  /\b(?:(?:on|through|via|with|without|during|at|using|under)(?: the| a| an| our| their)?|in the)\s+$/;
/** Words that rank or describe the figure itself, not the customers or orders counted. */
const DESCRIBES_FIGURE =
  /(?:est$|^(?:best|top|most|worst|selling|predicted|expected|estimated|average|avg|typical|mean|median|gross|net|total|tot)\b)/;

/**
 * A leftover word that narrows what is counted, with the word it narrows ("rainy days"), or
 * undefined. Answering without it would answer another question, so the question is refused.
 */
function qualifierPhrase(word: string, before: string, after: string): string | undefined {
  if (DESCRIBES_FIGURE.test(word)) return undefined;
  const noun = COUNTED_NOUN.exec(after);
  if (noun) return `${word} ${noun[1]}`;
  if (CONDITION_BEFORE.test(before)) {
    const next = /^\s+([a-z][a-z'-]*)/.exec(after);
    return next && !GRAMMAR_WORDS.has(next[1]) && !FILLER.has(next[1]) ? `${word} ${next[1]}` : word;
  }
  return undefined;
}

function hasQualifier(r: Reading): boolean {
  return (
    r.periods.length > 0 ||
    !!r.relative ||
    r.countries.length > 0 ||
    r.excludeCountries.length > 0 ||
    r.worldCountries.length > 0 ||
    r.segments.length > 0 ||
    r.stages.length > 0 ||
    r.products.length > 0 ||
    r.productWords.length > 0 ||
    !!r.customerKind ||
    r.kinds.length > 0 ||
    !!r.orderValue ||
    !!r.customerSpend
  );
}

function changesSomething(r: Reading): boolean {
  return (
    hasQualifier(r) ||
    !!r.measure ||
    !!r.dimension ||
    !!r.limit ||
    !!r.sortBy ||
    !!r.action ||
    r.allTime ||
    r.everywhere ||
    r.everyone
  );
}

function isFollowUp(r: Reading): boolean {
  if (r.action) return true;
  if (!changesSomething(r)) return false;
  if (FOLLOW_UP_START.test(r.text)) return true;
  const words = r.text.split(' ').filter((w) => !GRAMMAR_WORDS.has(w));
  // Without a measure: a few words change the last question ("in France", "by country", "last
  // year"); a question complete on its own asks anew ("top products last quarter").
  if (!r.measure) return words.length <= 3 && !(r.dimension && (r.ranking || r.limit));
  return !QUESTION_FRAME.test(r.text) && words.length <= 3 && !hasQualifier(r) && !r.dimension;
}

/** "Over time": by month over long periods (or all the data), by week over weeks, else by day. */
function granularity(period: Period | undefined): Dimension {
  if (!period) return 'month';
  const days = (Date.parse(period.to) - Date.parse(period.from)) / 86_400_000;
  return days > 62 ? 'month' : days > 14 ? 'week' : 'day';
}

/** No measure named: customers when the question is about groups of customers, else revenue. */
function defaultMeasure(dimension: Dimension | undefined, r: Reading): Measure {
  if (dimension === 'segment' || dimension === 'stage' || dimension === 'customerType') return 'customers';
  // "where are the champions from": champions, counted by country.
  if ((r.segments.length || r.stages.length) && (!dimension || dimension === 'country')) return 'customers';
  return 'revenue';
}

/**
 * Signs that a message asks for a figure rather than about things: "orders" alone ("order
 * status") or "customers" alone ("customer service") is not a question about figures.
 */
function asksForFigure(r: Reading, dimension: Dimension | undefined): boolean {
  return (
    !!r.figureNamed ||
    test(QUANTIFIER, r.text) ||
    r.periods.length > 0 ||
    !!r.relative ||
    !!dimension ||
    !!r.limit ||
    r.comparisonCue ||
    !!r.share ||
    /\b(?:total|count|figures?|numbers?|stats|statistics|sum|tally)\b/.test(r.text) ||
    // "orders in France": an amount with a filter ("customers in Germany" is a list of customers).
    (r.measureRole === 'amount' &&
      (r.countries.length > 0 || r.segments.length > 0 || r.products.length > 0 || r.productWords.length > 0))
  );
}

function newQuery(r: Reading): Understanding | null {
  const plain = UNKNOWABLE.some((u) => u.plain && u.reason === r.unknowable);
  const withMeasure = UNKNOWABLE.some((u) => u.withMeasure && u.reason === r.unknowable);
  if (r.unknowable && (plain || (r.factsCue && !withMeasure) || r.measure || r.dimension))
    return { kind: 'unsupported', reason: r.unknowable };
  // "how many Germans bought in May": people, counted.
  if (
    !r.measure &&
    /\bhow many\b/.test(r.text) &&
    (r.segments.length || r.stages.length || r.countries.length)
  )
    r.measure = 'customers';
  if (!r.measure && !r.dimension) return null;
  const dimension = r.dimension === 'auto' ? granularity(r.periods[0]) : r.dimension;
  if (!asksForFigure(r, dimension)) return null;
  if (r.unknownWord) return { kind: 'unsupported', reason: unknownWordReason(r.unknownWord) };
  if (r.unknownGroup) return { kind: 'unsupported', reason: unknownGroupReason(r.unknownGroup) };
  // Lists of customers ("top 20 customers at risk") are the at-risk and lifetime value reports.
  if (dimension === 'customer' && !r.measure) return null;
  // "top products", "which segments do we have?": the fixed reports answer these.
  if (!r.measure && !hasQualifier(r) && (dimension === 'product' || dimension === 'segment')) return null;
  const measure = r.measure ?? defaultMeasure(dimension, r);
  const notes = [...r.notes];
  if (!r.measure) notes.push(`No measure named: showing ${measure === 'revenue' ? 'revenue' : 'customers'}.`);
  const reportish = [...SCORE_MEASURES, 'churnRate', 'retentionRate'] as Measure[];
  if (
    reportish.includes(measure) &&
    !hasQualifier(r) &&
    !dimension &&
    !r.comparisonCue &&
    (!AGGREGATE.test(r.text) || REPORT_WORD.test(r.text))
  )
    return null; // "churn rate", "clv report": the churn and lifetime value reports
  if (measure === 'customers' && dimension === 'segment' && !hasQualifier(r)) return null; // the segment overview
  if ((SCORE_MEASURES.includes(measure) || LOST_MEASURES.includes(measure)) && dimension === 'customer')
    return null;
  // Only now: what the fixed reports answer ("customers with high churn risk") is theirs to answer.
  if (r.unknownQualifier) return { kind: 'unsupported', reason: unknownQualifierReason(r.unknownQualifier) };
  const spec = buildSpec(r, measure, dimension, notes);
  return validate(spec, 'query');
}

function unknownGroupReason(word: string): string {
  return `I cannot tell "${word}" apart from other customers in the order history. I can split customers by country, segment, lifecycle stage, new vs returning, or by how much they spent.`;
}

function unknownQualifierReason(phrase: string): string {
  return (
    `I cannot tell "${phrase}" apart in the order history, so I would be answering another question. ` +
    'I can narrow figures by period, country, segment, lifecycle stage, product, new vs returning customers and order value.'
  );
}

function unknownWordReason(word: string): string {
  return `I do not know "${word}": it is not a country, segment, lifecycle stage or product in the data, so I would be answering another question.`;
}

function validate(
  spec: QuerySpec,
  kind: 'query' | 'followup',
  action?: 'more' | 'why' | 'export',
): Understanding {
  const problem = unsupportedCombination(spec);
  if (problem) return { kind: 'unsupported', reason: problem };
  return kind === 'query' ? { kind, spec } : action ? { kind, spec, action } : { kind, spec };
}

function buildSpec(
  r: Reading,
  measure: Measure,
  dimension: Dimension | undefined,
  notes: string[],
): QuerySpec {
  const filters: QuerySpec['filters'] = {};
  const countries = [...r.countries];
  let comparison: Comparison | undefined;
  let period: Period | undefined = r.periods[0];
  if (r.periods.length >= 2) comparison = { by: 'period', periods: r.periods };
  else if (period && r.relative && (r.comparisonCue || /\b(?:and|with)\b/.test(r.text)))
    comparison = {
      by: 'period',
      periods: [period, r.relative === 'previous' ? previousPeriod(period) : yearEarlier(period)],
    };
  else if (!period && r.relative)
    notes.push('A period "before" needs a period to start from: I used all the data.');
  if (comparison) period = undefined;
  // "new customers compared with returning ones": the two kinds side by side.
  const kinds = [...new Set([...(r.customerKind ? [r.customerKind] : []), ...r.kinds])];
  if (!comparison && r.comparisonCue && kinds.length >= 2 && dimension !== 'customerType')
    comparison = { by: 'customerType', members: kinds };
  // "the Netherlands and Belgium combined": one figure for both.
  const together = /\b(?:combined|together|altogether|in total|put together|as a whole)\b/.test(r.text);
  if (!comparison && together) notes.push(`Taken together: ${[...countries, ...r.segments].join(', ')}.`);
  if (!comparison && !together && dimension !== 'country' && countries.length >= 2)
    comparison = { by: 'country', members: countries };
  else if (!comparison && !together && dimension !== 'segment' && r.segments.length >= 2)
    comparison = { by: 'segment', members: r.segments };
  else if (!comparison && dimension !== 'product' && r.products.length >= 2)
    comparison = { by: 'product', members: r.products };
  if (countries.length && comparison?.by !== 'country') filters.countries = countries;
  if (r.excludeCountries.length) filters.excludeCountries = [...r.excludeCountries];
  if (r.segments.length && comparison?.by !== 'segment') filters.segments = [...r.segments];
  if (r.stages.length) filters.stages = [...r.stages];
  if (r.products.length && comparison?.by !== 'product') filters.products = [...r.products];
  if (r.productWords.length) {
    filters.productWords = [...r.productWords];
    notes.push(`Products whose name has "${r.productWords.join('" and "')}".`);
  }
  const kind = r.customerKind ?? r.kinds[0];
  if (kind && comparison?.by !== 'customerType') filters.customerKind = kind;
  if (r.orderValue) filters.orderValue = r.orderValue;
  if (r.customerSpend) filters.customerSpend = r.customerSpend;
  const shape: QuerySpec['shape'] = comparison
    ? 'comparison'
    : isTimeDimension(dimension) && !r.timeRanking
      ? 'trend'
      : dimension
        ? r.ranking || r.limit
          ? 'ranking'
          : 'breakdown'
        : 'figure';
  const spec: QuerySpec = {
    measure,
    shape,
    filters,
    order: r.ascending && shape === 'ranking' ? 'asc' : 'desc',
    page: 0,
    notes,
  };
  if (dimension && !(comparison && isTimeDimension(dimension))) spec.dimension = dimension;
  if (comparison && dimension)
    notes.push(`Compared as totals: a comparison is not also split by ${dimension}.`);
  if (r.share && !comparison && !dimension) spec.share = true;
  if (period)
    spec.period = { from: period.from, to: period.to, ...(period.text ? { text: period.text } : {}) };
  if (comparison) spec.comparison = comparison;
  if (r.limit && dimension) spec.limit = r.limit;
  else if (
    r.timeRanking &&
    /\b(?:best|worst|busiest|quietest|biggest|highest|lowest|record)\b/.test(r.text) &&
    !/\b(?:months|weeks|days|quarters|years)\b/.test(r.text)
  )
    spec.limit = 1;
  if (r.sortBy) spec.sortBy = r.sortBy;
  if (r.worldCountries.length) notes.push(`${r.worldCountries.join(', ')}: no orders in the data.`);
  if (r.unused.length) notes.push(`Not used: "${r.unused.join('", "')}".`);
  return spec;
}

/** The previous spec with what the follow-up changes. */
function followUp(r: Reading, previous: QuerySpec): Understanding | null {
  const spec: QuerySpec = JSON.parse(JSON.stringify(previous));
  spec.notes = [...r.notes];
  if (r.action === 'more') {
    spec.page = previous.page + 1;
    return { kind: 'followup', spec, action: 'more' };
  }
  if (r.action === 'why' || r.action === 'export') {
    spec.page = previous.page;
    return { kind: 'followup', spec, action: r.action };
  }
  if (r.unknowable) return { kind: 'unsupported', reason: r.unknowable };
  if (r.unknownWord) return { kind: 'unsupported', reason: unknownWordReason(r.unknownWord) };
  if (r.unknownGroup) return { kind: 'unsupported', reason: unknownGroupReason(r.unknownGroup) };
  if (r.unknownQualifier) return { kind: 'unsupported', reason: unknownQualifierReason(r.unknownQualifier) };
  spec.page = 0;
  // The measure: named anew, or a kind of customer when customers were counted ("only new ones").
  const kind = r.kinds[0] ?? r.customerKind;
  if (r.measure && r.measure !== 'customers') {
    if (
      FLOW_MEASURES.includes(r.measure) &&
      r.only &&
      previous.measure !== 'customers' &&
      r.measure !== 'lostCustomers'
    )
      spec.filters.customerKind = r.measure === 'newCustomers' ? 'new' : 'returning';
    else spec.measure = r.measure;
  } else if (r.measure === 'customers' && !r.sortBy && previous.measure !== 'customers' && !hasQualifier(r)) {
    spec.measure = 'customers';
  }
  if (kind && previous.measure === 'customers' && (kind === 'new' || kind === 'returning'))
    spec.measure = kind === 'new' ? 'newCustomers' : 'returningCustomers';
  else if (kind) spec.filters.customerKind = kind;
  if (r.sortBy) spec.sortBy = r.sortBy;
  // The dimension and shape.
  const dimension = r.dimension === 'auto' ? granularity(r.periods[0] ?? previous.period) : r.dimension;
  if (dimension) {
    spec.dimension = dimension;
    // Broken down by what was a filter ("segments in Germany" after "only champions"): all its
    // groups are wanted now, unless the message names some.
    if (dimension === 'segment' && !r.segments.length) delete spec.filters.segments;
    if (dimension === 'country' && !r.countries.length) delete spec.filters.countries;
    if (dimension === 'stage' && !r.stages.length) delete spec.filters.stages;
    if (dimension === 'product' && !r.products.length) delete spec.filters.products;
    delete spec.comparison;
    spec.shape = isTimeDimension(dimension) ? 'trend' : r.ranking || r.limit ? 'ranking' : 'breakdown';
    if (!isTimeDimension(dimension) && !r.limit && spec.shape !== 'ranking') delete spec.limit;
  }
  if (r.limit) {
    spec.limit = r.limit;
    if (spec.dimension && !isTimeDimension(spec.dimension)) spec.shape = 'ranking';
  }
  if (r.ranking && r.ascending) spec.order = 'asc';
  // The period.
  const base =
    previous.period ?? (previous.comparison?.by === 'period' ? previous.comparison.periods[0] : undefined);
  let newPeriod = r.periods[0];
  if (!newPeriod && r.relative && base)
    newPeriod = r.relative === 'previous' ? previousPeriod(base) : yearEarlier(base);
  if (r.periods.length >= 2) {
    spec.comparison = { by: 'period', periods: r.periods };
    delete spec.period;
  } else if (newPeriod && r.comparisonCue && base) {
    spec.comparison = { by: 'period', periods: [base, newPeriod] };
    delete spec.period;
  } else if (newPeriod) {
    spec.period = {
      from: newPeriod.from,
      to: newPeriod.to,
      ...(newPeriod.text ? { text: newPeriod.text } : {}),
    };
    if (spec.comparison?.by === 'period') delete spec.comparison;
  }
  if (r.allTime) {
    delete spec.period;
    if (spec.comparison?.by === 'period') delete spec.comparison;
  }
  // Who: countries, segments, stages, products.
  mergeMembers(spec, 'country', r.countries, r, previous.filters.countries);
  if (r.excludeCountries.length) spec.filters.excludeCountries = [...r.excludeCountries];
  if (r.everywhere) {
    delete spec.filters.countries;
    delete spec.filters.excludeCountries;
  }
  mergeMembers(spec, 'segment', r.segments, r, previous.filters.segments);
  if (r.stages.length)
    spec.filters.stages = r.also ? union(previous.filters.stages, r.stages) : [...r.stages];
  mergeMembers(spec, 'product', r.products, r, previous.filters.products);
  if (r.productWords.length) spec.filters.productWords = [...r.productWords];
  if (r.everyone) {
    delete spec.filters.segments;
    delete spec.filters.stages;
    delete spec.filters.customerKind;
  }
  if (r.orderValue) spec.filters.orderValue = r.orderValue;
  if (r.customerSpend) spec.filters.customerSpend = r.customerSpend;
  if (spec.comparison && spec.shape !== 'comparison') spec.shape = 'comparison';
  if (!spec.comparison && spec.shape === 'comparison')
    spec.shape = spec.dimension ? (isTimeDimension(spec.dimension) ? 'trend' : 'breakdown') : 'figure';
  if (r.worldCountries.length) spec.notes.push(`${r.worldCountries.join(', ')}: no orders in the data.`);
  if (r.unused.length) spec.notes.push(`Not used: "${r.unused.join('", "')}".`);
  if (
    JSON.stringify({ ...spec, notes: [] }) === JSON.stringify({ ...previous, notes: [], page: 0 }) &&
    !r.sortBy &&
    !r.measure
  )
    return null;
  return validate(spec, 'followup');
}

function union<T>(a: T[] | undefined, b: T[]): T[] {
  return [...new Set([...(a ?? []), ...b])];
}

function mergeMembers(
  spec: QuerySpec,
  by: 'country' | 'segment' | 'product',
  found: string[] | ProductRef[],
  r: Reading,
  before: string[] | ProductRef[] | undefined,
): void {
  if (!found.length) return;
  const key = by === 'country' ? 'countries' : by === 'segment' ? 'segments' : 'products';
  const previousMembers =
    spec.comparison?.by === by ? (spec.comparison.members as Array<string | ProductRef>) : (before ?? []);
  if (r.comparisonCue && previousMembers.length && found.length === 1) {
    spec.comparison = { by, members: [previousMembers[0], found[0]] } as Comparison;
    delete spec.filters[key];
    spec.shape = 'comparison';
    return;
  }
  if (found.length >= 2 && spec.dimension !== by) {
    spec.comparison = { by, members: found } as Comparison;
    delete spec.filters[key];
    spec.shape = 'comparison';
    return;
  }
  if (spec.comparison?.by === by) delete spec.comparison;
  const merged = r.also ? [...((before as Array<string | ProductRef>) ?? []), ...found] : [...found];
  (spec.filters as Record<string, unknown>)[key] = merged;
}
