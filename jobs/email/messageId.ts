/**
 * The Message-ID of a campaign email, derived from its outbox key: the same on every attempt, so
 * a message sent again after a crash is recognisably the same message (mail clients and relays
 * that de-duplicate on it can drop the copy; everyone else can see it is one).
 */
import crypto from 'node:crypto';

/**
 * `<campaign.3.customer.17.period.2026-03-01.1a2b3c4d@shop.example>`: the key made readable
 * (characters a Message-ID may not hold become dots) plus a short hash of the exact key, so two
 * keys that read alike never share an id.
 */
export function emailMessageId(dedupeKey: string, domain: string): string {
  const readable = dedupeKey
    .replace(/[^A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 120);
  const hash = crypto.createHash('sha256').update(dedupeKey).digest('hex').slice(0, 12);
  return `<${readable ? `${readable}.` : ''}${hash}@${domain}>`;
}
