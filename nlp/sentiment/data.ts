/** Reads labelled sentences: `sentence<TAB>label` per line (UCI format; label 1/0 or positive/negative). */
import fs from 'node:fs';
import { projectPath } from '../../lib/paths';
import type { LabelledSentence } from './model';

export const SENTIMENT_DATA_DIR = projectPath('..', 'shared', 'data', 'sentiment-labelled-sentences');

export function parseLabel(raw: string): 0 | 1 | undefined {
  const v = raw.trim().toLowerCase();
  if (['1', 'pos', 'positive', '+'].includes(v)) return 1;
  if (['0', 'neg', 'negative', '-', '-1'].includes(v)) return 0;
  return undefined;
}

/** Splits on "\n" only (the files hold U+0085) and never treats quotes specially. */
export function readLabelledSentences(file: string): LabelledSentence[] {
  const out: LabelledSentence[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const tab = line.lastIndexOf('\t');
    if (tab < 0) continue;
    const label = parseLabel(line.slice(tab + 1));
    if (label === undefined) continue;
    out.push({ text: line.slice(0, tab).trim(), label });
  }
  return out;
}

/** The UCI review file of `name` in ../shared/data (the source of the shipped sentiment model). */
export function reviewCorpusFile(name: 'amazon' | 'yelp'): string {
  return `${SENTIMENT_DATA_DIR}/${name === 'amazon' ? 'amazon_cells_labelled.txt' : 'yelp_labelled.txt'}`;
}

export function reviewCorpus(name: 'amazon' | 'yelp'): LabelledSentence[] {
  const full = reviewCorpusFile(name);
  if (!fs.existsSync(full)) {
    throw new Error(
      `sentiment training data not found (${full}); put a trained sentiment.json/.bin in the models directory instead`,
    );
  }
  return readLabelledSentences(full);
}
