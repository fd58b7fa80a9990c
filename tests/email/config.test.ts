/** The email settings, checked at start with the rest of the configuration. */
import { loadConfig, ConfigError } from '../../lib/config';
import { SECRET } from './emailShop';

const EMAIL = {
  RETAIN_SMTP_URL: 'smtps://user%40shop:p%40ss@relay.example.com:465',
  RETAIN_MAIL_FROM: '"Shop & Co" <News@Shop.example>',
  RETAIN_MAIL_REPLY_TO: 'help@shop.example',
  RETAIN_UNSUBSCRIBE_SECRET: SECRET,
  RETAIN_PUBLIC_URL: 'https://retain.shop.example/',
};

describe('email configuration', () => {
  it('is off without RETAIN_SMTP_URL, and the jobs know it', () => {
    const config = loadConfig({});
    expect(config.mail).toBeUndefined();
    expect(config.jobs.channels.email).toBe(false);
    expect(config.unsubscribe).toBeUndefined();
  });

  it('reads a complete setup', () => {
    const config = loadConfig(EMAIL);
    expect(config.jobs.channels.email).toBe(true);
    expect(config.mail).toMatchObject({
      smtpUrl: EMAIL.RETAIN_SMTP_URL,
      from: { name: 'Shop & Co', address: 'news@shop.example' },
      replyTo: { address: 'help@shop.example' },
      unsubscribe: { secret: SECRET, linkDays: 90, baseUrl: 'https://retain.shop.example' },
      rate: { perSecond: 10, burst: 10 },
    });
    expect(config.unsubscribe).toEqual({ secret: SECRET, shopName: 'Shop & Co' });
  });

  it('keeps serving unsubscribe links with only the secret set (email switched off later)', () => {
    const config = loadConfig({ RETAIN_UNSUBSCRIBE_SECRET: SECRET, RETAIN_MAIL_FROM: 'news@shop.example' });
    expect(config.mail).toBeUndefined();
    expect(config.unsubscribe).toEqual({ secret: SECRET, shopName: 'shop.example' });
  });

  it('a loopback public address may be plain http, for trying it out', () => {
    expect(loadConfig({ ...EMAIL, RETAIN_PUBLIC_URL: 'http://127.0.0.1:3978' }).mail).toBeDefined();
  });

  it.each([
    [
      { RETAIN_SMTP_URL: 'http://relay.example.com' },
      /RETAIN_SMTP_URL: must start with smtp:\/\/ \(STARTTLS\) or smtps:\/\//,
    ],
    [{ RETAIN_SMTP_URL: 'relay.example.com:587' }, /RETAIN_SMTP_URL/],
    [{ RETAIN_MAIL_FROM: 'Shop <a@b.com>, b@c.com' }, /RETAIN_MAIL_FROM: must be an address like/],
    [{ RETAIN_MAIL_REPLY_TO: 'not an address' }, /RETAIN_MAIL_REPLY_TO/],
    [{ RETAIN_UNSUBSCRIBE_SECRET: 'short' }, /RETAIN_UNSUBSCRIBE_SECRET: must be at least 32 characters/],
    [{ RETAIN_MAIL_FROM: '' }, /RETAIN_MAIL_FROM must name the sender/],
    [{ RETAIN_PUBLIC_URL: '' }, /RETAIN_PUBLIC_URL must be set/],
    [{ RETAIN_PUBLIC_URL: 'http://retain.shop.example' }, /RETAIN_PUBLIC_URL must be an https address/],
    [{ RETAIN_UNSUBSCRIBE_LINK_DAYS: '0' }, /RETAIN_UNSUBSCRIBE_LINK_DAYS/],
  ])('refuses %j with a clear message', (change, message) => {
    expect(() => loadConfig({ ...EMAIL, ...change })).toThrow(ConfigError);
    expect(() => loadConfig({ ...EMAIL, ...change })).toThrow(message);
  });
});
