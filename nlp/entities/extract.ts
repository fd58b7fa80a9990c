/**
 * Entity extraction for the dialogs. Everything the data knows (segment names, countries,
 * customer ids, the product catalogue) comes in as a Gazetteer built by the caller from the
 * repositories; this module never reads the database. Rules are deterministic so that a
 * marketer's "since March" always means the same thing.
 */
import { extractDateRanges } from './dates';
import { ProductCatalogue, type CatalogueProduct } from './catalogue';
import { wordSimilarity } from './fuzzy';

export interface Gazetteer {
  segments?: string[];
  countries?: string[];
  /** Known customer ids (as text: "12346"). */
  customerIds?: Iterable<string | number>;
  products?: CatalogueProduct[];
}

interface Span {
  /** The matched text as typed (lower-cased). */
  text: string;
  start: number;
  end: number;
}

export type Entity =
  | (Span & { type: 'segment'; value: string })
  | (Span & { type: 'country'; value: string })
  | (Span & { type: 'customerId'; value: string })
  | (Span & { type: 'invoice'; value: string })
  | (Span & { type: 'dateRange'; from: string; to: string })
  | (Span & {
      type: 'money';
      amount: number;
      currency?: 'GBP' | 'USD' | 'EUR';
      bound?: 'max' | 'min' | 'about';
    })
  | (Span & { type: 'percent'; value: number })
  | { type: 'product'; code: string; name: string; score: number; by: 'sku' | 'name' };

/** Common ways of naming a country, used only when the canonical name is in the gazetteer. */
const COUNTRY_ALIASES: Record<string, string[]> = {
  'United Kingdom': ['uk', 'u k', 'britain', 'great britain', 'england', 'gb'],
  EIRE: ['ireland', 'eire', 'republic of ireland'],
  USA: ['us', 'america', 'united states', 'usa'],
  Netherlands: ['holland', 'the netherlands', 'netherlands'],
  'Channel Islands': ['channel islands', 'jersey', 'guernsey'],
  RSA: ['south africa'],
};

/** Built once per gazetteer: the catalogue index is worth keeping between messages. */
export class EntityExtractor {
  private readonly catalogue?: ProductCatalogue;
  private readonly customerIds: Set<string>;
  private readonly phrases: { words: string[]; type: 'segment' | 'country'; value: string }[] = [];

  constructor(gazetteer: Gazetteer = {}) {
    this.customerIds = new Set([...(gazetteer.customerIds ?? [])].map(String));
    if (gazetteer.products?.length) this.catalogue = new ProductCatalogue(gazetteer.products);
    for (const s of gazetteer.segments ?? []) this.addPhrase(s, 'segment', s);
    for (const c of gazetteer.countries ?? []) {
      this.addPhrase(c, 'country', c);
      for (const alias of COUNTRY_ALIASES[c] ?? []) this.addPhrase(alias, 'country', c);
    }
    // Longer phrases first, so "at risk" is not read inside "cannot lose them at risk".
    this.phrases.sort((a, b) => b.words.length - a.words.length);
  }

  private addPhrase(text: string, type: 'segment' | 'country', value: string): void {
    const words = phraseWords(text);
    if (words.length) this.phrases.push({ words, type, value });
  }

  extract(text: string, referenceDate: Date): Entity[] {
    const lower = text.toLowerCase().replace(/[\u2018\u2019]/g, "'");
    const entities: Entity[] = [];
    const taken: [number, number][] = [];
    const free = (s: number, e: number) => !taken.some(([a, b]) => s < b && e > a);
    const push = (e: Entity & Span) => {
      entities.push(e);
      taken.push([e.start, e.end]);
    };

    for (const d of extractDateRanges(lower, referenceDate)) push({ type: 'dateRange', ...d });
    this.ids(lower, free, push);
    moneyAndPercent(lower, free, push);
    this.gazetteerPhrases(lower, free, push);
    // Spans in reading order; products (matched on the whole message) last, best first.
    entities.sort((a, b) => ('start' in a ? a.start : Infinity) - ('start' in b ? b.start : Infinity));
    if (this.catalogue) {
      for (const p of this.catalogue.match(lower)) entities.push({ type: 'product', ...p });
    }
    return entities;
  }

  /** Invoice numbers (6 digits, optionally "C" for cancellations) and customer ids. */
  private ids(
    lower: string,
    free: (s: number, e: number) => boolean,
    push: (e: Entity & Span) => void,
  ): void {
    const re =
      /\b(?:(invoice|order|inv|receipt)\s*(?:no\.?|number|#|id)?\s*#?\s*)?(c?\d{5,7})\b|\b(customer|cust|client|id)\s*(?:no\.?|number|#|id)?\s*#?\s*(\d{4,7})\b/g;
    for (let m = re.exec(lower); m; m = re.exec(lower)) {
      const start = m.index;
      const end = start + m[0].length;
      if (!free(start, end)) continue;
      if (m[4]) {
        push({ type: 'customerId', value: m[4], text: m[0], start, end });
      } else if (m[1] || /^c\d{6}$/.test(m[2]) || (/^5\d{5}$/.test(m[2]) && !this.customerIds.has(m[2]))) {
        push({ type: 'invoice', value: m[2].toUpperCase(), text: m[0], start, end });
      } else if (this.customerIds.has(m[2])) {
        push({ type: 'customerId', value: m[2], text: m[0], start, end });
      }
    }
  }

  private gazetteerPhrases(
    lower: string,
    free: (s: number, e: number) => boolean,
    push: (e: Entity & Span) => void,
  ): void {
    // "can't" is one word, as the gazetteer spells its phrases without apostrophes ("cant lose them").
    const tokens = [...lower.matchAll(/[a-z0-9]+(?:'[a-z]+)*/g)].map((m) => ({
      w: m[0].replace(/'/g, ''),
      start: m.index!,
      end: m.index! + m[0].length,
    }));
    const used = new Set<number>();
    for (const p of this.phrases) {
      for (let i = 0; i + p.words.length <= tokens.length; i++) {
        const window = tokens.slice(i, i + p.words.length);
        if (window.some((_, k) => used.has(i + k))) continue;
        // Short words must match exactly ("uk", "us"); longer ones may carry a typo.
        const ok = window.every((t, k) =>
          p.words[k].length <= 3 ? t.w === p.words[k] : wordSimilarity(t.w, p.words[k]) > 0,
        );
        if (!ok) continue;
        const start = window[0].start;
        const end = window[window.length - 1].end;
        if (!free(start, end)) continue;
        // "us" as a pronoun is far more common than the country: only take it capitalised.
        if (p.words.join(' ') === 'us') continue;
        window.forEach((_, k) => used.add(i + k));
        push({ type: p.type, value: p.value, text: lower.slice(start, end), start, end });
      }
    }
  }
}

function phraseWords(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/'/g, '')
      .match(/[a-z0-9]+/g) ?? []
  );
}

const CURRENCY: Record<string, 'GBP' | 'USD' | 'EUR'> = {
  '£': 'GBP',
  pound: 'GBP',
  pounds: 'GBP',
  quid: 'GBP',
  gbp: 'GBP',
  p: 'GBP',
  $: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  usd: 'USD',
  '€': 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  eur: 'EUR',
};

function boundOf(before: string): 'max' | 'min' | 'about' | undefined {
  if (
    /(under|below|less than|up to|upto|max|maximum|at most|no more than|cheaper than|budget(?: of| is)?|within)\s*$/.test(
      before,
    )
  )
    return 'max';
  if (/(over|above|more than|at least|min|minimum|from)\s*$/.test(before)) return 'min';
  if (/(around|about|roughly|approx|approximately|~)\s*$/.test(before)) return 'about';
  return undefined;
}

/** Money ("under £20", "50 quid", "budget 30") and percentages ("10% off", "5 percent"). */
function moneyAndPercent(
  lower: string,
  free: (s: number, e: number) => boolean,
  push: (e: Entity & Span) => void,
): void {
  const pct = /(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b|pct\b)/g;
  for (let m = pct.exec(lower); m; m = pct.exec(lower)) {
    const start = m.index;
    const end = start + m[0].length;
    if (free(start, end)) push({ type: 'percent', value: Number(m[1]), text: m[0], start, end });
  }
  const money =
    /([£$€])\s*(\d+(?:[.,]\d{1,2})?)|(\d+(?:\.\d{1,2})?)\s*(pounds?|quid|gbp|dollars?|usd|euros?|eur)\b|(\d+(?:\.\d{1,2})?)(?![\d%])/g;
  for (let m = money.exec(lower); m; m = money.exec(lower)) {
    const start = m.index;
    const end = start + m[0].length;
    if (!free(start, end)) continue;
    const before = lower.slice(Math.max(0, start - 20), start);
    const bound = boundOf(before);
    if (m[1])
      push({
        type: 'money',
        amount: Number(m[2].replace(',', '.')),
        currency: CURRENCY[m[1]],
        bound,
        text: m[0],
        start,
        end,
      });
    else if (m[3])
      push({ type: 'money', amount: Number(m[3]), currency: CURRENCY[m[4]], bound, text: m[0], start, end });
    // A bare number is money only after a bound word ("gift under 30", "budget 50").
    else if (
      m[5] &&
      bound &&
      !/^\s*(days?|weeks?|months?|years?|customers?|items?|products?|orders?)\b/.test(lower.slice(end))
    ) {
      push({ type: 'money', amount: Number(m[5]), bound, text: m[0], start, end });
    }
  }
}
