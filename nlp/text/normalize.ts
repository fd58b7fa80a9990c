/**
 * Text normalisation shared by every nlp model: chat messages arrive mixed-case, with curly
 * quotes, accents, contractions and missing apostrophes ("dont", "cant"). Everything that
 * learns from text sees it through these functions, so training and prediction agree.
 */
import { porterStemmer } from './natural';

const CONTRACTIONS: [RegExp, string][] = [
  [/\bwon'?t\b/g, 'will not'],
  [/\bcan'?t\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bshan'?t\b/g, 'shall not'],
  [/\b(do|does|did|is|are|was|were|has|have|had|would|should|could|must|need|ai)n'?t\b/g, '$1 not'],
  [/n't\b/g, ' not'],
  [/'m\b/g, ' am'],
  [/'re\b/g, ' are'],
  [/'ll\b/g, ' will'],
  [/'ve\b/g, ' have'],
  [/'d\b/g, ' would'],
  [/'s\b/g, ''],
];

/** Lower-cases, strips accents, unifies quotes and expands contractions. */
export function normalizeText(text: string): string {
  let t = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u201c\u201d]/g, '"');
  for (const [pattern, replacement] of CONTRACTIONS) t = t.replace(pattern, replacement);
  return t;
}

const TOKEN = /[a-z]+|\d+(?:[.,]\d+)*|[£$€%?!]/g;

/** Word tokens of normalised text: letter runs, numbers, currency/percent signs, ? and !. */
export function tokenize(text: string): string[] {
  return normalizeText(text).match(TOKEN) ?? [];
}

const stemCache = new Map<string, string>();

/** Porter stem (natural), memoised: the same few thousand words recur in every message. */
export function stem(token: string): string {
  let s = stemCache.get(token);
  if (s === undefined) {
    s = /^[a-z]+$/.test(token) ? porterStemmer().stem(token) : token;
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(token, s);
  }
  return s;
}

/** Replaces digits by a shape so that "536365" and "581234" look alike to a model. */
export function numberShape(token: string): string {
  return /\d/.test(token) ? `#${Math.min(token.replace(/\D/g, '').length, 8)}` : token;
}
