/**
 * Why a product is recommended, in a sentence a customer understands, with the figures behind it
 * (customers who bought both, orders with both and their lift, shared words, recent buyers), all
 * read from the model so they recompute from the raw orders.
 */
import { sentenceCase } from '../../lib/text';
import { sharedWords } from './content';
import { isTrending } from './popularity';
import type { Component, RecsModel } from './model';

export type ReasonKind = 'boughtWith' | 'customersAlsoBought' | 'similarDescription' | 'popular' | 'trending';

export interface Reason {
  kind: ReasonKind;
  /** A sentence a customer understands. */
  text: string;
  /** The product of the customer's history the reason refers to. */
  sku?: string;
  description?: string | null;
  /** Customers (in training) who bought both products. */
  customersWhoBoughtBoth?: number;
  /** Orders with both products, and lift of that co-occurrence over independence. */
  ordersWithBoth?: number;
  lift?: number;
  sharedWords?: string[];
  /** Distinct customers who bought the product in the popularity window, and the window before. */
  recentBuyers?: number;
  previousBuyers?: number;
  windowDays?: number;
}

/** Position of j among i's item-kNN neighbours, or -1. */
export function knnSlot(model: RecsModel, i: number, j: number): number {
  const K = model.knn.neighbours;
  for (let r = 0; r < K; r++) {
    const x = model.knn.nbrIdx[i * K + r];
    if (x < 0) return -1;
    if (x === j) return i * K + r;
  }
  return -1;
}

/** Lift from which "often bought with" is said rather than "customers who bought X also bought". */
const STRONG_LIFT = 2;
const STRONG_LIFT_MIN_ORDERS = 3;

/**
 * The reason for recommending product j. `forCustomer`: the sources are products the customer
 * bought ("because you bought X"); otherwise j is shown next to product X ("similar products").
 */
export function explain(
  model: RecsModel,
  j: number,
  source: Component,
  knnSource: number,
  contentSource: number,
  forCustomer = true,
): Reason {
  const name = (i: number) => sentenceCase(model.items.descriptions[i] ?? model.items.skus[i]);
  const coPurchase = (): Reason | null => {
    if (knnSource < 0) return null;
    const slot = knnSlot(model, knnSource, j);
    if (slot < 0) return null;
    const base = {
      sku: model.items.skus[knnSource],
      description: model.items.descriptions[knnSource],
      customersWhoBoughtBoth: model.knn.nbrCoBuyers[slot],
      ordersWithBoth: model.knn.nbrBasketCount[slot],
      lift: round(model.knn.nbrBasketLift[slot], 2),
    };
    if (base.lift >= STRONG_LIFT && base.ordersWithBoth >= STRONG_LIFT_MIN_ORDERS) {
      return {
        kind: 'boughtWith',
        text: `often bought together with ${name(knnSource)}`,
        ...base,
      };
    }
    const text = forCustomer
      ? `because you bought ${name(knnSource)}: ${base.customersWhoBoughtBoth} customers bought both`
      : `${base.customersWhoBoughtBoth} customers who bought ${name(knnSource)} also bought it`;
    return { kind: 'customersAlsoBought', text, ...base };
  };
  const similar = (): Reason | null => {
    if (contentSource < 0) return null;
    const words = sharedWords(model.items.descriptions[contentSource], model.items.descriptions[j]);
    if (!words.length) return null;
    return {
      kind: 'similarDescription',
      text: forCustomer
        ? `similar to ${name(contentSource)}, which you bought`
        : `similar to ${name(contentSource)}`,
      sku: model.items.skus[contentSource],
      description: model.items.descriptions[contentSource],
      sharedWords: words,
    };
  };
  const popular = (): Reason => {
    const p = model.popularity;
    const base = { recentBuyers: p.recent[j], previousBuyers: p.previous[j], windowDays: p.windowDays };
    if (isTrending(p, j)) {
      return {
        kind: 'trending',
        text: `trending: ${p.recent[j]} customers bought it in the last ${p.windowDays} days, up from ${p.previous[j]}`,
        ...base,
      };
    }
    return {
      kind: 'popular',
      text: `popular this month: ${p.recent[j]} customers bought it in the last ${p.windowDays} days`,
      ...base,
    };
  };
  // ALS has no single cause; it is explained by the co-purchase evidence that supports it.
  const order: Array<() => Reason | null> =
    source === 'content' ? [similar, coPurchase] : source === 'popularity' ? [] : [coPurchase, similar];
  for (const f of order) {
    const r = f();
    if (r) return r;
  }
  return popular();
}

/** Figures shown to people: rounded so they read (and compare) cleanly. */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
