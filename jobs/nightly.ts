/**
 * The nightly job: import order files dropped in a folder (if configured), retrain the models
 * when the data changed, rescore customers and record stage changes (trainAndStore does both),
 * and refresh the recommender. The win-back job acts on the stage changes afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../data/store';
import { importOrders, type ImportSummary } from '../data/import/importOrders';
import { defaultAsOfFor, trainAndStore } from '../analytics/training';
import { loadOrTrainRecsModel, RECS_MODEL_NAME } from '../analytics/recs';

export interface NightlyOptions {
  dropFolder?: string;
  importTimeZone: string;
  modelsDir: string;
  /** Train as of this date (default: the day after the newest order). */
  asOf?: Date;
  dryRun?: boolean;
}

export interface NightlyReport {
  job: 'nightly';
  dryRun: boolean;
  imported: Array<Pick<ImportSummary, 'file' | 'rowsRead' | 'imported' | 'created'>>;
  /** Files that would be imported (dry run) or that failed. */
  pending: string[];
  errors: string[];
  retrained: boolean;
  reason: string;
  scoresAsOf: string | null;
  stageChanges: number | null;
  recsTrained: boolean;
}

const ORDER_FILE = /\.csv(\.gz)?$/i;

export async function runNightlyJob(store: Store, options: NightlyOptions): Promise<NightlyReport> {
  const dryRun = options.dryRun ?? false;
  const report: NightlyReport = {
    job: 'nightly',
    dryRun,
    imported: [],
    pending: [],
    errors: [],
    retrained: false,
    reason: '',
    scoresAsOf: null,
    stageChanges: null,
    recsTrained: false,
  };
  if (options.dropFolder && fs.existsSync(options.dropFolder)) {
    const done = path.join(options.dropFolder, 'imported');
    const files = fs
      .readdirSync(options.dropFolder)
      .filter((f) => ORDER_FILE.test(f))
      .sort();
    for (const name of files) {
      const file = path.join(options.dropFolder, name);
      if (dryRun) {
        report.pending.push(file);
        continue;
      }
      try {
        const s = await importOrders(store, file, { timeZone: options.importTimeZone, actor: 'job:nightly' });
        report.imported.push({
          file: s.file,
          rowsRead: s.rowsRead,
          imported: s.imported,
          created: s.created,
        });
        // Imports are idempotent, but moving the file keeps tomorrow's run from reading it again.
        fs.mkdirSync(done, { recursive: true });
        fs.renameSync(file, path.join(done, name));
      } catch (error) {
        report.errors.push(`${file}: ${(error as Error).message}`);
        report.pending.push(file);
      }
    }
  }

  if (store.orders.dataExtent().lastOrderAt === null) {
    report.reason =
      dryRun && report.pending.length ? 'orders would be imported first' : 'no orders imported yet';
    return report;
  }
  const runs = store.runs;
  const asOf = options.asOf ?? defaultAsOfFor(store);
  const lastChurn = runs.latest('churn');
  const lastRecs = runs.latest(RECS_MODEL_NAME);
  const fingerprint = store.recsData.dataFingerprint();
  if (!lastChurn) report.reason = 'no models trained yet';
  else if (lastChurn.asOf !== asOf.toISOString())
    report.reason = `scores are as of ${lastChurn.asOf}, data now as of ${asOf.toISOString()}`;
  else if (lastRecs && lastRecs.dataFingerprint !== fingerprint)
    report.reason = 'new orders since the last training';
  else report.reason = 'data unchanged since the last training';
  const retrain = report.reason !== 'data unchanged since the last training';
  if (retrain && !dryRun) {
    const { summary } = await trainAndStore(store, { asOf });
    report.retrained = true;
    report.scoresAsOf = summary.asOf;
    report.stageChanges = summary.stageChanges;
    report.recsTrained = loadOrTrainRecsModel(store, { modelsDir: options.modelsDir }).trained;
  } else {
    report.scoresAsOf = lastChurn?.asOf ?? null;
  }
  return report;
}
