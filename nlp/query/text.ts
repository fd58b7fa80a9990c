/**
 * A question as the grammar reads it: lower case, without accents, apostrophes or punctuation
 * that carries no meaning, with thousands separators removed, and with misspelt grammar words
 * put right ("revnue" -> "revenue", "febuary" -> "february"). Words the shop's data uses
 * (countries, segments, product names) are never "corrected": their own matching is fuzzy.
 */
import { editDistance } from '../entities/fuzzy';
import { isEnglishWord } from '../text/englishWords';

export function normalise(raw: string): string {
  return (
    raw
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[\u2018\u2019\u02bc`´]/g, "'")
      .replace(/[\u201c\u201d"]/g, ' ')
      .replace(/&/g, ' and ')
      // Possessives go ("june's" -> "june"); contractions join ("what's" -> "whats", "can't" -> "cant").
      .replace(/\b(what|that|it|there|here|who|how|let|where)'s\b/g, '$1s')
      // "May's figures" is the month, where a bare "may" may be the verb.
      .replace(/\bmay's\b/g, 'in may')
      .replace(/([a-z])'s\b/g, '$1')
      .replace(/'/g, '')
      .replace(/(\d),(\d{3})\b/g, '$1$2')
      .replace(/(\d)k\b/g, '$1000')
      .replace(/%/g, ' percent ')
      .replace(/([a-z])\/([a-z])/g, '$1 / $2')
      .replace(/[?!,;:()[\]{}*]/g, ' ')
      // Full stops end words, decimal points do not.
      .replace(/\.(?!\d)/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/\b[a-z]+\b/g, (w) => ABBREVIATIONS[w] ?? w)
  );
}

/** Short forms marketers type in chat. */
const ABBREVIATIONS: Record<string, string> = {
  yr: 'year',
  yrs: 'years',
  mth: 'month',
  mths: 'months',
  mo: 'month',
  mos: 'months',
  wk: 'week',
  wks: 'weeks',
  qtr: 'quarter',
  qtrs: 'quarters',
  rev: 'revenue',
  num: 'number',
  prev: 'previous',
  yday: 'yesterday',
  tmrw: 'tomorrow',
};

/**
 * Words of the grammar that are worth correcting when misspelt (words of three letters or fewer
 * are left alone: too many words are one letter apart).
 */
const TARGETS = [
  'many',
  'much',
  'revenue',
  'revenues',
  'sales',
  'turnover',
  'takings',
  'income',
  'order',
  'orders',
  'ordered',
  'invoices',
  'transactions',
  'purchases',
  'purchased',
  'customers',
  'customer',
  'buyers',
  'shoppers',
  'clients',
  'units',
  'items',
  'quantity',
  'pieces',
  'average',
  'value',
  'basket',
  'baskets',
  'repeat',
  'returning',
  'return',
  'returns',
  'returned',
  'cancellation',
  'cancellations',
  'cancelled',
  'refunds',
  'churn',
  'lifetime',
  'probability',
  'retention',
  'country',
  'countries',
  'segment',
  'segments',
  'stage',
  'stages',
  'lifecycle',
  'product',
  'products',
  'monthly',
  'weekly',
  'daily',
  'quarterly',
  'month',
  'months',
  'weeks',
  'quarter',
  'quarters',
  'years',
  'year',
  'week',
  'rate',
  'yesterday',
  'today',
  'january',
  'february',
  'march',
  'april',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
  'between',
  'since',
  'compared',
  'compare',
  'versus',
  'breakdown',
  'trend',
  'selling',
  'sellers',
  'biggest',
  'highest',
  'lowest',
  'number',
  'total',
  'percentage',
  'spend',
  'spent',
  'previous',
  'excluding',
  'except',
  'without',
  'acquired',
  'existing',
  'checkouts',
  'guests',
];

const TARGET_SET = new Set(TARGETS);

export interface Correction {
  typed: string;
  meant: string;
}

/**
 * Replaces misspelt grammar words. A word is corrected only when it is unknown (not a grammar
 * word, not a word of the shop's vocabulary, not an English word: "state" is not "stage", "send"
 * not "spend"), one grammar word is nearest, and the distance is
 * within its budget: a swap of two letters for 4-letter words, one edit up to 7 letters, two from 8.
 */
export function correctSpelling(
  text: string,
  known: (word: string) => boolean,
): { text: string; corrections: Correction[] } {
  const corrections: Correction[] = [];
  const out = text.replace(/[a-z]+/g, (word, offset: number) => {
    if (word.length < 4 || word.length > 20 || TARGET_SET.has(word) || known(word)) return word;
    // After "last", "this", "per"... a period is meant, even where the typo is a rare English word ("quater").
    const period = periodTypo(word, text.slice(0, offset));
    if (period) {
      corrections.push({ typed: word, meant: period });
      return period;
    }
    if (isEnglishWord(word)) return word;
    // Another form of a grammar word ("guest", "return") is meant as typed: the patterns know both.
    if (TARGET_SET.has(`${word}s`) || TARGET_SET.has(word.replace(/e?s$/, ''))) return word;
    const budget = word.length >= 8 ? 2 : 1;
    let best: string | undefined;
    let bestDistance = Infinity;
    let tie = false;
    for (const target of TARGETS) {
      if (Math.abs(target.length - word.length) > budget) continue;
      const d = editDistance(word, target, budget);
      if (d > budget) continue;
      // Four-letter words: only two swapped letters ("yaer") or a letter left out ("ordr");
      // a changed letter may well make another word ("near" is not "year").
      if (word.length === 4 && !isSwap(word, target) && target.length !== 5) continue;
      if (d < bestDistance) {
        best = target;
        bestDistance = d;
        tie = false;
      } else if (d === bestDistance && target !== best) {
        tie = true;
      }
    }
    if (!best || tie) return word;
    corrections.push({ typed: word, meant: best });
    return best;
  });
  return { text: out, corrections };
}

const PERIOD_UNITS = ['week', 'weeks', 'month', 'months', 'quarter', 'quarters', 'year', 'years'];

/** A misspelt period unit right after a word that asks for one ("last quater", "per mnth"). */
function periodTypo(word: string, before: string): string | undefined {
  if (PERIOD_UNITS.includes(word) || !/\b(?:last|this|next|previous|past|per|each|every|a)\s+$/.test(before))
    return undefined;
  const near = PERIOD_UNITS.filter((u) => isSwap(word, u) || editDistance(word, u, 1) <= 1);
  return near.length === 1 ? near[0] : undefined;
}

/** Two neighbouring letters typed the other way round ("spian", "yaer"). */
export function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  return (
    diff.length === 2 && diff[1] === diff[0] + 1 && a[diff[0]] === b[diff[1]] && a[diff[1]] === b[diff[0]]
  );
}
