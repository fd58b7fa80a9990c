/**
 * One row of a customer file, checked and turned into a contact update. Empty cells leave what
 * retain knows as it is; anything present must be valid, or the row is an error with a reason:
 *  - email: one plain address (lib/email.ts), stored lower-cased;
 *  - marketing_consent: yes/no (also y/n, true/false, 1/0); empty: not recorded in this file;
 *  - consent_at: when it was given (ISO 8601, or a date; without an offset, in --time-zone), not
 *    in the future, and only with marketing_consent;
 *  - consent_source: how it was given, free text up to 200 characters;
 *  - preferred_channel: chat or email;
 *  - time_zone: an IANA zone; name and country: text (whitespace tidied).
 */
import type { ContactUpdate } from '../repositories/customerContacts';
import { isEmailAddress, normaliseEmail } from '../../lib/email';
import type { CustomerColumns, CustomerField } from './customerFormat';
import { normaliseCustomerId } from './rows';
import type { ZonedTimestampParser } from './timestamps';

export type CustomerRowOutcome =
  { kind: 'update'; update: ContactUpdate } | { kind: 'error'; reason: string };

const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0']);
const MAX_TEXT = 200;
const CHANNELS = new Set(['chat', 'email']);

/** One line of text: control characters and runs of whitespace become one space. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const tidy = (s: string) => s.replace(/[\u0000-\u001f\u007f\s]+/g, ' ').trim();

export function interpretCustomerRow(
  record: string[],
  columns: CustomerColumns,
  timestamps: ZonedTimestampParser,
  isValidTimeZone: (tz: string) => boolean,
  now: Date,
): CustomerRowOutcome {
  const get = (f: CustomerField): string => {
    const i = columns[f];
    return i === undefined ? '' : tidy(record[i] ?? '');
  };
  const error = (reason: string): CustomerRowOutcome => ({ kind: 'error', reason });
  const externalId = normaliseCustomerId(get('customerId'));
  if (!externalId) return error('missing customer id');
  const update: ContactUpdate = { externalId };

  const email = get('email');
  if (email) {
    if (!isEmailAddress(email)) return error(`email '${email}' is not an email address`);
    update.email = normaliseEmail(email);
  }
  const name = get('name');
  if (name) {
    if (name.length > MAX_TEXT) return error(`name is longer than ${MAX_TEXT} characters`);
    update.name = name;
  }
  const country = get('country');
  if (country) update.country = country;
  const tz = get('timeZone');
  if (tz) {
    if (!isValidTimeZone(tz)) return error(`time zone '${tz}' is not an IANA time zone`);
    update.timeZone = tz;
  }

  const consent = get('consent').toLowerCase();
  const consentAt = get('consentAt');
  const source = get('consentSource');
  if (consent) {
    const state = YES.has(consent) ? 'granted' : NO.has(consent) ? 'denied' : undefined;
    if (!state) return error(`marketing consent '${consent}' is not yes or no`);
    update.consent = { state };
    if (consentAt) {
      const at = timestamps.parse(consentAt);
      if (!at) return error(`consent date '${consentAt}' is not a date we can read`);
      if (Date.parse(at) > now.getTime()) return error(`consent date '${consentAt}' is in the future`);
      update.consent.at = at;
    }
    if (source) {
      if (source.length > MAX_TEXT) return error(`consent source is longer than ${MAX_TEXT} characters`);
      update.consent.source = source;
    }
  } else if (consentAt || source) {
    return error('consent date or source without marketing_consent (yes or no)');
  }

  const channel = get('preferredChannel').toLowerCase();
  if (channel) {
    if (!CHANNELS.has(channel)) return error(`preferred channel '${channel}' is not chat or email`);
    update.preferredChannel = channel as 'chat' | 'email';
  }
  return { kind: 'update', update };
}
