/**
 * What the recommendation models are trained on. Plain data, built by data/repositories/recsData.ts
 * from the database (or by tests and benchmarks directly); the models never read SQLite.
 */

// The records are defined where they are read (data/ feeds analytics/, never the reverse).
export type { Purchase, CatalogueItem, TrainingData } from '../../data/repositories/recsData';

export const DAY_MS = 86_400_000;
