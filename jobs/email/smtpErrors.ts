/**
 * How an SMTP hand-over failed, from the error nodemailer gives (its `responseCode`, `command`
 * and `code`). The relay's answer decides:
 *  - 4xx, or no answer at all (connection refused, reset, timed out, TLS failed): temporary, retry
 *    with back-off;
 *  - 5xx to RCPT TO, or a 5.1.x / 5.2.x status anywhere (no such mailbox, mailbox disabled):
 *    the address is undeliverable, for good;
 *  - 5xx to the message itself (DATA: content refused): final for this message, the address is
 *    fine;
 *  - 5xx to the login or to MAIL FROM: the relay or retain's settings are wrong, not the
 *    customer's address; retried (and dead-lettered after the attempts) so that fixing the
 *    settings loses nothing.
 */
import type { SendFailure } from '../sender';

interface SmtpError {
  responseCode?: unknown;
  command?: unknown;
  code?: unknown;
  response?: unknown;
  message?: unknown;
}

const MAILBOX_STATUS = /\b5\.[12]\.\d{1,3}\b/;

export function classifySmtpError(error: unknown): SendFailure {
  const e = (error ?? {}) as SmtpError;
  const status = typeof e.responseCode === 'number' ? e.responseCode : null;
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  const answer = typeof e.response === 'string' ? e.response.trim() : '';
  const text = typeof e.message === 'string' ? e.message : String(error);
  // The relay's own words are what an operator needs; our message says which step failed.
  const message = answer && !text.includes(answer) ? `${text}: ${answer}` : text;
  const base = { status, retryAfterMs: null, message: status ? message : `${e.code ?? 'error'}: ${message}` };
  if (status === null || status < 500) return { ...base, transient: true };
  if (command.startsWith('RCPT') || MAILBOX_STATUS.test(answer))
    return { ...base, transient: false, undeliverable: true };
  if (command.startsWith('DATA') || command === 'MESSAGE') return { ...base, transient: false };
  return { ...base, transient: true };
}
