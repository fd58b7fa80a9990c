/**
 * Lexicon evidence for sentiment: natural's SentimentAnalyzer (AFINN-165, which flips the
 * polarity of words following a negation such as "not" or "never"), plus the SentiCon and
 * Pattern lexicons natural also ships. These scores are both a baseline on their own and dense
 * input features of the learned model, which is what keeps it robust on unseen domains.
 */
import { sentimentAnalyzer, type LexiconAnalyzer } from '../text/natural';
import { normalizeText } from '../text/normalize';

let analyzers: LexiconAnalyzer[] | undefined;

function lexicons(): LexiconAnalyzer[] {
  analyzers ??= [sentimentAnalyzer('afinn'), sentimentAnalyzer('senticon'), sentimentAnalyzer('pattern')];
  return analyzers;
}

/** Plain word tokens of a sentence ("don't" becomes "do not", so negation is seen). */
export function lexiconTokens(text: string): string[] {
  return normalizeText(text).match(/[a-z]+/g) ?? [];
}

/** natural's AFINN score (mean per word, with negation): the lexicon baseline the benchmarks report. */
export function afinnScore(text: string): number {
  const words = lexiconTokens(text);
  return words.length ? lexicons()[0].getSentiment(words) : 0;
}

export const LEXICON_FEATURES = 4;

/**
 * Dense features: AFINN, SentiCon and Pattern mean polarity (scaled to roughly [-1, 1]) and
 * AFINN's summed polarity squashed by tanh (long reviews with one strong word still count).
 */
export function lexiconFeatures(text: string): Float32Array {
  const words = lexiconTokens(text);
  if (words.length === 0) return new Float32Array(LEXICON_FEATURES);
  const [afinn, senticon, pattern] = lexicons().map((a) => a.getSentiment(words));
  return Float32Array.from([afinn, senticon * 4, pattern * 4, Math.tanh((afinn * words.length) / 5)]);
}
