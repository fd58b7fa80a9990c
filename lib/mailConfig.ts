/**
 * Settings of the email channel (docs/email.md), read from the environment with the rest of the
 * configuration (lib/config.ts). Email is on when RETAIN_SMTP_URL is set; it then needs a sender
 * address, a secret to sign unsubscribe links with and the public https address those links
 * point at, and all of it is checked at start.
 */
import { z } from 'zod';
import { isEmailAddress, normaliseEmail } from './email';

const empty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export interface MailAddress {
  name?: string;
  address: string;
}

/** `Shop name <news@shop.example>` or `news@shop.example`; undefined when it is neither. */
export function parseMailbox(text: string): MailAddress | undefined {
  const angle = /^\s*(?:"([^"\r\n]*)"|([^"<>\r\n]*?))\s*<([^<>\s]+)>\s*$/.exec(text);
  const address = angle ? angle[3] : text.trim();
  if (!isEmailAddress(address)) return undefined;
  const name = (angle?.[1] ?? angle?.[2] ?? '').trim();
  return name ? { name, address: normaliseEmail(address) } : { address: normaliseEmail(address) };
}

const mailbox = z.preprocess(
  empty,
  z
    .string()
    .refine((v) => parseMailbox(v) !== undefined, {
      message: 'must be an address like news@shop.example or Shop name <news@shop.example>',
    })
    .optional(),
);

/** smtp://[user:password@]host[:port][?options] or smtps://... (TLS from the first byte). */
export function smtpUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    return 'must start with smtp:// (STARTTLS) or smtps:// (TLS)';
  if (!url.hostname) return 'names no host';
  return undefined;
}

export const mailEnvSchema = z.object({
  RETAIN_SMTP_URL: z.preprocess(
    empty,
    z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        const problem = v === undefined ? undefined : smtpUrlProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  ),
  RETAIN_MAIL_FROM: mailbox,
  RETAIN_MAIL_REPLY_TO: mailbox,
  RETAIN_UNSUBSCRIBE_SECRET: z.preprocess(
    empty,
    z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  ),
  RETAIN_UNSUBSCRIBE_LINK_DAYS: z.preprocess(empty, z.coerce.number().int().min(1).max(3650).default(90)),
  RETAIN_MAIL_RATE_PER_SECOND: z.preprocess(empty, z.coerce.number().positive().default(10)),
  RETAIN_MAIL_BURST: z.preprocess(empty, z.coerce.number().int().min(1).default(10)),
  RETAIN_MAIL_TEMPLATES: z.preprocess(empty, z.string().optional()),
});

export interface MailConfig {
  /** Where to hand messages over; may hold the relay's password: never log it. */
  smtpUrl: string;
  from: MailAddress;
  replyTo?: MailAddress;
  unsubscribe: {
    secret: string;
    /** How long a link in a message keeps working, counted from the send. */
    linkDays: number;
    /** The public address the links point at (RETAIN_PUBLIC_URL, without a trailing slash). */
    baseUrl: string;
  };
  /** One token bucket for the relay (providers limit messages per second per account). */
  rate: { perSecond: number; burst: number };
  /** The shop's templates (data/templates/email by default). */
  templatesDir: string;
}

/** The shop's name as messages and pages show it: the sender's display name, else its domain. */
export function shopName(from: MailAddress | undefined): string {
  if (!from) return 'the shop';
  return from.name ?? from.address.slice(from.address.lastIndexOf('@') + 1);
}

/**
 * What the unsubscribe page needs. Set whenever RETAIN_UNSUBSCRIBE_SECRET is, even with email
 * switched off: links in messages already sent must keep working.
 */
export function unsubscribePageFrom(
  e: z.infer<typeof mailEnvSchema>,
): { secret: string; shopName: string } | undefined {
  if (!e.RETAIN_UNSUBSCRIBE_SECRET) return undefined;
  const from = e.RETAIN_MAIL_FROM ? parseMailbox(e.RETAIN_MAIL_FROM) : undefined;
  return { secret: e.RETAIN_UNSUBSCRIBE_SECRET, shopName: shopName(from) };
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|::1)$/i;

/**
 * The email settings, or undefined when email is off; a list of problems when it is on but
 * incomplete. `publicUrl` is RETAIN_PUBLIC_URL; `templatesDir` the resolved default or setting.
 */
export function mailConfigFrom(
  e: z.infer<typeof mailEnvSchema>,
  publicUrl: string | undefined,
  templatesDir: string,
): { config?: MailConfig; problems: string[] } {
  if (!e.RETAIN_SMTP_URL) return { problems: [] };
  const problems: string[] = [];
  const need = (key: string, why: string) => problems.push(`RETAIN_SMTP_URL is set, so ${key} ${why}`);
  if (!e.RETAIN_MAIL_FROM) need('RETAIN_MAIL_FROM', 'must name the sender (news@your-shop.com)');
  if (!e.RETAIN_UNSUBSCRIBE_SECRET)
    need('RETAIN_UNSUBSCRIBE_SECRET', 'must be set (32+ random characters) to sign unsubscribe links');
  if (!publicUrl) {
    need('RETAIN_PUBLIC_URL', "must be set: every message links to the bot's unsubscribe page");
  } else {
    const url = new URL(publicUrl);
    // Mail clients refuse plain-http one-click unsubscribe (RFC 8058); loopback is for trying it out.
    if (url.protocol !== 'https:' && !LOOPBACK_HOST.test(url.hostname))
      need('RETAIN_PUBLIC_URL', 'must be an https address (unsubscribe links must be https)');
  }
  if (problems.length) return { problems };
  return {
    problems,
    config: {
      smtpUrl: e.RETAIN_SMTP_URL,
      from: parseMailbox(e.RETAIN_MAIL_FROM!)!,
      replyTo: e.RETAIN_MAIL_REPLY_TO ? parseMailbox(e.RETAIN_MAIL_REPLY_TO) : undefined,
      unsubscribe: {
        secret: e.RETAIN_UNSUBSCRIBE_SECRET!,
        linkDays: e.RETAIN_UNSUBSCRIBE_LINK_DAYS,
        baseUrl: publicUrl!.replace(/\/+$/, ''),
      },
      rate: { perSecond: e.RETAIN_MAIL_RATE_PER_SECOND, burst: e.RETAIN_MAIL_BURST },
      templatesDir,
    },
  };
}
