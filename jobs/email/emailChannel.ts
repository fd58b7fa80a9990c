/**
 * The email channel: a campaign message rendered through the shop's templates and handed to the
 * SMTP relay, with what bulk mail needs to be accepted and to be left easily:
 *  - From, an optional Reply-To, To with the customer's name;
 *  - a Message-ID derived from the outbox key (the same on every attempt; messageId.ts);
 *  - List-Unsubscribe with the https link of the customer's signed, expiring token, and
 *    List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), so mail clients can offer a
 *    one-click unsubscribe that reaches bot/unsubscribe.ts;
 *  - a plain-text and an HTML part from the same message model as chat.
 */
import { shopName as shopNameOf, type MailConfig } from '../../lib/mailConfig';
import { emailDomain } from '../../lib/email';
import { signUnsubscribeToken } from '../../lib/unsubscribeToken';
import type { EmailSender, OutboundEmail } from '../sender';
import { emailView } from './emailView';
import { emailMessageId } from './messageId';
import { classifySmtpError } from './smtpErrors';
import { loadEmailTemplates, type EmailTemplates } from './templates';
import { smtpTransport, type SmtpTransport } from './smtpTransport';

const DAY_MS = 86_400_000;

export interface EmailChannel extends EmailSender {
  /** Connects to the relay and logs in; rejects with the relay's answer. */
  verify(): Promise<void>;
  close(): void;
}

/** The https address of a customer's unsubscribe page, valid for `linkDays` from `now`. */
export function unsubscribeUrl(mail: MailConfig, customerId: number, now: Date): string {
  const expires = new Date(now.getTime() + mail.unsubscribe.linkDays * DAY_MS);
  return `${mail.unsubscribe.baseUrl}/unsubscribe/${signUnsubscribeToken(customerId, expires, mail.unsubscribe.secret)}`;
}

export function createEmailChannel(
  mail: MailConfig,
  options: { maxConnections: number; templates?: EmailTemplates; transport?: SmtpTransport },
): EmailChannel {
  const templates = options.templates ?? loadEmailTemplates(mail.templatesDir);
  const transport =
    options.transport ?? smtpTransport(mail.smtpUrl, { maxConnections: options.maxConnections });
  const domain = emailDomain(mail.from.address);
  const shopName = shopNameOf(mail.from);
  const from = { name: mail.from.name ?? '', address: mail.from.address };

  const send = async (m: OutboundEmail) => {
    const link = unsubscribeUrl(mail, m.customerId, m.now);
    const rendered = templates(emailView(m.payload, m.to, shopName, link));
    const messageId = emailMessageId(m.dedupeKey, domain);
    const info = await transport.send({
      from,
      to: { name: m.to.name ?? '', address: m.to.address },
      replyTo: mail.replyTo ? { name: mail.replyTo.name ?? '', address: mail.replyTo.address } : undefined,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId,
      headers: {
        'List-Unsubscribe': `<${link}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      // The envelope is set, not derived from the headers: exactly this one recipient.
      envelope: { from: mail.from.address, to: [m.to.address] },
      // Templates cannot make the message read files or fetch URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return { messageId: info.messageId || messageId };
  };

  return {
    send,
    classify: classifySmtpError,
    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}
