/**
 * The win-back and welcome jobs. Both choose candidates from the repositories, apply the same
 * suppression rules and go through runCampaign (campaignRun.ts).
 *
 * Win-back, per run:
 *  - the automatic win-back campaign ("Automatic win-back", created on first use): customers who
 *    crossed the churn threshold, or moved into 'at risk' / 'lapsed', between the previous score
 *    run and the latest one (on the very first scoring run every customer above the threshold or
 *    in those stages counts as crossing). Period = the score date, so one message per crossing.
 *  - every marketer campaign of kind winback or manual that is scheduled and due: its audience
 *    filter over the latest scores (or, targeted by uplift, the customers the offer is most likely
 *    to change among them: services/upliftTargeting.ts), once (period 'once'); it is then
 *    marked completed.
 * Welcome: customers whose first purchase was between delay + lookback and delay days ago get a
 * thank-you once (period 'first-purchase'), through "Automatic welcome". The same job nudges
 * one-time buyers towards a second purchase: customers whose only purchase was between
 * afterDays + lookback and afterDays ago get an offer on their second order once (period
 * 'second-purchase'), through "Automatic second-purchase nudge", with its own control group.
 */
import type { Store } from '../data/store';
import { type Campaign, type CampaignKind, type CandidateRow } from '../data/repositories/campaigns';
import { eligibilityCheck } from '../analytics/campaigns/eligibility';
import { campaignMembers } from '../services/upliftTargeting';
import type { JobsConfig } from './config';
import { runCampaign, type CampaignRunContext, type CampaignRunSummary } from './campaignRun';
import { noRecommendations, type Recommender } from './personalise';

export const AUTO_WINBACK_NAME = 'Automatic win-back';
export const AUTO_WELCOME_NAME = 'Automatic welcome';
export const AUTO_SECOND_PURCHASE_NAME = 'Automatic second-purchase nudge';
const WINBACK_STAGES = new Set(['at risk', 'lapsed']);
const DAY_MS = 86_400_000;

export interface JobOptions {
  /** The job's "now" (default: the real time). `--as-of` sets it to replay a day. */
  now?: Date;
  dryRun?: boolean;
  config: JobsConfig;
  recommender?: Recommender;
  /** Per-customer lines in the report (default 200). */
  detailLimit?: number;
}

export interface CampaignJobReport {
  job: 'winback' | 'welcome';
  now: string;
  dryRun: boolean;
  /** Score date used (null: nothing scored yet). */
  scoresAsOf: string | null;
  campaigns: CampaignRunSummary[];
  totals: Pick<
    CampaignRunSummary,
    'candidates' | 'eligible' | 'queued' | 'channels' | 'control' | 'alreadyDone' | 'skipped'
  >;
  notes: string[];
}

/** The automatic campaign of a kind; created (and audited) on first use unless this is a dry run. */
function automaticCampaign(
  store: Store,
  kind: CampaignKind,
  name: string,
  defaults: { audience: Record<string, unknown>; offer: Record<string, unknown> },
  options: JobOptions,
  now: Date,
  /** Dry runs: an id another campaign not written in this run already took. */
  takenId = 0,
): Campaign {
  const repo = store.campaigns;
  const existing = repo.byKindAndName(kind, name);
  if (existing) return existing;
  const draft = {
    name,
    kind,
    status: 'running' as const,
    audience: defaults.audience,
    offer: defaults.offer,
    controlShare: options.config.controlShare,
    attributionDays: options.config.attributionDays,
    scheduledAt: now,
    createdBy: `job:${kind}`,
  };
  if (options.dryRun) {
    // Not written; the id is the one it would get, so the dry run shows the real control split.
    const nextId = Math.max(repo.list()[0]?.id ?? 0, takenId) + 1;
    const at = now.toISOString();
    return { ...draft, id: nextId, scheduledAt: at, createdAt: at, updatedAt: at };
  }
  return store.transaction(() => {
    const c = repo.create(draft, now);
    store.audit.write(`job:${kind}`, 'campaign.create', `campaign:${c.id}`, { name, automatic: true }, now);
    return c;
  });
}

function crossedIntoWinback(c: CandidateRow, threshold: number): boolean {
  const p = c.churnProbability ?? 0;
  const crossedThreshold =
    p >= threshold && (c.previousChurnProbability === null || c.previousChurnProbability < threshold);
  const movedStage =
    c.stage !== null &&
    WINBACK_STAGES.has(c.stage) &&
    (c.previousStage === null || !WINBACK_STAGES.has(c.previousStage));
  return crossedThreshold || movedStage;
}

function totalsOf(runs: CampaignRunSummary[]): CampaignJobReport['totals'] {
  const t = {
    candidates: 0,
    eligible: 0,
    queued: 0,
    channels: { chat: 0, email: 0 },
    control: 0,
    alreadyDone: 0,
    skipped: {} as Record<string, number>,
  };
  for (const r of runs) {
    t.candidates += r.candidates;
    t.eligible += r.eligible;
    t.queued += r.queued;
    t.channels.chat += r.channels.chat;
    t.channels.email += r.channels.email;
    t.control += r.control;
    t.alreadyDone += r.alreadyDone;
    for (const [k, v] of Object.entries(r.skipped)) t.skipped[k] = (t.skipped[k] ?? 0) + v;
  }
  return t;
}

export function runWinbackJob(store: Store, options: JobOptions): CampaignJobReport {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const repo = store.campaigns;
  const asOf = repo.latestScoreDate(now);
  const report = emptyReport('winback', now, dryRun, asOf);
  if (!asOf) {
    report.notes.push('no customer scores yet: run `retain train` (or the nightly job) first');
    return report;
  }
  const ctx = runContext(store, options, now, dryRun);
  const scored = repo.scoredCandidates(asOf);
  const threshold = options.config.winback.churnThreshold;
  const auto = automaticCampaign(
    store,
    'winback',
    AUTO_WINBACK_NAME,
    {
      audience: { minChurnProbability: threshold },
      offer: { percentOff: options.config.winback.percentOff },
    },
    options,
    now,
  );
  runIfRunning(
    report,
    ctx,
    auto,
    () => scored.filter((c) => crossedIntoWinback(c, threshold)),
    asOf.slice(0, 10),
    'automatic win-backs',
  );
  const due = [...repo.due('winback', now), ...repo.due('manual', now)].filter((c) => c.id !== auto.id);
  for (const campaign of due) {
    // Its audience filter, or the customers its offer is most likely to change (uplift targeting).
    const { members, note } = campaignMembers(store, campaign, scored, now);
    if (note) report.notes.push(note);
    report.campaigns.push(runCampaign(ctx, campaign, members, 'once'));
    if (!dryRun) repo.setStatus(campaign.id, 'completed', now);
  }
  report.totals = totalsOf(report.campaigns);
  return report;
}

function emptyReport(
  job: CampaignJobReport['job'],
  now: Date,
  dryRun: boolean,
  scoresAsOf: string | null,
): CampaignJobReport {
  return { job, now: now.toISOString(), dryRun, scoresAsOf, campaigns: [], totals: totalsOf([]), notes: [] };
}

/** Runs an automatic campaign over its candidates, or notes why it did not (paused by a marketer). */
function runIfRunning(
  report: CampaignJobReport,
  ctx: CampaignRunContext,
  campaign: Campaign,
  candidates: () => CandidateRow[],
  period: string,
  sends: string,
): void {
  if (campaign.status === 'running') report.campaigns.push(runCampaign(ctx, campaign, candidates(), period));
  else report.notes.push(`"${campaign.name}" is ${campaign.status}: set it to running to send ${sends}`);
}

/** What a campaign run needs, the same for every job. */
function runContext(store: Store, options: JobOptions, now: Date, dryRun: boolean) {
  return {
    store,
    now,
    dryRun,
    check: eligibilityCheck(store, options.config.suppression, now, options.config.channels),
    recommender: options.recommender ?? noRecommendations,
    detailLimit: options.detailLimit,
  };
}

export function runWelcomeJob(store: Store, options: JobOptions): CampaignJobReport {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const repo = store.campaigns;
  const { delayDays, lookbackDays } = options.config.welcome;
  const window = (afterDays: number) => {
    const before = new Date(now.getTime() - afterDays * DAY_MS);
    return { from: new Date(before.getTime() - lookbackDays * DAY_MS), before };
  };
  const asOf = repo.latestScoreDate(now);
  const report = emptyReport('welcome', now, dryRun, asOf);
  const ctx = runContext(store, options, now, dryRun);

  const welcome = automaticCampaign(
    store,
    'welcome',
    AUTO_WELCOME_NAME,
    { audience: { firstPurchaseDelayDays: delayDays }, offer: {} },
    options,
    now,
  );
  const first = window(delayDays);
  runIfRunning(
    report,
    ctx,
    welcome,
    () => repo.firstPurchasers(first.from, first.before, asOf),
    'first-purchase',
    'welcome messages',
  );

  const { afterDays, percentOff } = options.config.secondPurchase;
  if (afterDays > 0) {
    const nudge = automaticCampaign(
      store,
      'welcome',
      AUTO_SECOND_PURCHASE_NAME,
      { audience: { secondPurchaseAfterDays: afterDays }, offer: percentOff > 0 ? { percentOff } : {} },
      options,
      now,
      welcome.id,
    );
    const only = window(afterDays);
    runIfRunning(
      report,
      ctx,
      nudge,
      () => repo.oneTimeBuyers(only.from, only.before, now, asOf),
      'second-purchase',
      'second-purchase nudges',
    );
  }
  report.totals = totalsOf(report.campaigns);
  return report;
}
