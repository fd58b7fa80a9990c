/**
 * The nightly job: import order files dropped in a folder (if configured), retrain the models
 * when the data changed, rescore customers and record stage changes (trainAndStore does both),
 * and refresh the recommender. The win-back job acts on the stage changes afterwards.
 *
 * It also retrains the uplift model when a campaign's attribution window has closed since the
 * last uplift training: a window is closed when it ends by the data's as-of date (the day after
 * the newest order), so every order it could count has been imported.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../data/store';
import { importOrders, type ImportSummary } from '../data/import/importOrders';
import { defaultAsOfFor, trainAndStore } from '../analytics/training';
import { loadOrTrainRecsModel, RECS_MODEL_NAME } from '../analytics/recs';
import {
  closedMemberships,
  fingerprintOf,
  membershipCounts,
  trainShopUplift,
  UPLIFT_MODEL_NAME,
} from '../analytics/uplift/shopUplift';

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
  uplift: UpliftRetrain;
}

export interface UpliftRetrain {
  retrained: boolean;
  /** Why it was (or was not) retrained. */
  reason: string;
  /** After a retrain: whether campaigns may target with it, and why (or why not). */
  usable?: boolean;
  usableReason?: string;
  /** Closed campaign memberships it learned from. */
  members?: number;
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
    uplift: { retrained: false, reason: 'no orders imported yet' },
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
  report.uplift = await retrainUplift(store, asOf, dryRun);
  return report;
}

/** Retrains the uplift model when campaign windows closed since it was last trained. */
async function retrainUplift(store: Store, asOf: Date, dryRun: boolean): Promise<UpliftRetrain> {
  const counts = membershipCounts(closedMemberships(store, asOf));
  const members = Object.values(counts).reduce((a, b) => a + b, 0);
  if (members === 0) return { retrained: false, reason: 'no campaign attribution window has closed yet' };
  const last = store.runs.latest(UPLIFT_MODEL_NAME);
  if (last?.dataFingerprint === fingerprintOf(counts))
    return { retrained: false, reason: 'no campaign window closed since the last uplift training' };
  const before = ((last?.params.stored as { trainedOn?: Record<string, number> } | undefined)?.trainedOn ??
    {}) as Record<string, number>;
  const closed = Object.keys(counts).filter((id) => counts[id] !== before[id]);
  const reason = `attribution windows closed in campaign${closed.length === 1 ? '' : 's'} ${closed.map((id) => `#${id}`).join(', ')}`;
  if (dryRun) return { retrained: false, reason: `${reason} (would retrain)` };
  const { stored, run } = await trainShopUplift(store, { asOf });
  return {
    retrained: true,
    reason,
    usable: stored.usable,
    usableReason: stored.reason,
    members: Number(run.metrics.members ?? 0),
  };
}
