/**
 * Top-k ranking metrics for "which new products will this customer buy": each customer counts
 * once; the truth is a set of products, the prediction a ranked list.
 */
export interface RankingMetrics {
  'hitRate@10': number;
  'precision@10': number;
  'recall@10': number;
  'ndcg@10': number;
  customers: number;
}

export class RankingAccumulator {
  private hits = 0;
  private precision = 0;
  private recall = 0;
  private ndcg = 0;
  private n = 0;

  constructor(private readonly k = 10) {}

  add(ranked: ArrayLike<number>, truth: ReadonlySet<number>): void {
    if (truth.size === 0) return;
    let found = 0;
    let dcg = 0;
    const n = Math.min(this.k, ranked.length);
    for (let r = 0; r < n; r++) {
      if (truth.has(ranked[r])) {
        found++;
        dcg += 1 / Math.log2(r + 2);
      }
    }
    let ideal = 0;
    for (let r = 0; r < Math.min(this.k, truth.size); r++) ideal += 1 / Math.log2(r + 2);
    this.n++;
    if (found > 0) this.hits++;
    this.precision += found / this.k;
    this.recall += found / truth.size;
    this.ndcg += dcg / ideal;
  }

  result(): RankingMetrics {
    const d = Math.max(1, this.n);
    const round = (x: number) => Math.round((x / d) * 1e6) / 1e6;
    return {
      'hitRate@10': round(this.hits),
      'precision@10': round(this.precision),
      'recall@10': round(this.recall),
      'ndcg@10': round(this.ndcg),
      customers: this.n,
    };
  }
}
