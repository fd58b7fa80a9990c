/**
 * The relay, through nodemailer: a pool of SMTP connections opened from RETAIN_SMTP_URL. TLS is
 * as the URL says: smtps:// speaks TLS from the first byte; smtp:// upgrades with STARTTLS, and
 * insists on it for any host but this machine (a password and customers' addresses must not
 * cross a network in clear) unless the URL says `?requireTLS=false`.
 */
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\])$/i;

export interface SmtpTransportOptions {
  /** Connections kept open to the relay: the sender's concurrency. */
  maxConnections: number;
  /** Give up on a connection that says nothing for this long (default 60 s). */
  socketTimeoutMs?: number;
}

export interface SmtpTransport {
  send(mail: SendMailOptions): Promise<{ messageId: string; accepted: string[] }>;
  /** Connects and logs in (for `retain email verify` and the start-up check). */
  verify(): Promise<void>;
  close(): void;
}

export function smtpTransport(url: string, options: SmtpTransportOptions): SmtpTransport {
  const parsed = parseConnectionUrl(url) as Record<string, unknown> & { secure?: boolean; host?: string };
  const explicit = parsed.requireTLS;
  const local = LOOPBACK.test(String(parsed.host ?? ''));
  const transporter: Transporter = nodemailer.createTransport({
    ...parsed,
    requireTLS: typeof explicit === 'boolean' ? explicit : !parsed.secure && !local,
    pool: true,
    maxConnections: options.maxConnections,
    // The outbox retries (and counts attempts); the pool must not re-send a message by itself
    // when a connection drops mid-message.
    maxRequeues: 0,
    socketTimeout: options.socketTimeoutMs ?? 60_000,
    greetingTimeout: 30_000,
    connectionTimeout: 30_000,
  });
  return {
    async send(mail) {
      const info = (await transporter.sendMail(mail)) as { messageId: string; accepted?: unknown[] };
      return { messageId: info.messageId, accepted: (info.accepted ?? []).map(String) };
    },
    async verify() {
      await transporter.verify();
    },
    close() {
      transporter.close();
    },
  };
}
