/**
 * Scheduled jobs on demand, the outbox, campaign outcomes and the hand-off queue:
 *   retain jobs run winback|welcome|nightly [--as-of DATE] [--dry-run] --json
 *   retain outbox [--status S] [--campaign ID] [--limit N] --json
 *   retain campaigns list|show ID [--chart FILE.png] --json
 *   retain handoffs [--all] --json
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import {
  CliError,
  config,
  parseDateOption,
  parseNumberOption,
  printJson,
  withApp,
  withDatabase,
  withDbOption,
  type DbOption,
} from '../context';
import { JOB_NAMES, outboxListing, runJob, type JobName } from '../../jobs';
import type { OutboxStatus } from '../../data/repositories/outbox';
import { campaignOutcomeReport } from '../../reports/builders/campaigns';
import { renderChartPng } from '../../reports/chart';
import { resolveUserPath } from '../../lib/paths';

const OUTBOX_STATUSES: OutboxStatus[] = ['queued', 'sending', 'sent', 'failed', 'skipped', 'dead'];

function print(value: unknown, json?: boolean): void {
  // Every one of these is a structured report; without --json it is still printed readably.
  if (json) printJson(value);
  else process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('scheduled jobs: run one now');
  withDbOption(
    jobs
      .command('run <job>')
      .description(
        `run a job once now: ${JOB_NAMES.join(', ')} (a dry run shows who would get what, and why others are skipped)`,
      )
      .option(
        '--as-of <date>',
        'the job\'s "now" (replays a day of historical data)',
        parseDateOption('as-of'),
      )
      .option('--dry-run', 'queue nothing, import nothing: report what would happen')
      .option('--json', 'print JSON'),
  ).action(async (job: string, opts: DbOption & { asOf?: Date; dryRun?: boolean; json?: boolean }) => {
    if (!(JOB_NAMES as readonly string[]).includes(job)) {
      throw new CliError(`unknown job '${job}': use one of ${JOB_NAMES.join(', ')}`, 2);
    }
    const c = config();
    const report = await withDatabase(opts, (store) =>
      runJob(store, job as JobName, {
        asOf: opts.asOf,
        dryRun: opts.dryRun,
        config: c.jobs,
        modelsDir: c.modelsDir,
        importTimeZone: c.importTimeZone,
      }),
    );
    print(report, opts.json);
  });

  withDbOption(
    program
      .command('outbox')
      .description(
        'messages the jobs queued, and what became of each (queued, sent, skipped with a reason, ...)',
      )
      .option('--status <status>', `only this status: ${OUTBOX_STATUSES.join(', ')}`)
      .option('--campaign <id>', 'only this campaign', parseNumberOption('campaign', 1))
      .option('--limit <n>', 'at most this many messages', parseNumberOption('limit', 1), 50)
      .option('--json', 'print JSON'),
  ).action(async (opts: DbOption & { status?: string; campaign?: number; limit: number; json?: boolean }) => {
    if (opts.status && !OUTBOX_STATUSES.includes(opts.status as OutboxStatus)) {
      throw new CliError(`--status must be one of ${OUTBOX_STATUSES.join(', ')}`, 2);
    }
    const listing = await withDatabase(opts, (store) =>
      outboxListing(store, {
        status: opts.status as OutboxStatus | undefined,
        campaignId: opts.campaign,
        limit: opts.limit,
      }),
    );
    print(listing, opts.json);
  });

  const campaigns = program
    .command('campaigns')
    .description('campaigns and their outcomes (uplift against the control group)');
  withDbOption(
    campaigns
      .command('list')
      .description('every campaign, newest first, with outcomes')
      .option('--json', 'print JSON'),
  ).action(async (opts: DbOption & { json?: boolean }) => {
    print(await withApp(opts, (app) => app.campaigns.list()), opts.json);
  });
  withDbOption(
    campaigns
      .command('show <id>')
      .description(
        'one campaign: sent, delivered, converted, revenue for treated and control; uplift with its 95% interval; ' +
          'for campaigns targeted by uplift, the Qini curve of the targeting',
      )
      .option(
        '--chart <file>',
        "also write the campaign's chart as PNG (the Qini curve for campaigns targeted by uplift, else the uplift interval)",
      )
      .option('--json', 'print JSON'),
  ).action(async (id: string, opts: DbOption & { json?: boolean; chart?: string }) => {
    if (!/^\d+$/.test(id)) throw new CliError(`campaign id '${id}' is not a number`, 2);
    const report = await withApp(opts, (app) => app.campaigns.report(Number(id)));
    if (!report) throw new CliError(`no campaign ${id}`, 1);
    // The chart spec the chat shows with this campaign (rendered by reports/chart.ts).
    const chart = campaignOutcomeReport(report).chart ?? null;
    if (opts.chart) {
      if (!chart) throw new CliError(`campaign ${id} has no chart yet (no members in both groups)`, 1);
      fs.writeFileSync(resolveUserPath(opts.chart), (await renderChartPng(chart)).png);
    }
    print({ ...report, chart }, opts.json);
  });

  withDbOption(
    program
      .command('handoffs')
      .description('customers who asked for a person in chat')
      .option('--all', 'closed ones too')
      .option('--close <id>', 'mark one as handled', parseNumberOption('close', 1))
      .option('--json', 'print JSON'),
  ).action(async (opts: DbOption & { all?: boolean; close?: number; json?: boolean }) => {
    const result = await withDatabase(opts, (store) => {
      const repo = store.handoffs;
      if (opts.close !== undefined && !repo.close(opts.close))
        throw new CliError(`no open hand-off ${opts.close}`, 1);
      return repo.list(opts.all ? null : 'open', 200);
    });
    print(result, opts.json);
  });
}
