/**
 * A real SMTP server in the test process (smtp-server), standing in for the shop's relay: it
 * speaks the protocol to nodemailer over a socket, parses what arrives with mailparser, and can be
 * told how to answer a recipient: accept, a temporary refusal (4xx), a permanent one (5xx), or
 * accept the message but answer late (a kill can then land between arrival and acknowledgement).
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export type RecipientAnswer = { code: number; message?: string };

export interface ArrivedMail {
  /** The envelope: who the relay was asked to deliver to. */
  envelopeFrom: string;
  envelopeTo: string[];
  messageId: string;
  parsed: ParsedMail;
  /** A header as the client sent it (lower-case name), undefined when absent. */
  header(name: string): string | undefined;
}

export class SmtpSink {
  private server: SMTPServer | undefined;
  private readonly scripts = new Map<string, RecipientAnswer[]>();
  private readonly dataScripts = new Map<string, RecipientAnswer[]>();
  /** Every message accepted, in arrival order (resends included). */
  readonly arrived: ArrivedMail[] = [];
  /** Every RCPT TO answered, e.g. '451 x@example.com'. */
  readonly recipients: string[] = [];
  /** Delay before acknowledging a message's data (it has arrived by then). */
  dataDelayMs = 0;
  url = '';
  port = 0;

  /** The next answers to RCPT TO for an address, in order; afterwards it is accepted. */
  script(address: string, ...answers: RecipientAnswer[]): void {
    this.scripts.set(address, [...(this.scripts.get(address) ?? []), ...answers]);
  }

  /** The next answers to a message's data (after it arrived) for an address; then accepted. */
  scriptData(address: string, ...answers: RecipientAnswer[]): void {
    this.dataScripts.set(address, [...(this.dataScripts.get(address) ?? []), ...answers]);
  }

  reset(): void {
    this.scripts.clear();
    this.dataScripts.clear();
    this.arrived.length = 0;
    this.recipients.length = 0;
    this.dataDelayMs = 0;
  }

  /** Unique messages by Message-ID: what a reader who de-duplicates would see. */
  uniqueMessageIds(): string[] {
    return [...new Set(this.arrived.map((m) => m.messageId))];
  }

  async start(): Promise<string> {
    this.server = new SMTPServer({
      // A local relay without TLS (smtp:// to loopback: retain does not insist on STARTTLS).
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const next = this.scripts.get(address.address)?.shift();
        this.recipients.push(`${next?.code ?? 250} ${address.address}`);
        if (!next) return callback();
        const err = new Error(next.message ?? (next.code >= 500 ? 'No such user here' : 'Try again later'));
        (err as Error & { responseCode: number }).responseCode = next.code;
        return callback(err);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const refusal = this.dataScripts.get(session.envelope.rcptTo[0]?.address ?? '')?.shift();
          if (refusal) {
            const err = new Error(refusal.message ?? 'Message refused');
            (err as Error & { responseCode: number }).responseCode = refusal.code;
            return callback(err);
          }
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then((parsed) => {
            this.arrived.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              messageId: parsed.messageId ?? '',
              parsed,
              header: (name) => {
                const line = parsed.headerLines.find((h) => h.key === name.toLowerCase());
                return line ? line.line.slice(line.line.indexOf(':') + 1).trim() : undefined;
              },
            });
            setTimeout(() => callback(), this.dataDelayMs);
          });
        });
      },
    });
    // A client killed mid-session (the crash test's kill -9) resets its connection: a relay goes
    // on serving; without a listener the reset would end the test process.
    this.server.on('error', (err: Error & { code?: string }) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') throw err;
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    this.url = `smtp://127.0.0.1:${this.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
