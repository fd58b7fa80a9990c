/**
 * Content similarity between products from their descriptions: TF-IDF over stemmed words
 * (natural's tokenizer and Porter stemmer), cosine similarity, top neighbours per product.
 * Works for products nobody has bought yet, and answers "something like X".
 */
import type * as NaturalNs from 'natural';

interface TextTools {
  tokenizer: { tokenize(text: string): string[] | null };
  stem(word: string): string;
  stopwords: Set<string>;
}
let tools: TextTools | undefined;

/**
 * natural's word tokenizer, Porter stemmer and English stop words, loaded from their own modules:
 * natural's index also loads its sentiment analyser, whose word list is an ES module that plain
 * require() (and Jest) cannot load, and some of its dependencies print on stdout at load time.
 */
function textTools(): TextTools {
  if (!tools) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { WordTokenizer } = require('natural/lib/natural/tokenizers/regexp_tokenizer') as Pick<
      typeof NaturalNs,
      'WordTokenizer'
    >;
    const porter = require('natural/lib/natural/stemmers/porter_stemmer') as typeof NaturalNs.PorterStemmer;
    const { words } = require('natural/lib/natural/util/stopwords') as { words: string[] };
    /* eslint-enable @typescript-eslint/no-require-imports */
    tools = { tokenizer: new WordTokenizer(), stem: (w) => porter.stem(w), stopwords: new Set(words) };
  }
  return tools;
}

export interface ContentModel {
  neighbours: number;
  nItems: number;
  nbrIdx: Int32Array;
  nbrSim: Float32Array;
}

export interface Term {
  stem: string;
  word: string;
}

/** Terms per description, so explaining a recommendation does not re-stem (a catalogue is small). */
const termCache = new Map<string, Term[]>();

/** Lower-case words of a description, stemmed; numbers, one-letter tokens and stop words dropped. */
export function descriptionTerms(description: string | null | undefined): Term[] {
  if (!description) return [];
  const cached = termCache.get(description);
  if (cached) return cached;
  const terms = computeTerms(description);
  if (termCache.size < 200_000) termCache.set(description, terms);
  return terms;
}

function computeTerms(description: string): Term[] {
  const { tokenizer, stem: stemWord, stopwords: stop } = textTools();
  const out: Term[] = [];
  const seen = new Set<string>();
  for (const raw of tokenizer.tokenize(description.toLowerCase()) ?? []) {
    if (raw.length < 2 || /^\d+$/.test(raw) || stop.has(raw)) continue;
    const stem = stemWord(raw);
    if (seen.has(stem)) continue;
    seen.add(stem);
    out.push({ stem, word: raw });
  }
  return out;
}

export function fitContent(descriptions: Array<string | null>, neighbours: number): ContentModel {
  const nItems = descriptions.length;
  const docs = descriptions.map((d) => descriptionTerms(d).map((t) => t.stem));
  const vocab = new Map<string, number>();
  for (const d of docs) for (const s of d) if (!vocab.has(s)) vocab.set(s, vocab.size);
  const df = new Float64Array(vocab.size);
  for (const d of docs) for (const s of d) df[vocab.get(s)!]++;
  // Smoothed idf (as scikit-learn): terms in every description still count a little.
  const idf = Array.from(df, (x) => Math.log((1 + nItems) / (1 + x)) + 1);
  const vecTerms: Int32Array[] = [];
  const vecVals: Float64Array[] = [];
  const postings: number[][] = Array.from({ length: vocab.size }, () => []);
  docs.forEach((d, i) => {
    const terms = Int32Array.from(d.map((s) => vocab.get(s)!));
    const vals = Float64Array.from(terms, (t) => idf[t]);
    const norm = Math.sqrt(vals.reduce((a, v) => a + v * v, 0)) || 1;
    for (let k = 0; k < vals.length; k++) vals[k] /= norm;
    vecTerms.push(terms);
    vecVals.push(vals);
    for (const t of terms) postings[t].push(i);
  });
  const valueOf = (i: number, t: number) => vecVals[i][vecTerms[i].indexOf(t)];
  const K = neighbours;
  const nbrIdx = new Int32Array(nItems * K).fill(-1);
  const nbrSim = new Float32Array(nItems * K);
  const acc = new Float64Array(nItems);
  const touched: number[] = [];
  for (let i = 0; i < nItems; i++) {
    const terms = vecTerms[i];
    for (let k = 0; k < terms.length; k++) {
      const t = terms[k];
      // Words in most descriptions add little to the ranking and cost the most to visit.
      if (postings[t].length > nItems / 2) continue;
      const vi = vecVals[i][k];
      for (const j of postings[t]) {
        if (j === i) continue;
        if (acc[j] === 0) touched.push(j);
        acc[j] += vi * valueOf(j, t);
      }
    }
    touched.sort((a, b) => acc[b] - acc[a] || a - b);
    for (let r = 0; r < Math.min(K, touched.length); r++) {
      nbrIdx[i * K + r] = touched[r];
      nbrSim[i * K + r] = acc[touched[r]];
    }
    for (const j of touched) acc[j] = 0;
    touched.length = 0;
  }
  return { neighbours: K, nItems, nbrIdx, nbrSim };
}

/** Words two descriptions share (as written in the second one), for a reason a person can read. */
export function sharedWords(a: string | null, b: string | null): string[] {
  const stems = new Set(descriptionTerms(a).map((t) => t.stem));
  return descriptionTerms(b)
    .filter((t) => stems.has(t.stem))
    .map((t) => t.word);
}
