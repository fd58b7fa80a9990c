/**
 * The unsubscribe link over real HTTP against the real server (startBot): a win-back goes out by
 * email through a local SMTP server, and the link in its List-Unsubscribe header is followed the
 * way people and mail clients follow it.
 */
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { signUnsubscribeToken } from '../../lib/unsubscribeToken';
import { startBot, type RunningBot } from '../../bot';
import { runWinbackJob } from '../../jobs/campaignJobs';
import { tempDir } from '../support/files';
import { sql } from '../support/sql';
import { customerId } from '../jobs/shop';
import { dbPath, emailShop, SECRET } from './emailShop';
import { SmtpSink } from './smtpSink';

const DAY = 86_400_000;

describe('one-click unsubscribe on the bot’s server', () => {
  const tmp = tempDir();
  const sink = new SmtpSink();
  let bot: RunningBot;
  let ids: Record<string, number>;
  /** The path of each customer's link, from the mail that reached them. */
  const links: Record<string, string> = {};

  beforeAll(async () => {
    await sink.start();
    const shop = await emailShop(tmp.dir, [
      { id: 'u1', email: 'u1@example.com', name: 'Uma', consent: 'yes' },
      { id: 'u2', email: 'u2@example.com', name: 'Ugo', consent: 'yes' },
      { id: 'u3', email: 'u3@example.com', consent: 'yes' },
    ]);
    const dbFile = dbPath(shop);
    ids = Object.fromEntries(['u1', 'u2', 'u3'].map((c) => [c, customerId(shop, c)]));
    shop.close();
    const config = loadConfig({
      RETAIN_SMTP_URL: sink.url,
      RETAIN_MAIL_FROM: 'Shop & Co <news@shop.example>',
      RETAIN_UNSUBSCRIBE_SECRET: SECRET,
      RETAIN_PUBLIC_URL: 'https://shop.example',
      RETAIN_QUIET_HOURS: '',
      RETAIN_CONTROL_SHARE: '0',
      RETAIN_SEND_POLL_SECONDS: '1',
      RETAIN_MODELS_DIR: tmp.dir,
    });
    bot = await startBot({ config, dbFile, port: 0, host: '127.0.0.1', log: createLogger('silent') });
    // The win-back job queues, the bot's own sender loop sends.
    const report = runWinbackJob(bot.store, { config: config.jobs });
    expect(report.totals.channels.email).toBe(3);
    for (let i = 0; i < 200 && sink.arrived.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sink.arrived).toHaveLength(3);
    for (const mail of sink.arrived) {
      const url = /^<(https:\/\/shop\.example(\/unsubscribe\/[^>]+))>$/.exec(
        mail.header('list-unsubscribe')!,
      )!;
      links[mail.envelopeTo[0].split('@')[0]] = url[2];
    }
  }, 60_000);
  afterAll(async () => {
    await bot?.stop();
    await sink.stop();
    tmp.cleanup();
  });

  const get = (path: string) => fetch(`${bot.url}${path}`);
  const post = (path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${bot.url}${path}`, { method: 'POST', body, headers });
  /** What a mail client's one-click unsubscribe sends (RFC 8058, multipart/form-data). */
  const oneClick = (path: string) =>
    post(
      path,
      '--b0undary\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b0undary--\r\n',
      { 'content-type': 'multipart/form-data; boundary=b0undary' },
    );
  const optedOut = (c: string) => bot.store.optOuts.isOptedOut(ids[c]);
  const unsubscribes = (c: string) =>
    bot.store.audit
      .recent(200)
      .filter((e) => e.action === 'email.unsubscribe' && e.subject === `customer:${ids[c]}`);
  const optOutRows = (c: string) =>
    (
      sql(bot.store).prepare('SELECT COUNT(*) AS n FROM opt_outs WHERE customer_id = ?').get(ids[c]) as {
        n: number;
      }
    ).n;

  it('GET shows what the link does and changes nothing (mail scanners fetch links)', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await get(links.u1);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const html = await res.text();
      expect(html).toContain('Unsubscribe from Shop &amp; Co?');
      expect(html).toContain(`<form method="post" action="${links.u1}">`);
    }
    expect(optedOut('u1')).toBe(false);
    expect(unsubscribes('u1')).toHaveLength(0);
  });

  it('a one-click POST with a valid token opts the customer out of every channel and is audited; a replay is harmless', async () => {
    const res = await oneClick(links.u1);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(
      'Shop &amp; Co will not send you offers any more, by email or in chat.',
    );
    expect(optedOut('u1')).toBe(true);
    expect(bot.store.optOuts.isOptedOut(ids.u1, 'msteams')).toBe(true);
    expect(bot.store.optOuts.isOptedOut(ids.u1, 'email')).toBe(true);
    expect(unsubscribes('u1')).toEqual([
      expect.objectContaining({
        actor: `customer:${ids.u1}`,
        details: { via: 'email link', oneClick: true },
      }),
    ]);

    for (const again of [() => oneClick(links.u1), () => post(links.u1)]) {
      const replay = await again();
      expect(replay.status).toBe(200);
      expect(await replay.text()).toContain('You were already unsubscribed');
    }
    expect(unsubscribes('u1')).toHaveLength(1);
    expect(optOutRows('u1')).toBe(1);
    expect(await (await get(links.u1)).text()).toContain('You are unsubscribed');
    // The next campaign's preview counts the customer as unsubscribed.
    expect(bot.app.campaigns.preview({}).skipped.opted_out).toBe(1);
  });

  it('the button on the page (a form post) unsubscribes too', async () => {
    const res = await post(links.u2, 'confirm=yes', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(200);
    expect(optedOut('u2')).toBe(true);
    expect(unsubscribes('u2')[0].details).toEqual({ via: 'email link', oneClick: false });
  });

  it('a forged or altered token changes nothing and says so', async () => {
    const [, , mac] = links.u3.split('/')[2].split('.');
    const expires = Math.floor(Date.now() / 1000) + 3600;
    const forged = [
      `/unsubscribe/${ids.u3}.${expires}.${mac}`, // a real signature with another expiry
      `/unsubscribe/${links.u3.split('/')[2].replace(/^\d+/, String(ids.u3 + 1000))}`, // another customer
      `/unsubscribe/${signUnsubscribeToken(ids.u3, new Date(Date.now() + DAY), 'another-secret-that-is-32-characters-long')}`,
      '/unsubscribe/not-a-token',
    ];
    for (const path of forged) {
      for (const res of [await get(path), await oneClick(path)]) {
        expect(res.status).toBe(400);
        const html = await res.text();
        expect(html).toContain('This link is not valid');
        expect(html).toContain('Nothing was changed');
      }
    }
    expect(optedOut('u3')).toBe(false);
    expect(unsubscribes('u3')).toHaveLength(0);
  });

  it('an expired token changes nothing and says so', async () => {
    const path = `/unsubscribe/${signUnsubscribeToken(ids.u3, new Date(Date.now() - 1000), SECRET)}`;
    for (const res of [await get(path), await oneClick(path)]) {
      expect(res.status).toBe(410);
      const html = await res.text();
      expect(html).toContain('This link has expired');
      expect(html).toContain('Nothing was changed');
    }
    expect(optedOut('u3')).toBe(false);
  });

  it('a POST whose body is not a small form is refused and changes nothing', async () => {
    const json = await post(links.u3, '{"List-Unsubscribe":"One-Click"}', {
      'content-type': 'application/json',
    });
    expect(json.status).toBe(415);
    const big = await post(links.u3, `List-Unsubscribe=One-Click&pad=${'x'.repeat(10_000)}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(big.status).toBe(413);
    const gzip = await post(links.u3, 'x', {
      'content-type': 'application/x-www-form-urlencoded',
      'content-encoding': 'gzip',
    });
    expect(gzip.status).toBe(415);
    expect(optedOut('u3')).toBe(false);
  });

  it('a client that keeps trying bad tokens is slowed down (429), before any check', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await get(`/unsubscribe/${i}.1.${'A'.repeat(43)}`)).status);
    expect(statuses).toContain(429);
    const limited = await get(links.u3);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(optedOut('u3')).toBe(false);
  });
});
