/**
 * How each customer is reached: a recent chat conversation on a channel that can message first,
 * else email with consent, else not at all with the reason. The same choice in a job's dry run,
 * in the marketer's preview (by chat, by email, why not) and in `retain jobs run --dry-run`.
 */
import type { Store } from '../../data/store';
import { runWinbackJob } from '../../jobs/campaignJobs';
import { campaignReport, previewAudience } from '../../services/campaigns';
import { campaignOutcomeReport, campaignPreviewReport } from '../../reports/builders/campaigns';
import { tempDir } from '../support/files';
import { runCli } from '../support/cli';
import { connect } from '../jobs/shop';
import { dbPath, emailShop, jobsConfig, NOW, type CustomerSpec } from './emailShop';

const DAY = 86_400_000;

const CUSTOMERS: CustomerSpec[] = [
  { id: 'chat', email: 'chat@example.com', consent: 'yes' }, // chat and email: chat first
  { id: 'prefers-email', email: 'pe@example.com', consent: 'yes', preferred: 'email' },
  { id: 'email', email: 'email@example.com', consent: 'yes' },
  { id: 'stale-chat', email: 'stale@example.com', consent: 'yes' }, // chat unused for a year
  { id: 'emulator', email: 'emu@example.com', consent: 'yes' }, // chat cannot message first
  { id: 'no-consent', email: 'nc@example.com', consent: 'no' },
  { id: 'unasked', email: 'unasked@example.com' }, // consent never recorded
  { id: 'unasked-chat' }, // chat allows unknown consent, email does not
  { id: 'bounced', email: 'bounced@example.com', consent: 'yes' },
  { id: 'nothing' },
];

describe('choosing the channel for each customer', () => {
  const tmp = tempDir();
  let store: Store;
  afterAll(() => tmp.cleanup());
  beforeAll(async () => {
    store = await emailShop(tmp.dir, CUSTOMERS);
    const recent = new Date(NOW.getTime() - 3 * DAY);
    connect(store, 'chat', 'http://127.0.0.1:9', { channelId: 'msteams', at: recent });
    connect(store, 'prefers-email', 'http://127.0.0.1:9', { channelId: 'msteams', at: recent });
    connect(store, 'stale-chat', 'http://127.0.0.1:9', {
      channelId: 'slack',
      at: new Date(NOW.getTime() - 365 * DAY),
    });
    connect(store, 'emulator', 'http://127.0.0.1:9', { channelId: 'emulator', at: recent });
    connect(store, 'unasked-chat', 'http://127.0.0.1:9', { channelId: 'webchat', at: recent });
    store.contacts.suppress('bounced@example.com', 'bounced', '550 5.1.1 no such user', NOW);
  });
  afterAll(() => store.close());

  const fates = (config = jobsConfig()) => {
    const report = runWinbackJob(store, { now: NOW, config, dryRun: true });
    return Object.fromEntries(
      report.campaigns[0].items.map((i) => [i.customer, i.reason ?? `${i.outcome} by ${i.channel}`]),
    );
  };

  it('a recent chat first, else email with consent, else the reason', () => {
    expect(fates()).toEqual({
      chat: 'queued by chat',
      'prefers-email': 'queued by email',
      email: 'queued by email',
      'stale-chat': 'queued by email',
      emulator: 'queued by email',
      'no-consent': 'no_consent',
      unasked: 'no_consent',
      'unasked-chat': 'queued by chat',
      bounced: 'email_undeliverable',
      nothing: 'no_contact',
    });
  });

  it('without email set up, email-only customers are counted as such, and chat is unchanged', () => {
    const off = jobsConfig({ channels: { ...jobsConfig().channels, email: false } });
    expect(fates(off)).toMatchObject({
      chat: 'queued by chat',
      'prefers-email': 'queued by chat',
      email: 'email_off',
      'stale-chat': 'email_off',
      'no-consent': 'no_consent',
    });
  });

  it('the marketer’s preview says how many go by chat, by email, and why the others cannot be reached', () => {
    const preview = previewAudience(store, {}, { now: NOW, channels: jobsConfig().channels });
    expect(preview).toMatchObject({
      matching: 10,
      eligible: 6,
      channels: { chat: 2, email: 4 },
      skipped: { no_consent: 2, email_undeliverable: 1, no_contact: 1 },
    });
    const report = campaignPreviewReport({}, { percentOff: 10 }, 0.1, preview);
    expect(report.facts).toEqual(
      expect.arrayContaining([
        { label: 'Can be messaged', value: '6' },
        { label: 'By chat', value: '2' },
        { label: 'By email', value: '4' },
        {
          label: 'Cannot be reached',
          value: '2 no marketing consent, 1 email address bounced, 1 no chat or email address',
        },
      ]),
    );
  });

  it('a campaign’s outcome is measured per channel as well, against the control members of that channel', () => {
    // A real run, with a control group.
    const report = runWinbackJob(store, { now: NOW, config: jobsConfig({ controlShare: 0.5 }) });
    const run = report.campaigns[0];
    const outcome = campaignReport(store, run.campaignId)!;
    const members = (c: 'chat' | 'email') =>
      (outcome.byChannel[c]?.treated.members ?? 0) + (outcome.byChannel[c]?.control.members ?? 0);
    expect(members('chat') + members('email')).toBe(6);
    expect(outcome.byChannel.email?.treated.members).toBe(
      run.items.filter((i) => i.outcome === 'queued' && i.channel === 'email').length,
    );
    expect(outcome.byChannel.email?.control.members).toBe(
      run.items.filter((i) => i.outcome === 'control' && i.channel === 'email').length,
    );
    const rendered = campaignOutcomeReport(outcome);
    const rows = rendered.table!.rows.map((r) => r[0]);
    expect(rows).toEqual(
      expect.arrayContaining([
        'Messaged',
        'Messaged by email',
        'Control (no message)',
        'Control, would be email',
      ]),
    );
    expect(rendered.facts!.map((f) => f.label)).toContain('Uplift by email');
  });
});

describe('retain jobs run winback --dry-run with email set up', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('shows email deliveries, and without email the same customers as email_off', async () => {
    const store = await emailShop(tmp.dir, [
      { id: 'a', email: 'a@example.com', consent: 'yes' },
      { id: 'b', email: 'b@example.com', consent: 'no' },
      { id: 'c' },
    ]);
    const db = dbPath(store);
    store.close();
    const email = {
      RETAIN_SMTP_URL: 'smtp://127.0.0.1:2525',
      RETAIN_MAIL_FROM: 'Shop <news@shop.example>',
      RETAIN_UNSUBSCRIBE_SECRET: 'x'.repeat(32),
      RETAIN_PUBLIC_URL: 'https://shop.example',
      RETAIN_CONTROL_SHARE: '0',
    };
    const args = ['jobs', 'run', 'winback', '--dry-run', '--json', '--db', db, '--as-of', NOW.toISOString()];
    const on = await runCli(args, { env: email });
    expect(on.code).toBe(0);
    const report = JSON.parse(on.stdout);
    expect(report.totals).toMatchObject({
      queued: 1,
      channels: { chat: 0, email: 1 },
      skipped: { no_consent: 1, no_contact: 1 },
    });
    expect(report.campaigns[0].items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ customer: 'a', outcome: 'queued', channel: 'email' }),
      ]),
    );
    const off = JSON.parse((await runCli(args, { env: { RETAIN_CONTROL_SHARE: '0' } })).stdout);
    expect(off.totals).toMatchObject({ queued: 0, skipped: { email_off: 1, no_consent: 1, no_contact: 1 } });
  });

  it('refuses to start with email half set up, naming what is missing', async () => {
    const result = await runCli(['db', 'info'], {
      env: { RETAIN_SMTP_URL: 'smtp://relay.example:587', RETAIN_PUBLIC_URL: 'http://shop.example' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/RETAIN_MAIL_FROM must name the sender/);
    expect(result.stderr).toMatch(/RETAIN_UNSUBSCRIBE_SECRET must be set/);
    expect(result.stderr).toMatch(/RETAIN_PUBLIC_URL must be an https address/);
  });
});
