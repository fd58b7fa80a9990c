/**
 * Trains, saves, versions and loads the recommender for a database: the glue between the pure
 * model (model.ts, fitted by train.ts) and the repositories. The model file is kept by the store
 * (store.modelFiles: in the models directory next to a SQLite file, in the database with
 * PostgreSQL, where every instance reads it); its version, parameters, validation metrics and data
 * fingerprint are recorded in model_runs, so a saved model is reused until new orders arrive.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../../data/store';
import { type ModelRun } from '../../data/repositories/modelRuns';
import { fitRecs } from './train';
import { RECS_MODEL_VERSION, type RecsModel, type RecsParams } from './model';
import { deserializeRecsModel, serializeRecsModel } from './serialize';
import { withoutCustomers } from './forget';

export const RECS_MODEL_NAME = 'recs';

export interface LoadOptions {
  modelsDir: string;
  /** Train even if a saved model matches the data. */
  retrain?: boolean;
  params?: Partial<RecsParams>;
}

export interface LoadedRecsModel {
  model: RecsModel;
  run: ModelRun;
  /** True when this call trained the model (false: loaded from disk). */
  trained: boolean;
}

/** Loads the latest saved model if it was trained on the current data, else trains and saves one. */
export function loadOrTrainRecsModel(store: Store, options: LoadOptions): LoadedRecsModel {
  const runs = store.runs;
  const data = store.recsData;
  const fingerprint = data.dataFingerprint();
  const latest = runs.latest(RECS_MODEL_NAME);
  if (!options.retrain && latest && latest.dataFingerprint === fingerprint && latest.artifactPath) {
    try {
      const saved = store.modelFiles.read(latest.artifactPath);
      if (saved !== undefined) return { model: deserializeRecsModel(saved), run: latest, trained: false };
    } catch {
      // Unreadable file: fall through and train again.
    }
  }
  const started = Date.now();
  const model = fitRecs(data.trainingData(), options.params);
  const trainingSeconds = (Date.now() - started) / 1000;
  const trainedAt = new Date();
  const stamp = trainedAt.toISOString().replace(/[-:.]/g, '');
  const version = `${RECS_MODEL_VERSION}.${stamp}`;
  const artifactPath = path.join(options.modelsDir, `${version}.json`);
  store.modelFiles.write(artifactPath, serializeRecsModel(model));
  const run = runs.record({
    model: RECS_MODEL_NAME,
    version,
    asOf: new Date(model.asOf),
    trainedAt,
    params: { ...model.params, weights: model.weights } as unknown as Record<string, unknown>,
    metrics: {
      validation: model.validation,
      trainingSeconds,
      customers: model.customers.ids.length,
      products: model.items.skus.length,
    },
    artifactPath,
    dataFingerprint: fingerprint,
  });
  return { model, run, trained: true };
}

/**
 * The latest saved model, whatever data it was trained on (null when none was saved or its file
 * is gone): for commands that answer from the current model and must not train one.
 */
export function loadSavedRecsModel(store: Store): RecsModel | null {
  const latest = store.runs.latest(RECS_MODEL_NAME);
  const saved = latest?.artifactPath ? store.modelFiles.read(latest.artifactPath) : undefined;
  return saved === undefined ? null : deserializeRecsModel(saved);
}

/** Reads a model file written by loadOrTrainRecsModel (for the bot, benchmarks and tests). */
export function readRecsModel(file: string): RecsModel {
  return deserializeRecsModel(fs.readFileSync(file, 'utf8'));
}

/**
 * Erasure: rewrites every saved recommender file that lists one of these customers (the current
 * model and older ones still on disk) without them. The data fingerprint is unchanged, since a
 * forgotten customer's orders stay (unnamed), so no retrain follows. Returns the files rewritten.
 */
export function forgetCustomersInSavedRecsModels(store: Store, externalIds: string[]): string[] {
  if (!externalIds.length) return [];
  const rewritten: string[] = [];
  const files = new Set(
    store.runs
      .list()
      .filter((r) => r.model === RECS_MODEL_NAME && r.artifactPath)
      .map((r) => r.artifactPath as string),
  );
  for (const file of files) {
    const saved = store.modelFiles.read(file);
    if (saved === undefined) continue;
    const cleaned = withoutCustomers(deserializeRecsModel(saved), externalIds);
    if (!cleaned) continue;
    // Replaced whole, so a reader never sees half a model.
    store.modelFiles.write(file, serializeRecsModel(cleaned));
    rewritten.push(file);
  }
  return rewritten;
}
