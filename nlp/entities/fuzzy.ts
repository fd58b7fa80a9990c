/** Typo-tolerant word comparison for gazetteer and catalogue matching. */

/** Optimal string alignment distance (Levenshtein + adjacent transpositions), capped. */
export function editDistance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > cap) return cap + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j];
    prev = cur;
  }
  return prev[b.length];
}

/** Edits a word of this length may carry and still count as the same word. */
export function allowedEdits(word: string): number {
  return word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0;
}

/** 1 for an exact match, 0.8 within the allowed typos, else 0. */
export function wordSimilarity(typed: string, known: string): number {
  if (typed === known) return 1;
  // Plurals and simple inflections: "bags" ~ "bag", "holders" ~ "holder".
  if (typed.replace(/e?s$/, '') === known.replace(/e?s$/, '')) return 0.95;
  const edits = Math.min(allowedEdits(typed), allowedEdits(known));
  return edits > 0 && editDistance(typed, known, edits) <= edits ? 0.8 : 0;
}
