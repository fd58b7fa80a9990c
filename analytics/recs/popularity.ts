/**
 * Popularity and trend: how many distinct customers bought each product in the last window
 * before the end of training, and in the window before that. Used for customers with no
 * history (cold start), as a blend component, and as the baseline every model must beat.
 */
import { DAY_MS, type TrainingData } from './types';

export interface PopularityModel {
  windowDays: number;
  /** Distinct customers who bought the product in [asOf - window, asOf). */
  recent: Int32Array;
  /** Distinct customers in [asOf - 2 window, asOf - window). */
  previous: Int32Array;
  /** Distinct customers over the whole training period (breaks ties among recent counts). */
  allTime: Int32Array;
}

export function fitPopularity(
  data: TrainingData,
  itemIndex: Map<string, number>,
  windowDays: number,
): PopularityModel {
  const n = itemIndex.size;
  const recentStart = data.asOf - windowDays * DAY_MS;
  const previousStart = data.asOf - 2 * windowDays * DAY_MS;
  const sets = { recent: new Set<string>(), previous: new Set<string>(), allTime: new Set<string>() };
  for (const p of data.purchases) {
    if (p.customer === null || p.quantity <= 0 || p.at >= data.asOf) continue;
    const i = itemIndex.get(p.sku);
    if (i === undefined) continue;
    const key = `${i}\u0000${p.customer}`;
    sets.allTime.add(key);
    if (p.at >= recentStart) sets.recent.add(key);
    else if (p.at >= previousStart) sets.previous.add(key);
  }
  const count = (s: Set<string>) => {
    const out = new Int32Array(n);
    for (const key of s) out[Number(key.slice(0, key.indexOf('\u0000')))]++;
    return out;
  };
  return {
    windowDays,
    recent: count(sets.recent),
    previous: count(sets.previous),
    allTime: count(sets.allTime),
  };
}

/** Recent buyers, with all-time buyers as a small tie-breaker (never outranks one more recent buyer). */
export function popularityScores(model: PopularityModel, out: Float64Array): void {
  let maxAll = 1;
  for (let i = 0; i < model.allTime.length; i++) if (model.allTime[i] > maxAll) maxAll = model.allTime[i];
  for (let i = 0; i < out.length; i++) out[i] = model.recent[i] + (0.5 * model.allTime[i]) / (maxAll + 1);
}

/** A product is "trending" when its recent buyers clearly outnumber the window before. */
export function isTrending(model: PopularityModel, i: number): boolean {
  return model.recent[i] >= 10 && model.recent[i] >= 2 * Math.max(1, model.previous[i]);
}
