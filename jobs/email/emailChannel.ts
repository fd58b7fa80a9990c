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
  /**
   * A one-time code for chat verification, sent at once (not through the outbox: the person is
   * waiting in the chat). Transactional mail: no unsubscribe link, and nothing in it but the code.
   */
  sendVerificationCode(message: { to: string; code: string; validMinutes: number }): Promise<void>;
  /** Connects to the relay and logs in; rejects with the relay's answer. */
  verify(): Promise<void>;
  close(): void;
}

/** The https address of a customer's unsubscribe page, valid for `linkDays` from `now`. */
export function unsubscribeUrl(mail: MailConfig, customerId: number, now: Date): string {
  const expires = new Date(now.getTime() + mail.unsubscribe.linkDays * DAY_MS);
  return `${mail.unsubscribe.baseUrl}/unsubscribe/${signUnsubscribeToken(customerId, expires, mail.unsubscribe.secret)}`;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The verification email: the code, how long it works, and what to do if it was not asked for. */
export function verificationCodeMail(
  shopName: string,
  code: string,
  validMinutes: number,
): { subject: string; text: string; html: string } {
  const lines = [
    `Your code to link the ${shopName} chat to your orders is ${code}.`,
    `Type it in the chat. It works for ${validMinutes} minutes, once.`,
    `If you did not ask for it, ignore this email: without the code nobody can see your orders in the chat. ` +
      `Never give the code to anyone, not even to us by phone or email.`,
  ];
  return {
    subject: `Your ${shopName} chat code: ${code}`,
    text: lines.join('\n\n') + '\n',
    html: lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('\n'),
  };
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

  const sendVerificationCode = async (m: { to: string; code: string; validMinutes: number }) => {
    const mail = verificationCodeMail(shopName, m.code, m.validMinutes);
    await transport.send({
      from,
      to: m.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      envelope: { from: from.address, to: [m.to] },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  };

  return {
    send,
    sendVerificationCode,
    classify: classifySmtpError,
    verify: () => transport.verify(),
    close: () => transport.close(),
  };
}
