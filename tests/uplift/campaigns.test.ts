/**
 * Uplift targeting in a shop, end to end through the real repositories and jobs: a finished,
 * randomised campaign teaches the uplift model when its attribution window closes (nightly job);
 * a marketer's "customers the offer is likely to change" then reaches the persuadables (known
 * here, the shop is simulated), previewed with the expected extra purchases against churn-risk
 * targeting; the win-back job sends it with a control group; its report carries the Qini curve.
 * Without a usable model, the same request targets by churn risk and says why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/files';
import { runCli } from '../support/cli';
import { ReportService } from '../../services/reports';
import { modelStatusReport } from '../../reports/builders/marketer';
import {
  CAMPAIGN_START,
  closeWindow,
  markAnalyticsCurrent,
  openCampaignShop,
  simulateOutcomes,
  type CampaignShop,
} from './campaignShop';
import { runNightlyJob, type NightlyReport } from '../../jobs/nightly';
import { runWinbackJob } from '../../jobs/campaignJobs';
import { DEFAULT_JOBS_CONFIG } from '../../jobs/config';
import { campaignReport, createCampaign, previewAudience } from '../../services/campaigns';
import { campaignOutcomeReport, campaignPreviewReport } from '../../reports/builders/campaigns';
import { loadShopUplift, trainShopUplift } from '../../analytics/uplift/shopUplift';
import { defaultAsOfFor } from '../../analytics/training';
import { importOrderSpecs } from '../jobs/shop';
import { OUTCOME_RATES } from '../../analytics/uplift/simulate';

const DAY = 86_400_000;

describe('campaigns targeted by uplift', () => {
  const tmp = tempDir();
  let shop: CampaignShop;
  const nightly = (): Promise<NightlyReport> =>
    runNightlyJob(shop.store, { importTimeZone: 'UTC', modelsDir: path.join(tmp.dir, 'models') });
  const afterWindow = new Date(CAMPAIGN_START.getTime() + 34 * DAY);
  const offer = { percentOff: 10 };

  const dbFile = path.join(tmp.dir, 'uplift.db');
  beforeAll(async () => {
    shop = await openCampaignShop(tmp.dir, 'uplift.db', {
      customers: 2400,
      fresh: 1200,
      windowClosed: false,
    });
  }, 60_000);
  afterAll(() => {
    shop.store.close();
    tmp.cleanup();
  });

  it('before a campaign window closes there is nothing to learn: churn-risk targeting, and why', async () => {
    const report = await nightly();
    expect(report.retrained).toBe(false); // the analytics are current
    expect(report.uplift).toEqual({
      retrained: false,
      reason: 'no campaign attribution window has closed yet',
    });
    const preview = previewAudience(shop.store, { targeting: 'uplift' }, { now: afterWindow, offer });
    expect(preview.targeting).toEqual({
      method: 'churn risk',
      reason: expect.stringMatching(/no campaign has finished yet/),
    });
    expect(preview.audience).toEqual({ minChurnProbability: 0.5 });
    expect(preview.samples.every((s) => s.churnProbability >= 0.5)).toBe(true);
    const card = campaignPreviewReport(preview.audience, offer, 0.1, preview);
    expect(card.facts).toContainEqual({
      label: 'Targeting',
      value: expect.stringMatching(/^by churn risk instead of by uplift: no campaign has finished yet/),
    });
  });

  it('the nightly job retrains once the window has closed, and only then', async () => {
    await closeWindow(shop.store, tmp.dir, shop.customers[0].id);
    markAnalyticsCurrent(shop.store);
    const first = await nightly();
    expect(first.uplift).toMatchObject({
      retrained: true,
      reason: `attribution windows closed in campaign #${shop.campaignId}`,
      usable: true,
      usableReason: expect.stringMatching(/better than random/),
      members: 2400,
    });
    const status = modelStatusReport(new ReportService(shop.store).modelStatus());
    expect(status.table!.rows.find((r) => r[0] === 'uplift')?.[3]).toMatch(/^held-out Qini 0\.\d{3}$/);
    const again = await nightly();
    expect(again.uplift).toEqual({
      retrained: false,
      reason: 'no campaign window closed since the last uplift training',
    });
  }, 60_000);

  // Customers who were not in the campaign (in France), so what the campaign did to the others'
  // recent purchases does not blur who they are.
  const french = { targeting: 'uplift' as const, country: 'France' };

  it('reaches the persuadables, and expects more extra purchases than churn-risk targeting', () => {
    const preview = previewAudience(shop.store, french, { now: afterWindow, offer, controlShare: 0.1 });
    expect(preview.targeting).toMatchObject({
      method: 'uplift',
      model: { validationQini: expect.any(Number) },
    });
    expect(preview.audience).toEqual({ ...french, upliftShare: 0.3 });
    expect(preview.matching).toBeGreaterThan(200);
    expect(preview.matching).toBeLessThanOrEqual(Math.ceil(0.3 * 1200));
    const c = preview.comparison!;
    expect(c.messaged).toBe(Math.round(preview.eligible * 0.9));
    expect(c.uplift.estimate).toBeGreaterThan(c.churnRisk.estimate);
    expect(c.difference.low).toBeGreaterThan(0);
    expect(c.uplift.low).toBeLessThan(c.uplift.estimate);
    // Ground truth: the chosen customers are persuadables far more often than the same number of
    // customers with the highest churn risk (mostly lost causes here), or than chance.
    const pool = shop.customers.filter((x) => x.country === 'France');
    const byChurn = [...pool].sort((a, b) => b.churn - a.churn).slice(0, preview.matching);
    const targeted = launchMembers().map((id) => pool.find((x) => x.id === id)!);
    expect(targeted).toHaveLength(preview.matching);
    const persuadable = (cs: typeof pool) => cs.filter((x) => x.type === 'persuadable').length / cs.length;
    expect(persuadable(targeted)).toBeGreaterThan(persuadable(byChurn) + 0.15);
    expect(persuadable(targeted)).toBeGreaterThan(persuadable(pool) + 0.15);
    // And what the offer really does to them (the true effect of each type), against both.
    const effect = (cs: typeof pool) =>
      cs.reduce((sum, x) => sum + OUTCOME_RATES[x.type].treated - OUTCOME_RATES[x.type].control, 0) /
      cs.length;
    expect(effect(targeted)).toBeGreaterThan(effect(byChurn) + 0.08);
    expect(effect(targeted)).toBeGreaterThan(effect(pool) + 0.08);
    expect(preview.samples).toHaveLength(5);
    for (const s of preview.samples) {
      expect(s.uplift).toBeGreaterThan(0);
      expect(s.why).toEqual(expect.any(String));
    }
    const card = campaignPreviewReport(preview.audience, offer, 0.1, preview);
    expect(card.subtitle).toBe('top 30% customers the offer is most likely to change (in France)');
    expect(card.facts!.map((f) => f.label)).toEqual(
      expect.arrayContaining(['Targeting', 'Expected extra purchases', 'Targeting as many by churn risk']),
    );
    expect(card.table!.columns.map((col) => col.header)).toContain('Extra purchase chance');
  });

  /** Who an uplift-targeted campaign would reach now (the win-back job's choice, as a dry run). */
  function launchMembers(): string[] {
    const probe = createCampaign(
      shop.store,
      {
        name: 'probe',
        kind: 'manual',
        audience: french,
        offer,
        controlShare: 0,
        createdBy: 'test',
        scheduledAt: afterWindow,
      },
      afterWindow,
    );
    const run = runWinbackJob(shop.store, {
      now: afterWindow,
      dryRun: true,
      config: DEFAULT_JOBS_CONFIG,
      detailLimit: 10_000,
    });
    shop.store.campaigns.setStatus(probe.id, 'cancelled', afterWindow);
    return run.campaigns.find((r) => r.campaignId === probe.id)!.items.map((i) => i.customer);
  }

  it('launches with a control group, keeps each member’s predicted uplift, and reports the Qini curve', async () => {
    const preview = previewAudience(
      shop.store,
      { targeting: 'uplift' },
      { now: afterWindow, offer, controlShare: 0.5 },
    );
    const campaign = createCampaign(
      shop.store,
      {
        name: 'Uplift win-back',
        kind: 'winback',
        audience: preview.audience,
        offer,
        controlShare: 0.5,
        createdBy: 'test',
        scheduledAt: afterWindow,
      },
      afterWindow,
    );
    const job = runWinbackJob(shop.store, { now: afterWindow, config: DEFAULT_JOBS_CONFIG });
    const run = job.campaigns.find((r) => r.campaignId === campaign.id)!;
    expect(run.queued + run.control).toBe(preview.eligible);
    expect(run.control).toBeGreaterThan(0.4 * preview.eligible);
    const members = shop.store.campaigns.memberships(campaign.id);
    expect(members).toHaveLength(preview.eligible);
    expect(members.every((m) => typeof m.predictedUplift === 'number')).toBe(true);

    // While the window is open the report says the curve is provisional.
    const early = campaignReport(shop.store, campaign.id, new Date(afterWindow.getTime() + DAY))!;
    expect(early.qini).toMatchObject({ members: preview.eligible, provisional: true });

    await simulateOutcomes(shop, tmp.dir, campaign.id, afterWindow);
    const later = new Date(afterWindow.getTime() + 40 * DAY);
    const outcome = campaignReport(shop.store, campaign.id, later)!;
    expect(outcome.qini).toMatchObject({ members: preview.eligible, provisional: false });
    expect(outcome.qini!.coefficient).toEqual(expect.any(Number));
    expect(outcome.qini!.curve).toHaveLength(21);
    const end = outcome.qini!.curve[20];
    expect(end.model).toBeCloseTo(end.random, 9);
    // The chosen customers respond (about 0.25 truly; the measured figure carries sampling noise).
    expect(outcome.uplift.uplift).toBeGreaterThan(0.08);
    const card = campaignOutcomeReport(outcome);
    expect(card.chart).toMatchObject({
      kind: 'lines',
      series: [{ name: 'Ranked by predicted uplift' }, { name: 'Random order' }],
    });
    expect(card.facts!.map((f) => f.label)).toContain('Qini coefficient of the targeting');

    // The command line shows the same, and draws the chart.
    const png = path.join(tmp.dir, 'qini.png');
    const cli = await runCli([
      'campaigns',
      'show',
      String(campaign.id),
      '--chart',
      png,
      '--json',
      '--db',
      dbFile,
    ]);
    expect(cli.code).toBe(0);
    const shown = JSON.parse(cli.stdout);
    expect(shown.qini).toMatchObject({ members: preview.eligible, provisional: false });
    expect(shown.chart).toMatchObject({ kind: 'lines', title: expect.stringMatching(/^Qini curve/) });
    expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');

    // Once its window has closed, the nightly job learns from this campaign too, and the offer
    // history (who bought after the first campaign's offer) is now a feature that varies.
    await importOrderSpecs(shop.store, tmp.dir, [
      { order: 'after-second', customer: shop.customers[1].id, at: '2026-05-10 10:00' },
    ]);
    markAnalyticsCurrent(shop.store);
    const next = await nightly();
    expect(next.uplift).toMatchObject({
      retrained: true,
      reason: `attribution windows closed in campaign #${campaign.id}`,
      members: 2400 + preview.eligible,
    });
    const model = loadShopUplift(shop.store)!.model!;
    expect(model.std[model.features.indexOf('logPastOffers')]).toBeGreaterThan(0);
  }, 90_000);

  it('a model that is not usable is not used: churn risk, and the reason, in its place', async () => {
    const small = await openCampaignShop(tmp.dir, 'small.db', { customers: 160, seed: 3 });
    try {
      const { stored } = await trainShopUplift(small.store, { asOf: defaultAsOfFor(small.store) });
      expect(stored.usable).toBe(false);
      const preview = previewAudience(
        small.store,
        { targeting: 'uplift', country: 'United Kingdom' },
        { now: afterWindow, offer },
      );
      expect(preview.targeting).toEqual({
        method: 'churn risk',
        reason: expect.stringMatching(
          /^the uplift model is not usable yet: only \d+ treated and \d+ control customers/,
        ),
      });
      expect(preview.audience).toEqual({ country: 'United Kingdom', minChurnProbability: 0.5 });
      const churny = small.customers.filter((c) => c.churn >= 0.5).length;
      expect(preview.matching).toBe(churny);
    } finally {
      small.store.close();
    }
  }, 60_000);
});
