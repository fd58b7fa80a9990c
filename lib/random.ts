/** Seeded pseudo-random numbers (mulberry32): the same seed gives the same models and splits. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle, in place; returns the same array. */
export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  return shuffleInPlace(items.slice(), random);
}

/** A stable 32-bit hash of an integer with a seed, to split customers reproducibly. */
export function hashInt(value: number, seed: number): number {
  let h = (Math.imul(value ^ seed, 0x9e3779b1) ^ 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * At most `max` items, a seeded random sample when there are more. Population-level models
 * (BG/NBD, Gamma-Gamma) are fitted on such a sample: a few thousand customers pin down four
 * parameters, and fitting cost stays flat as the shop grows.
 */
export function sampleAtMost<T>(items: readonly T[], max: number, seed = 42): T[] {
  return items.length <= max ? items.slice() : shuffled(items, seededRandom(seed)).slice(0, max);
}
