/**
 * Customer clusters: k-means on standardised log recency, frequency and monetary value, with each
 * cluster described in words from its centroid ("frequent high spenders, bought recently").
 */
import type { CustomerFacts } from '../features/customerFacts';
import { chooseK, fitKMeans, nearest, type KSelection } from '../kmeans/kmeans';

export interface ClusterModel {
  kind: 'rfm-clusters';
  features: ['logRecency', 'logFrequency', 'logMonetary'];
  mean: number[];
  std: number[];
  centroids: number[][];
  descriptions: string[];
  selection: KSelection | null;
  seed: number;
}

function raw(f: Pick<CustomerFacts, 'recencyDays' | 'frequency' | 'monetary'>): number[] {
  return [Math.log1p(f.recencyDays), Math.log1p(f.frequency), Math.log1p(f.monetary)];
}

/** Words for a centroid in standardised units (0 = the average customer). */
export function describeCentroid(z: number[]): string {
  const [r, f, m] = z;
  const often = f > 0.5 ? 'frequent' : f < -0.5 ? 'one-off' : 'occasional';
  const spend = m > 0.5 ? 'high spenders' : m < -0.5 ? 'low spenders' : 'average spenders';
  const when = r < -0.5 ? 'bought recently' : r > 0.5 ? 'not seen for a long time' : 'bought a while ago';
  return `${often} ${spend}, ${when}`;
}

export interface ClusterOptions {
  /** Fixed k; otherwise chosen by silhouette in [minK, maxK]. */
  k?: number;
  minK?: number;
  maxK?: number;
  seed?: number;
}

export function fitClusters(facts: CustomerFacts[], options: ClusterOptions = {}): ClusterModel {
  const seed = options.seed ?? 42;
  const rows = facts.map(raw);
  const d = 3;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j] / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2 / rows.length;
  const sd = std.map((s) => (s > 1e-12 ? Math.sqrt(s) : 1));
  const points = rows.map((r) => r.map((v, j) => (v - mean[j]) / sd[j]));
  const selection = options.k ? null : chooseK(points, options.minK ?? 2, options.maxK ?? 8, seed);
  const k = options.k ?? selection!.k;
  const model = fitKMeans(points, k, seed);
  // Order clusters by value (monetary centroid, highest first) so that ids read the same across runs.
  const centroids = model.centroids.slice().sort((a, b) => b[2] - a[2]);
  return {
    kind: 'rfm-clusters',
    features: ['logRecency', 'logFrequency', 'logMonetary'],
    mean,
    std: sd,
    centroids,
    descriptions: centroids.map(describeCentroid),
    selection,
    seed,
  };
}

export function assignCluster(
  model: ClusterModel,
  f: Pick<CustomerFacts, 'recencyDays' | 'frequency' | 'monetary'>,
): number {
  const z = raw(f).map((v, j) => (v - model.mean[j]) / model.std[j]);
  return nearest(model.centroids, z);
}
