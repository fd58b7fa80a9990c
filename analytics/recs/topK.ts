/**
 * Top-k selection over a score array without sorting everything: a size-k min-heap.
 * Ties break towards the lower index so results are deterministic.
 */
export function topK(
  scores: ArrayLike<number>,
  k: number,
  accept: (index: number) => boolean = () => true,
  candidates?: ArrayLike<number>,
  candidateCount?: number,
): number[] {
  const heapIdx = new Int32Array(Math.max(k, 1));
  const heapVal = new Float64Array(Math.max(k, 1));
  let size = 0;
  // "a is worse than b": lower score, or equal score and higher index.
  const worse = (ia: number, va: number, ib: number, vb: number) => va < vb || (va === vb && ia > ib);
  const consider = (i: number) => {
    const v = scores[i];
    if (Number.isNaN(v)) return;
    // The filter (price, country, already bought) is asked only about items that would enter.
    if (size >= k && !(k > 0 && worse(heapIdx[0], heapVal[0], i, v))) return;
    if (!accept(i)) return;
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(i, v, heapIdx[p], heapVal[p])) break;
        heapIdx[c] = heapIdx[p];
        heapVal[c] = heapVal[p];
        c = p;
      }
      heapIdx[c] = i;
      heapVal[c] = v;
    } else if (k > 0 && worse(heapIdx[0], heapVal[0], i, v)) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= size) break;
        const r = l + 1;
        const m = r < size && worse(heapIdx[r], heapVal[r], heapIdx[l], heapVal[l]) ? r : l;
        if (!worse(heapIdx[m], heapVal[m], i, v)) break;
        heapIdx[c] = heapIdx[m];
        heapVal[c] = heapVal[m];
        c = m;
      }
      heapIdx[c] = i;
      heapVal[c] = v;
    }
  };
  if (candidates) {
    const n = candidateCount ?? candidates.length;
    for (let c = 0; c < n; c++) consider(candidates[c]);
  } else {
    for (let i = 0; i < scores.length; i++) consider(i);
  }
  const out = Array.from(heapIdx.subarray(0, size));
  out.sort((a, b) => scores[b] - scores[a] || a - b);
  return out;
}
