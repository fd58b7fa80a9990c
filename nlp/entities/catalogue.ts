/**
 * Fuzzy product matching against the catalogue passed in (no database access here): SKUs by
 * exact code ("85123A"), names by weighted word overlap where each word may carry a typo
 * ("lunch bag retrospot", "jumbo bagg red"). Words that name many products ("bag", "red")
 * weigh less than distinctive ones ("retrospot"), as in IDF.
 */
import { allowedEdits, wordSimilarity } from './fuzzy';

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
  /**
   * Deletion neighbourhoods (SymSpell): every known word under each way of deleting up to its
   * typo budget of letters. Two words within k edits share a k-deletion form, so a typed word is
   * compared with a handful of candidates instead of the whole vocabulary.
   */
  private readonly byDeletion = new Map<string, string[]>();
  /** Known words by their singular ("bags" and "bag" meet under "bag"). */
  private readonly bySingular = new Map<string, string[]>();
  /** What each typed word was found to mean; chat repeats its words, the catalogue does not change. */
  private readonly meanings = new Map<string, Array<[string, number]>>();

  constructor(readonly products: CatalogueProduct[]) {
    this.words = products.map((p) => [...new Set(nameWords(p.name))]);
    products.forEach((p, i) => {
      this.byCode.set(p.code.toLowerCase(), p);
      for (const w of this.words[i]) this.postings.set(w, [...(this.postings.get(w) ?? []), i]);
    });
    for (const [w, list] of this.postings) this.weight.set(w, Math.log(1 + products.length / list.length));
    for (const w of this.postings.keys()) {
      push(this.bySingular, singular(w), w);
      for (const d of deletions(w, allowedEdits(w))) push(this.byDeletion, d, w);
    }
  }

  /** The known words a typed word may mean, with their similarity (see wordSimilarity). */
  private meaningsOf(typed: string): Array<[string, number]> {
    const cached = this.meanings.get(typed);
    if (cached) return cached;
    const candidates = new Set<string>(this.bySingular.get(singular(typed)) ?? []);
    for (const d of deletions(typed, allowedEdits(typed)))
      for (const w of this.byDeletion.get(d) ?? []) candidates.add(w);
    const found: Array<[string, number]> = [];
    for (const v of candidates) {
      const s = wordSimilarity(typed, v);
      if (s > 0) found.push([v, s]);
    }
    if (this.meanings.size >= 50_000) this.meanings.clear();
    this.meanings.set(typed, found);
    return found;
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
      for (const [v, s] of this.meaningsOf(t)) if (s > (credit.get(v) ?? 0)) credit.set(v, s);
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
      // Equal scores: the name that accounts for more of the typed words ("white hanging heart
      // t-light holder" is WHITE HANGING HEART T-LIGHT HOLDER, not HEART T-LIGHT HOLDER), then the shorter.
      .sort(
        (a, b) =>
          b.score - a.score ||
          b.matchedWords - a.matchedWords ||
          this.words[a.i].length - this.words[b.i].length,
      );
    for (const r of ranked) {
      if (out.length >= limit) break;
      const p = this.products[r.i];
      if (out.some((o) => o.code === p.code)) continue;
      out.push({ code: p.code, name: p.name, score: Math.round(r.score * 1000) / 1000, by: 'name' });
    }
    return out.slice(0, limit);
  }
}

function push(index: Map<string, string[]>, key: string, word: string): void {
  const list = index.get(key);
  if (!list) index.set(key, [word]);
  else if (!list.includes(word)) list.push(word);
}

/** The word with a plural ending removed, as wordSimilarity compares inflections. */
function singular(word: string): string {
  return word.replace(/e?s$/, '');
}

/** The word and every form of it with up to `max` letters deleted. */
export function deletions(word: string, max: number): Set<string> {
  const out = new Set([word]);
  let frontier = [word];
  for (let k = 0; k < max; k++) {
    const next: string[] = [];
    for (const w of frontier) {
      for (let i = 0; i < w.length; i++) {
        const d = w.slice(0, i) + w.slice(i + 1);
        if (!out.has(d)) {
          out.add(d);
          next.push(d);
        }
      }
    }
    frontier = next;
  }
  return out;
}
