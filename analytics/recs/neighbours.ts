/** Fixed-width neighbour lists: row i holds the `neighbours` most similar items of item i (-1 pads). */
export interface NeighbourLists {
  neighbours: number;
  nbrIdx: Int32Array;
  nbrSim: Float32Array;
}

/**
 * Adds sum over the customer's products i of weight(i) * sim(i, j) into `scores`, and records in
 * `source` the product of the history that contributed most to each j (the reason). Serves every
 * neighbourhood model (co-purchase kNN, content similarity).
 */
export function scoreFromNeighbours(
  model: NeighbourLists,
  historyItems: ArrayLike<number>,
  historyWeights: ArrayLike<number>,
  scores: Float64Array,
  source: Int32Array,
  bestContribution: Float64Array,
): void {
  const K = model.neighbours;
  for (let h = 0; h < historyItems.length; h++) {
    const i = historyItems[h];
    const wi = historyWeights[h];
    for (let r = 0; r < K; r++) {
      const j = model.nbrIdx[i * K + r];
      if (j < 0) break;
      const c = wi * model.nbrSim[i * K + r];
      scores[j] += c;
      if (c > bestContribution[j]) {
        bestContribution[j] = c;
        source[j] = i;
      }
    }
  }
}
