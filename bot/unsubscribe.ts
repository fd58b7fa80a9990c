/**
 * The unsubscribe link in every marketing email, served at RETAIN_PUBLIC_URL/unsubscribe/<token>
 * (the token: lib/unsubscribeToken.ts, signed, expiring, naming the customer only).
 *
 *   GET  shows a page with what the link does and a button; it changes nothing, because mail
 *        scanners and link previews fetch links nobody clicked.
 *   POST unsubscribes: from the page's button, or straight from a mail client's one-click
 *        unsubscribe (RFC 8058: `List-Unsubscribe=One-Click` in a form body). Every marketing
 *        channel stops, and the audit log records it. Repeating it changes nothing.
 *
 * A forged, altered or expired token changes nothing and the page says so (400 / 410). Such
 * refusals count against the client's address (RETAIN_CLIENT_RATE_*), as refused activities do,
 * so the endpoint cannot be used to try tokens at speed.
 */
import type restify from 'restify';
import Handlebars from 'handlebars';
import type { Logger } from '../lib/logger';
import { verifyUnsubscribeToken } from '../lib/unsubscribeToken';
import type { EmailPreferenceService } from '../services/emailPreferences';
import { clientKey, type ClientAddressOf } from './clientAddress';
import { readFormBody } from './formBody';
import type { RateLimiter } from './rateLimiter';
import { safely } from './safeHandler';

export interface UnsubscribeRoutesOptions {
  preferences: EmailPreferenceService;
  /** RETAIN_UNSUBSCRIBE_SECRET: what the tokens are signed with. */
  secret: string;
  shopName: string;
  log: Logger;
  clientAddress: ClientAddressOf;
  /** Per client address limit on refused requests (bad or expired tokens). */
  clientLimiter?: RateLimiter;
  now?: () => Date;
}

/** A one-click body is a few dozen bytes; a browser's form post not many more. */
const MAX_FORM_BYTES = 4096;

const esc = (s: string) => Handlebars.Utils.escapeExpression(s);

function page(title: string, paragraphs: string[], form?: { action: string; button: string }): string {
  const body = paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n');
  const button = form
    ? `<form method="post" action="${esc(form.action)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit">${esc(form.button)}</button>
</form>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1f2937; line-height: 1.5; }
button { font-size: 1rem; padding: 0.6rem 1.2rem; border: 0; border-radius: 6px; background: #1f2937; color: #fff; cursor: pointer; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
${body}
${button}
</body>
</html>
`;
}

function send(res: restify.Response, status: number, html: string, extra: Record<string, string> = {}): void {
  res.sendRaw(status, html, {
    'content-type': 'text/html; charset=utf-8',
    // Nothing on the page loads anything; nobody may frame it or learn the token from a referrer.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    ...extra,
  });
}

export function registerUnsubscribeRoutes(server: restify.Server, options: UnsubscribeRoutesOptions): void {
  const { preferences, shopName, log } = options;
  const now = options.now ?? (() => new Date());

  /** The customer the token names, or the refusal already sent. */
  const check = (req: restify.Request, res: restify.Response): number | undefined => {
    const client = clientKey(options.clientAddress(req));
    const wait = options.clientLimiter?.peek(`refused:${client}`) ?? 0;
    if (wait > 0) {
      send(res, 429, page('Too many attempts', [`Please try again in ${wait} seconds.`]), {
        'retry-after': String(wait),
      });
      return undefined;
    }
    const token = String(req.params?.token ?? '');
    const verdict = verifyUnsubscribeToken(token, options.secret, now());
    if (verdict.ok) return verdict.customerId;
    options.clientLimiter?.take(`refused:${client}`);
    log.debug({ client, reason: verdict.reason }, 'refused an unsubscribe link');
    if (verdict.reason === 'expired') {
      send(
        res,
        410,
        page('This link has expired', [
          'Nothing was changed. Unsubscribe links work for a while after each email: the one in ' +
            `our most recent email from ${shopName} to you works.`,
        ]),
      );
    } else {
      send(
        res,
        400,
        page('This link is not valid', [
          'Nothing was changed: this is not an unsubscribe link we sent, or it was cut short. ' +
            'Please use the link in the email as it is.',
        ]),
      );
    }
    return undefined;
  };

  server.get(
    '/unsubscribe/:token',
    safely(log, (req, res) => {
      const customerId = check(req, res);
      if (customerId === undefined) return;
      const status = preferences.status(customerId);
      if (!status.known || status.optedOut) {
        return send(res, 200, page('You are unsubscribed', [`${shopName} will not send you offers.`]));
      }
      send(
        res,
        200,
        page(
          `Unsubscribe from ${shopName}?`,
          [`You will get no more offers from ${shopName}, by email or in chat.`],
          { action: `/unsubscribe/${String(req.params.token)}`, button: 'Unsubscribe' },
        ),
      );
    }),
  );

  server.post(
    '/unsubscribe/:token',
    safely(log, async (req, res) => {
      const customerId = check(req, res);
      if (customerId === undefined) return;
      const body = await readFormBody(req, MAX_FORM_BYTES);
      if (!body.ok) {
        if (body.status === 0) return;
        if (!req.complete) res.setHeader('connection', 'close');
        return send(res, body.status, page('Not understood', [body.message]));
      }
      const outcome = preferences.unsubscribe(customerId, {
        oneClick: body.fields['List-Unsubscribe'] === 'One-Click',
      });
      const lines = outcome.changed
        ? [`${shopName} will not send you offers any more, by email or in chat.`]
        : [`You were already unsubscribed: ${shopName} will not send you offers.`];
      send(res, 200, page('You are unsubscribed', lines));
    }),
  );
}
