/**
 * RFM scores 1-5 by quantiles and named segments.
 *
 * Scores: each customer's percentile rank among all customers (ties share the average rank) is
 * cut into fifths: score = ceil(5 x midrank / n). Recency is reversed (more recent = 5). Ties
 * matter because most customers buy once: all one-off customers get the same F score.
 *
 * Segments: the classic RFM map on R and FM, where FM = round((F + M) / 2) so that a big spender
 * with few orders is not thrown in with small one-off buyers. Rules are tried in order and the
 * first match wins; pass your own list to change it (e.g. from a JSON file).
 *
 *   Champions            R 5     FM 4-5   bought recently, buy often and spend the most
 *   Loyal                R 3-4   FM 4-5   buy regularly and spend well
 *   Potential loyalists  R 4-5   FM 2-3   recent customers with average frequency
 *   New                  R 5     FM 1     bought very recently for the first time(s)
 *   Promising            R 4     FM 1     recent small buyers
 *   Need attention       R 3     FM 3     above average, but not recent
 *   About to sleep       R 3     FM 1-2   below average and slipping away
 *   Can't lose them      R 1-2   FM 5     used to buy often and a lot, long gone
 *   At risk              R 1-2   FM 3-4   spent well, long ago
 *   Lost                 R 1     FM 1     lowest on every count
 *   Hibernating          R 1-2   FM 1-2   low spenders, long ago
 */

export interface RfmInput {
  customerId: number;
  recencyDays: number;
  frequency: number;
  monetary: number;
}

export interface RfmScore {
  customerId: number;
  r: number;
  f: number;
  m: number;
  /** e.g. '545' */
  score: string;
  segment: string;
}

export interface SegmentRule {
  name: string;
  /** Inclusive ranges on the R score and the FM score. */
  r: [number, number];
  fm: [number, number];
}

export const DEFAULT_SEGMENT_RULES: SegmentRule[] = [
  { name: 'Champions', r: [5, 5], fm: [4, 5] },
  { name: 'Loyal', r: [3, 4], fm: [4, 5] },
  { name: 'Potential loyalists', r: [4, 5], fm: [2, 3] },
  { name: 'New', r: [5, 5], fm: [1, 1] },
  { name: 'Promising', r: [4, 4], fm: [1, 1] },
  { name: 'Need attention', r: [3, 3], fm: [3, 3] },
  { name: 'About to sleep', r: [3, 3], fm: [1, 2] },
  { name: "Can't lose them", r: [1, 2], fm: [5, 5] },
  { name: 'At risk', r: [1, 2], fm: [3, 4] },
  { name: 'Lost', r: [1, 1], fm: [1, 1] },
  { name: 'Hibernating', r: [1, 2], fm: [1, 2] },
];

/** Quantile scores 1..5 of `values` (higher value = higher score), ties sharing their midrank. */
export function quantileScores(values: number[], bins = 5): number[] {
  const n = values.length;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
  const scores = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const midrank = (i + j) / 2 + 1;
    const score = Math.min(bins, Math.max(1, Math.ceil((bins * midrank) / n)));
    for (let k = i; k <= j; k++) scores[order[k]] = score;
    i = j + 1;
  }
  return scores;
}

export function segmentFor(
  r: number,
  f: number,
  m: number,
  rules: SegmentRule[] = DEFAULT_SEGMENT_RULES,
): string {
  const fm = Math.round((f + m) / 2);
  for (const rule of rules) {
    if (r >= rule.r[0] && r <= rule.r[1] && fm >= rule.fm[0] && fm <= rule.fm[1]) return rule.name;
  }
  return 'Other';
}

export function scoreRfm(customers: RfmInput[], rules: SegmentRule[] = DEFAULT_SEGMENT_RULES): RfmScore[] {
  const r = quantileScores(customers.map((c) => -c.recencyDays));
  const f = quantileScores(customers.map((c) => c.frequency));
  const m = quantileScores(customers.map((c) => c.monetary));
  return customers.map((c, i) => ({
    customerId: c.customerId,
    r: r[i],
    f: f[i],
    m: m[i],
    score: `${r[i]}${f[i]}${m[i]}`,
    segment: segmentFor(r[i], f[i], m[i], rules),
  }));
}
