/**
 * The email commands a shop runs: checking the relay (`retain email verify`, against a real SMTP
 * server) and recording a complaint or bounce its provider reported (`retain email suppress`),
 * which stops promotions on every channel.
 */
import { openStore } from '../../data/store';
import { runWinbackJob } from '../../jobs/campaignJobs';
import { tempDir } from '../support/files';
import { runCli } from '../support/cli';
import { connect, customerId } from '../jobs/shop';
import { dbPath, emailShop, jobsConfig, NOW, SECRET } from './emailShop';
import { SmtpSink } from './smtpSink';

const DAY = 86_400_000;

describe('retain email', () => {
  const tmp = tempDir();
  const sink = new SmtpSink();
  beforeAll(() => sink.start());
  afterAll(async () => {
    await sink.stop();
    tmp.cleanup();
  });

  const env = (smtpUrl: string) => ({
    RETAIN_SMTP_URL: smtpUrl,
    RETAIN_MAIL_FROM: 'Shop <news@shop.example>',
    RETAIN_UNSUBSCRIBE_SECRET: SECRET,
    RETAIN_PUBLIC_URL: 'https://shop.example',
  });

  it('verify: connects to the relay, and says so when it cannot', async () => {
    const ok = await runCli(['email', 'verify'], { env: env(sink.url) });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/The relay accepted the connection; sending as news@shop.example/);
    const down = await runCli(['email', 'verify'], { env: env('smtp://127.0.0.1:9') });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/the SMTP relay refused: .*ECONNREFUSED/);
    const off = await runCli(['email', 'verify']);
    expect(off.code).toBe(1);
    expect(off.stderr).toMatch(/email is off: set RETAIN_SMTP_URL/);
  });

  it('suppress: a complaint stops email and chat for the customers with that address, skips what is queued, and is audited', async () => {
    const store = await emailShop(tmp.dir, [
      { id: 'p1', email: 'pat@example.com', consent: 'yes' },
      { id: 'p2', email: 'other@example.com', consent: 'yes' },
    ]);
    connect(store, 'p1', 'http://127.0.0.1:9', { channelId: 'msteams', at: new Date(NOW.getTime() - DAY) });
    connect(store, 'p2', 'http://127.0.0.1:9', { channelId: 'msteams', at: new Date(NOW.getTime() - DAY) });
    runWinbackJob(store, { now: NOW, config: jobsConfig() }); // both queued, by chat
    const db = dbPath(store);
    store.close();

    const first = await runCli([
      'email',
      'suppress',
      'PAT@example.com',
      '--reason',
      'complained',
      '--detail',
      'feedback loop',
      '--db',
      db,
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Suppressed: PAT@example.com; 1 customer\(s\) opted out/);
    const again = await runCli([
      'email',
      'suppress',
      'pat@example.com',
      '--reason',
      'complained',
      '--db',
      db,
    ]);
    expect(again.stdout).toMatch(/Already suppressed/);
    const bad = await runCli(['email', 'suppress', 'pat@example.com', '--reason', 'annoyed', '--db', db]);
    expect(bad.code).toBe(2);

    const after = openStore(db);
    try {
      const p1 = customerId(after, 'p1');
      expect(after.contacts.suppression('pat@example.com')).toMatchObject({
        reason: 'complained',
        detail: 'feedback loop',
      });
      expect(after.optOuts.isOptedOut(p1, 'msteams')).toBe(true);
      const byCustomer = Object.fromEntries(after.outbox.list().map((m) => [m.customerId, m]));
      expect(byCustomer[p1]).toMatchObject({ status: 'skipped', skipReason: 'opted_out' });
      expect(byCustomer[customerId(after, 'p2')]).toMatchObject({ status: 'queued' });
      expect(after.audit.recent(10)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ actor: 'cli', action: 'email.complained', subject: `customer:${p1}` }),
        ]),
      );
    } finally {
      after.close();
    }
  });
});
