/**
 * Fuzzy product matching against the catalogue passed in (no database access here): SKUs by
 * exact code ("85123A"), names by weighted word overlap where each word may carry a typo
 * ("lunch bag retrospot", "jumbo bagg red"). Words that name many products ("bag", "red")
 * weigh less than distinctive ones ("retrospot"), as in IDF.
 */
import { wordSimilarity } from './fuzzy';

export interface CatalogueProduct {
  code: string;
  name: string;
}

export interface ProductMatch {
  code: string;
  name: string;
  /** 0..1: share of the product name's (weighted) words found in the message. */
  score: number;
  /** 'sku' when the code itself was typed. */
  by: 'sku' | 'name';
}

const STOP = new Set([
  'the',
  'a',
  'an',
  'of',
  'and',
  'in',
  'with',
  'for',
  'set',
  'to',
  'on',
  'me',
  'my',
  'is',
  'it',
  'i',
  'do',
  'you',
  'have',
]);

export function nameWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => !STOP.has(w) && w.length > 1);
}

export class ProductCatalogue {
  private readonly byCode = new Map<string, CatalogueProduct>();
  private readonly words: string[][];
  private readonly weight = new Map<string, number>();
  /** word -> indexes of products whose names contain it. */
  private readonly postings = new Map<string, number[]>();
  private readonly vocabulary: string[];

  constructor(readonly products: CatalogueProduct[]) {
    this.words = products.map((p) => [...new Set(nameWords(p.name))]);
    products.forEach((p, i) => {
      this.byCode.set(p.code.toLowerCase(), p);
      for (const w of this.words[i]) this.postings.set(w, [...(this.postings.get(w) ?? []), i]);
    });
    for (const [w, list] of this.postings) this.weight.set(w, Math.log(1 + products.length / list.length));
    this.vocabulary = [...this.postings.keys()];
  }

  /** Best product matches of a message, best first (at most `limit`, score >= minScore). */
  match(message: string, opts: { limit?: number; minScore?: number } = {}): ProductMatch[] {
    const limit = opts.limit ?? 3;
    const minScore = opts.minScore ?? 0.6;
    const out: ProductMatch[] = [];
    const single = nameWords(message);
    // Also try adjacent words run together: "cake stand" may be catalogued as "CAKESTAND".
    const typed = [...single, ...single.slice(1).map((w, i) => single[i] + w)];
    for (const w of typed) {
      const p = this.byCode.get(w);
      if (p && /\d/.test(w)) out.push({ code: p.code, name: p.name, score: 1, by: 'sku' });
    }
    // Each typed word maps to the known words it may mean (exact or within its typo budget).
    const credit = new Map<string, number>();
    for (const t of typed) {
      if (/^\d+$/.test(t)) continue;
      for (const v of this.vocabulary) {
        const s = wordSimilarity(t, v);
        if (s > (credit.get(v) ?? 0)) credit.set(v, s);
      }
    }
    const scores = new Map<number, number>();
    for (const [v, s] of credit)
      for (const i of this.postings.get(v) ?? [])
        scores.set(i, (scores.get(i) ?? 0) + s * this.weight.get(v)!);
    const ranked = [...scores.entries()]
      .map(([i, got]) => {
        const total = this.words[i].reduce((sum, w) => sum + this.weight.get(w)!, 0);
        const matchedWords = this.words[i].filter((w) => credit.has(w)).length;
        return { i, score: total > 0 ? got / total : 0, matchedWords };
      })
      // One matched word is enough only for one-word names; otherwise ask for two.
      .filter((r) => r.score >= minScore && r.matchedWords >= Math.min(2, this.words[r.i].length))
      .sort((a, b) => b.score - a.score || this.words[a.i].length - this.words[b.i].length);
    for (const r of ranked) {
      if (out.length >= limit) break;
      const p = this.products[r.i];
      if (out.some((o) => o.code === p.code)) continue;
      out.push({ code: p.code, name: p.name, score: Math.round(r.score * 1000) / 1000, by: 'name' });
    }
    return out.slice(0, limit);
  }
}
