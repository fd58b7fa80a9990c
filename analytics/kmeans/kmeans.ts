/**
 * k-means with seeded k-means++ initialisation (deterministic for a seed), k chosen by the mean
 * silhouette over a range. To keep cost linear in the number of customers, k is chosen on a
 * seeded sample (silhouette is quadratic); the final model is fitted on everyone.
 */
import { seededRandom, shuffled } from '../../lib/random';

export interface KMeansModel {
  kind: 'kmeans';
  k: number;
  centroids: number[][];
  /** Within-cluster sum of squares on the fitted points. */
  inertia: number;
  iterations: number;
}

function dist2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

export function nearest(centroids: number[][], p: ArrayLike<number>): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = dist2(centroids[c], p);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

function kmeansPlusPlus(points: number[][], k: number, random: () => number): number[][] {
  const centroids = [points[Math.floor(random() * points.length)].slice()];
  const d = points.map((p) => dist2(p, centroids[0]));
  while (centroids.length < k) {
    const total = d.reduce((a, b) => a + b, 0);
    let pick = 0;
    if (total > 0) {
      let target = random() * total;
      for (pick = 0; pick < points.length - 1; pick++) {
        target -= d[pick];
        if (target <= 0) break;
      }
    } else {
      pick = Math.floor(random() * points.length);
    }
    centroids.push(points[pick].slice());
    for (let i = 0; i < points.length; i++)
      d[i] = Math.min(d[i], dist2(points[i], centroids[centroids.length - 1]));
  }
  return centroids;
}

/** Lloyd's algorithm from `initialisations` k-means++ starts; the lowest inertia wins. */
export function fitKMeans(
  points: number[][],
  k: number,
  seed = 42,
  initialisations = 3,
  maxIterations = 100,
): KMeansModel {
  if (points.length < k) throw new Error(`k-means needs at least k = ${k} points, got ${points.length}`);
  const random = seededRandom(seed);
  const dims = points[0].length;
  let best: KMeansModel | undefined;
  for (let init = 0; init < initialisations; init++) {
    let centroids = kmeansPlusPlus(points, k, random);
    const assignment = new Int32Array(points.length).fill(-1);
    let iterations = 0;
    for (; iterations < maxIterations; iterations++) {
      let changed = 0;
      for (let i = 0; i < points.length; i++) {
        const c = nearest(centroids, points[i]);
        if (c !== assignment[i]) {
          assignment[i] = c;
          changed++;
        }
      }
      const sums = Array.from({ length: k }, () => new Array<number>(dims).fill(0));
      const counts = new Array<number>(k).fill(0);
      for (let i = 0; i < points.length; i++) {
        counts[assignment[i]]++;
        for (let j = 0; j < dims; j++) sums[assignment[i]][j] += points[i][j];
      }
      // An emptied cluster keeps its old centroid rather than collapsing to NaN.
      centroids = sums.map((s, c) => (counts[c] ? s.map((v) => v / counts[c]) : centroids[c]));
      if (changed === 0) break;
    }
    let inertia = 0;
    for (let i = 0; i < points.length; i++) inertia += dist2(points[i], centroids[assignment[i]]);
    if (!best || inertia < best.inertia) best = { kind: 'kmeans', k, centroids, inertia, iterations };
  }
  return best!;
}

/** Mean silhouette of an assignment (quadratic: use on samples). */
export function silhouette(points: number[][], assignment: ArrayLike<number>, k: number): number {
  const n = points.length;
  let total = 0;
  const sums = new Array<number>(k);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) counts[assignment[i]]++;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[assignment[j]] += Math.sqrt(dist2(points[i], points[j]));
    const own = assignment[i];
    if (counts[own] <= 1) continue; // silhouette of a singleton is 0
    const a = sums[own] / (counts[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c] > 0) b = Math.min(b, sums[c] / counts[c]);
    if (Number.isFinite(b)) total += (b - a) / Math.max(a, b);
  }
  return total / n;
}

export interface KSelection {
  k: number;
  silhouettes: { k: number; silhouette: number }[];
}

/** Chooses k in [minK, maxK] by the mean silhouette on a seeded sample of at most `sampleSize` points. */
export function chooseK(points: number[][], minK = 2, maxK = 8, seed = 42, sampleSize = 1500): KSelection {
  const sample =
    points.length > sampleSize ? shuffled(points, seededRandom(seed)).slice(0, sampleSize) : points;
  const silhouettes: KSelection['silhouettes'] = [];
  for (let k = minK; k <= Math.min(maxK, sample.length - 1); k++) {
    const model = fitKMeans(sample, k, seed);
    const assignment = sample.map((p) => nearest(model.centroids, p));
    silhouettes.push({ k, silhouette: silhouette(sample, assignment, k) });
  }
  if (silhouettes.length === 0) throw new Error('too few customers to cluster');
  const best = silhouettes.reduce((a, b) => (b.silhouette > a.silhouette ? b : a));
  return { k: best.k, silhouettes };
}
