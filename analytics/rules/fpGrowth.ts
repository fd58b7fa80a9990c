/**
 * Frequent itemsets by FP-growth (Han, Pei & Yin 2000). Items are dense integer ids so that the
 * tree stays compact; callers map their own item names to ids (see associationRules.ts).
 */

export interface FrequentItemset {
  /** Item ids in ascending order. */
  items: number[];
  /** Number of transactions that contain every item. */
  count: number;
}

export interface FpGrowthOptions {
  /** Minimum number of transactions an itemset must appear in. */
  minCount: number;
  /** Largest itemset to report (arules' default maxlen is 10). */
  maxLength?: number;
}

interface FpNode {
  item: number;
  count: number;
  parent: FpNode | null;
  children: Map<number, FpNode>;
  /** Next node of the same item (header-table linked list). */
  next: FpNode | null;
}

interface FpTree {
  root: FpNode;
  /** Frequent items of this tree, least frequent first (the mining order). */
  itemsAscending: number[];
  heads: Map<number, FpNode>;
  counts: Map<number, number>;
}

function newNode(item: number, parent: FpNode | null): FpNode {
  return { item, count: 0, parent, children: new Map(), next: null };
}

/**
 * Builds a tree from weighted transactions. Within each transaction items are ordered by global
 * frequency (then id, so the tree and therefore the output order are deterministic).
 */
function buildTree(transactions: Array<{ items: number[]; weight: number }>, minCount: number): FpTree {
  const counts = new Map<number, number>();
  for (const t of transactions) for (const i of t.items) counts.set(i, (counts.get(i) ?? 0) + t.weight);
  for (const [item, c] of counts) if (c < minCount) counts.delete(item);
  const rank = (a: number, b: number) => counts.get(b)! - counts.get(a)! || a - b;
  const root = newNode(-1, null);
  const heads = new Map<number, FpNode>();
  const tails = new Map<number, FpNode>();
  for (const t of transactions) {
    const kept = t.items.filter((i) => counts.has(i)).sort(rank);
    let node = root;
    for (const item of kept) {
      let child = node.children.get(item);
      if (!child) {
        child = newNode(item, node);
        node.children.set(item, child);
        const tail = tails.get(item);
        if (tail) tail.next = child;
        else heads.set(item, child);
        tails.set(item, child);
      }
      child.count += t.weight;
      node = child;
    }
  }
  const itemsAscending = [...counts.keys()].sort((a, b) => rank(b, a));
  return { root, itemsAscending, heads, counts };
}

/** All itemsets with at least `minCount` transactions, each with its exact count. */
export function fpGrowth(transactions: number[][], options: FpGrowthOptions): FrequentItemset[] {
  const maxLength = options.maxLength ?? 10;
  const minCount = Math.max(1, options.minCount);
  const out: FrequentItemset[] = [];
  const tree = buildTree(
    transactions.map((items) => ({ items: [...new Set(items)], weight: 1 })),
    minCount,
  );
  mine(tree, [], minCount, maxLength, out);
  for (const s of out) s.items.sort((a, b) => a - b);
  return out;
}

function mine(
  tree: FpTree,
  suffix: number[],
  minCount: number,
  maxLength: number,
  out: FrequentItemset[],
): void {
  for (const item of tree.itemsAscending) {
    const itemset = [item, ...suffix];
    out.push({ items: itemset, count: tree.counts.get(item)! });
    if (itemset.length >= maxLength) continue;
    // Conditional pattern base: the prefix path of every node of this item, weighted by its count.
    const base: Array<{ items: number[]; weight: number }> = [];
    for (let node = tree.heads.get(item) ?? null; node; node = node.next) {
      const path: number[] = [];
      for (let p = node.parent; p && p.item >= 0; p = p.parent) path.push(p.item);
      if (path.length) base.push({ items: path, weight: node.count });
    }
    if (!base.length) continue;
    const conditional = buildTree(base, minCount);
    if (conditional.itemsAscending.length) mine(conditional, itemset, minCount, maxLength, out);
  }
}
