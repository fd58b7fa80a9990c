/**
 * Unsubscribe links: a token that names one customer (the internal id, nothing personal) and an
 * expiry, signed with HMAC-SHA256 under a secret only the server knows, so a link can be neither
 * made up for another customer nor kept working forever. Format: `<customer>.<expiry>.<mac>`,
 * expiry in Unix seconds, the MAC in base64url (URL-safe as it is).
 */
import crypto from 'node:crypto';

export type TokenCheck =
  | { ok: true; customerId: number; expiresAt: Date }
  /** `forged`: not made with this server's secret (or altered); `expired`: genuine but too old. */
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const SHAPE = /^(\d{1,15})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
/** Longer than any token this module makes: refused before any work. */
export const MAX_TOKEN_LENGTH = 80;

function mac(secret: string, customerId: number, expiresAtSeconds: number): Buffer {
  return crypto
    .createHmac('sha256', secret)
    .update(`retain-unsubscribe:${customerId}:${expiresAtSeconds}`)
    .digest();
}

export function signUnsubscribeToken(customerId: number, expiresAt: Date, secret: string): string {
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  return `${customerId}.${seconds}.${mac(secret, customerId, seconds).toString('base64url')}`;
}

export function verifyUnsubscribeToken(token: string, secret: string, now: Date): TokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const m = SHAPE.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const customerId = Number(m[1]);
  const seconds = Number(m[2]);
  const given = Buffer.from(m[3], 'base64url');
  const expected = mac(secret, customerId, seconds);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
    return { ok: false, reason: 'forged' };
  // Checked only once the signature holds: an expiry is only worth reporting on a genuine link.
  if (seconds * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, customerId, expiresAt: new Date(seconds * 1000) };
}
