/** Loads retain's own intent set (nlp/data/intents.json): `{ intent: [utterance, ...] }`. */
import fs from 'node:fs';
import { projectPath } from '../../lib/paths';
import type { LabelledText } from './classifier';

export const OWN_INTENTS_FILE = projectPath('nlp', 'data', 'intents.json');
export const OUT_OF_SCOPE = 'out_of_scope';

/** Keys starting with "_" are comments. Duplicate utterances are kept once. */
export function readIntentSet(file = OWN_INTENTS_FILE): LabelledText[] {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const out: LabelledText[] = [];
  const seen = new Set<string>();
  for (const [intent, examples] of Object.entries(json)) {
    if (intent.startsWith('_')) continue;
    if (!Array.isArray(examples) || examples.some((e) => typeof e !== 'string')) {
      throw new Error(`${file}: "${intent}" must be a list of strings`);
    }
    for (const text of examples as string[]) {
      const key = text.trim().toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ text, intent });
    }
  }
  return out;
}
