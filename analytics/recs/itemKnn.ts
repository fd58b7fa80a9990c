/**
 * Item-item collaborative filtering on implicit feedback: two products are similar when the same
 * customers bought both (cosine over the customer x product matrix). Each product keeps its
 * `neighbours` most similar products, with the numbers a reason needs: how many customers bought
 * both, and how often the two share a basket (lift).
 */
import type { Interactions } from './interactions';
import { topK } from './topK';

export interface ItemKnnOptions {
  neighbours: number;
  /** Use 1 for every purchase instead of the (decayed) weight: the textbook baseline. */
  binary: boolean;
  /** Down-weight customers who bought very many products (wholesalers): 1 / log2(2 + n). */
  damping: boolean;
}

export interface ItemKnnModel {
  neighbours: number;
  nItems: number;
  /** nItems x neighbours, -1 when a product has fewer neighbours. */
  nbrIdx: Int32Array;
  nbrSim: Float32Array;
  /** Customers who bought both products. */
  nbrCoBuyers: Int32Array;
  /** Orders containing both, and the lift of that co-occurrence over independence. */
  nbrBasketCount: Int32Array;
  nbrBasketLift: Float32Array;
}

export function fitItemKnn(m: Interactions, options: ItemKnnOptions): ItemKnnModel {
  const nItems = m.itemSkus.length;
  const nUsers = m.customerIds.length;
  const K = options.neighbours;
  const userFactor = new Float64Array(nUsers);
  for (let u = 0; u < nUsers; u++) {
    const n = m.userPtr[u + 1] - m.userPtr[u];
    userFactor[u] = options.damping ? 1 / Math.log2(2 + n) : 1;
  }
  const w = options.binary ? new Float32Array(m.userWeights.length).fill(1) : m.userWeights;
  const wItem = options.binary ? new Float32Array(m.itemWeights.length).fill(1) : m.itemWeights;
  // Weighted column norms.
  const norm = new Float64Array(nItems);
  for (let u = 0; u < nUsers; u++) {
    for (let a = m.userPtr[u]; a < m.userPtr[u + 1]; a++) norm[m.userItems[a]] += userFactor[u] * w[a] * w[a];
  }
  for (let i = 0; i < nItems; i++) norm[i] = Math.sqrt(norm[i]);

  const nbrIdx = new Int32Array(nItems * K).fill(-1);
  const nbrSim = new Float32Array(nItems * K);
  const nbrCoBuyers = new Int32Array(nItems * K);
  const acc = new Float64Array(nItems);
  const co = new Int32Array(nItems);
  const touched = new Int32Array(nItems);
  const { userPtr, userItems, itemPtr, itemUsers } = m;
  for (let i = 0; i < nItems; i++) {
    let nTouched = 0;
    for (let b = itemPtr[i]; b < itemPtr[i + 1]; b++) {
      const u = itemUsers[b];
      const f = userFactor[u] * wItem[b];
      const end = userPtr[u + 1];
      for (let a = userPtr[u]; a < end; a++) {
        const j = userItems[a];
        if (co[j] === 0) touched[nTouched++] = j;
        acc[j] += f * w[a];
        co[j]++;
      }
    }
    // The product itself was counted with every buyer; it is not its own neighbour.
    acc[i] = NaN;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t];
      if (j !== i) acc[j] = acc[j] / (norm[i] * norm[j]);
    }
    const best = topK(acc, K, undefined, touched, nTouched);
    for (let r = 0; r < best.length; r++) {
      nbrIdx[i * K + r] = best[r];
      nbrSim[i * K + r] = acc[best[r]];
      nbrCoBuyers[i * K + r] = co[best[r]];
    }
    for (let t = 0; t < nTouched; t++) {
      acc[touched[t]] = 0;
      co[touched[t]] = 0;
    }
  }
  const { count, lift } = basketStats(m, nbrIdx, K);
  return { neighbours: K, nItems, nbrIdx, nbrSim, nbrCoBuyers, nbrBasketCount: count, nbrBasketLift: lift };
}

/** For each kept neighbour pair: orders with both products and the lift over independence. */
function basketStats(
  m: Interactions,
  nbrIdx: Int32Array,
  K: number,
): { count: Int32Array; lift: Float32Array } {
  const nItems = m.itemSkus.length;
  const nBaskets = m.basketPtr.length - 1;
  const itemBasketCount = new Int32Array(nItems);
  for (let a = 0; a < m.basketItems.length; a++) itemBasketCount[m.basketItems[a]]++;
  const ptr = new Int32Array(nItems + 1);
  for (let i = 0; i < nItems; i++) ptr[i + 1] = ptr[i] + itemBasketCount[i];
  const fill = ptr.slice(0, nItems);
  const basketsOf = new Int32Array(m.basketItems.length);
  for (let b = 0; b < nBaskets; b++) {
    for (let a = m.basketPtr[b]; a < m.basketPtr[b + 1]; a++) basketsOf[fill[m.basketItems[a]]++] = b;
  }
  const count = new Int32Array(nItems * K);
  const lift = new Float32Array(nItems * K);
  const together = new Int32Array(nItems);
  for (let i = 0; i < nItems; i++) {
    if (nbrIdx[i * K] < 0) continue;
    for (let x = ptr[i]; x < ptr[i + 1]; x++) {
      const b = basketsOf[x];
      for (let a = m.basketPtr[b]; a < m.basketPtr[b + 1]; a++) together[m.basketItems[a]]++;
    }
    for (let r = 0; r < K; r++) {
      const j = nbrIdx[i * K + r];
      if (j < 0) break;
      count[i * K + r] = together[j];
      lift[i * K + r] =
        together[j] > 0 ? (together[j] * nBaskets) / (itemBasketCount[i] * itemBasketCount[j]) : 0;
    }
    for (let x = ptr[i]; x < ptr[i + 1]; x++) {
      const b = basketsOf[x];
      for (let a = m.basketPtr[b]; a < m.basketPtr[b + 1]; a++) together[m.basketItems[a]] = 0;
    }
  }
  return { count, lift };
}
