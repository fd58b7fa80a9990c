/**
 * Sends what the outbox holds, by chat through a `send(reference, activity)` function the bot
 * provides (adapter.continueConversation with the stored reference), or by email through an
 * `EmailSender` (jobs/email: the shop's templates, handed to the SMTP relay). Per message:
 *
 *   claim (queued → sending, one atomic UPDATE)
 *   → wait for a token of the bucket of its tenant / chat channel, or of the relay
 *   → checks right before the send: forgotten, consent, opt-out (chat "stop" and email
 *     unsubscribes alike), the conversation or a mailable address, recent complaint, quiet hours
 *     in the customer's zone (held until they end, not dropped), frequency cap across channels
 *   → count the attempt → send → sent
 *   → on 429 / 5xx / timeout / network error (chat), a 4xx answer or a lost connection (SMTP):
 *     back to queued at now + max(backoff with jitter, Retry-After); after `maxAttempts`
 *     attempts: dead. Other chat 4xx: failed. An SMTP 5xx for the recipient: failed, and the
 *     address is suppressed and the customer opted out of every channel.
 *
 * Exactly once, and what it honestly means. Every message carries an idempotency id derived from
 * its outbox key, the same on every attempt: activity.id and channelData.retain.messageId on chat,
 * the Message-ID header on email. A crash (kill -9) can leave rows in 'sending'; recover() puts
 * them back in the queue and they are sent again with that same id. So:
 *  - never lost: a message leaves 'sending'/'queued' only when sent, skipped, failed or dead;
 *  - never sent twice by retain: the claim is atomic, and a message is only re-sent when retain
 *    cannot know whether the channel got it (crash or timeout between request and commit);
 *  - in that window the duplicate is suppressed only if the channel de-duplicates on the id (the
 *    stand-in channel in the tests does; mail clients group, but do not hide, two messages with
 *    one Message-ID). So a crash can duplicate at most the messages in flight at that instant
 *    (at most `concurrency`; each message is claimed just before its own send, not in batches).
 */
import type { Store } from '../data/store';
import { type OutboxDelivery } from '../data/repositories/outbox';
import { queuedChannelProblem, type ChannelPolicy } from '../analytics/campaigns/channels';
import { suppressionReason, windowStart, type SuppressionRules } from '../analytics/campaigns/suppression';
import { systemClock, type Clock } from './clock';
import { TokenBuckets, type RateLimit } from './tokenBucket';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from './backoff';
import { quietUntil } from './quietHours';
import type { QuietHours } from '../lib/quietHours';

/** The activity handed to `send`: plain data, shaped like a Bot Framework message activity. */
export interface OutboundActivity {
  type: 'message';
  /** Idempotency id: the same on every attempt of the same outbox message. */
  id: string;
  text: string;
  channelData: {
    retain: {
      messageId: string;
      outboxId: number;
      campaignId: number | null;
      kind: string;
      payload: Record<string, unknown>;
    };
  };
}

/** What the channel answered: the id it gave the message, when it says. */
export type SendResult = { id?: string } | void | undefined;
export type SendFn = (reference: Record<string, unknown>, activity: OutboundActivity) => Promise<SendResult>;

/** One email, as the sender hands it over: who to, and the message model to render. */
export interface OutboundEmail {
  outboxId: number;
  /** The outbox key: the Message-ID derives from it, the same on every attempt. */
  dedupeKey: string;
  campaignId: number | null;
  kind: string;
  customerId: number;
  to: { address: string; name: string | null };
  payload: Record<string, unknown>;
  /** The sender's now (unsubscribe links expire counted from the send). */
  now: Date;
}

/** The email channel, as the sender sees it (jobs/email/emailChannel.ts). */
export interface EmailSender {
  /** Renders and hands the message to the relay; resolves with the Message-ID it went under. */
  send(message: OutboundEmail): Promise<{ messageId: string }>;
  /** How a failed send failed (jobs/email/smtpErrors.ts). */
  classify(error: unknown): SendFailure;
}

/** How a send failed: worth retrying, final, or final because the recipient does not exist. */
export interface SendFailure {
  transient: boolean;
  /** The address itself was refused for good (SMTP 5xx to RCPT TO): never mail it again. */
  undeliverable?: boolean;
  status: number | null;
  retryAfterMs: number | null;
  message: string;
}

/** An error a send function may throw to say how the channel answered. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly retryAfterMs?: number | null,
  ) {
    super(message);
  }
}

class SendTimeoutError extends Error {}

export interface SenderOptions {
  send: SendFn;
  /** Email, when it is set up: the channel and the relay's own rate limit. */
  email?: { sender: EmailSender; rate: RateLimit };
  clock?: Clock;
  random?: () => number;
  rate: RateLimit;
  concurrency?: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
  quietHours: QuietHours | null;
  /** Zone of customers without one (the shop's). */
  defaultTimeZone: string;
  rules: SuppressionRules;
  /**
   * A 'sending' row older than this is taken to be orphaned by a stopped sender and is resent.
   * Keep it above timeoutMs when several senders share a database; 0 for a single sender.
   */
  leaseMs?: number;
  onEvent?: (event: SenderEvent) => void;
}

export type SenderEvent =
  | { type: 'sent'; outboxId: number; attempts: number; activityId: string | null }
  | { type: 'skipped'; outboxId: number; reason: string }
  | { type: 'held'; outboxId: number; reason: string; until: string }
  | { type: 'retry'; outboxId: number; attempts: number; at: string; error: string }
  | { type: 'failed' | 'dead'; outboxId: number; attempts: number; error: string }
  | { type: 'undeliverable'; outboxId: number; attempts: number; error: string };

export interface DrainSummary {
  sent: number;
  skipped: Record<string, number>;
  held: number;
  retried: number;
  failed: number;
  /** Of the failed: email addresses refused for good (now suppressed). */
  undeliverable: number;
  dead: number;
}

function headerValue(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  if (typeof h.get === 'function') {
    const v = h.get(name);
    if (typeof v === 'string') return v;
  }
  const direct = h[name] ?? h[name.toLowerCase()];
  return typeof direct === 'string' ? direct : null;
}

/**
 * How a send failed. Understands SendError, and the errors botbuilder's connector throws
 * (RestError: statusCode, response.headers with Retry-After).
 */
export function classifySendError(error: unknown, now: Date): SendFailure {
  const e = error as {
    statusCode?: unknown;
    status?: unknown;
    retryAfterMs?: unknown;
    response?: { status?: unknown; headers?: unknown };
    message?: unknown;
  };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (error instanceof SendTimeoutError)
    return { transient: true, status: null, retryAfterMs: null, message };
  const rawStatus = e?.statusCode ?? e?.status ?? e?.response?.status;
  const status = typeof rawStatus === 'number' ? rawStatus : null;
  let retryAfterMs = typeof e?.retryAfterMs === 'number' ? e.retryAfterMs : null;
  if (retryAfterMs === null)
    retryAfterMs = parseRetryAfter(headerValue(e?.response?.headers, 'retry-after'), now);
  // No status: the request never got an answer (connection refused, reset): worth retrying.
  const transient = status === null || status === 408 || status === 429 || status >= 500;
  return { transient, status, retryAfterMs, message: status ? `${status} ${message}` : message };
}

export function idempotencyId(m: { dedupeKey: string }): string {
  return `retain:${m.dedupeKey}`;
}

export class OutboxSender {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly buckets: TokenBuckets;
  private readonly emailBuckets: TokenBuckets | undefined;
  /** At send time only the queued channel is checked: whether email is there at all matters. */
  private readonly policy: ChannelPolicy;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<DrainSummary> | undefined;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly options: SenderOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.buckets = new TokenBuckets(options.rate, this.clock);
    this.emailBuckets = options.email ? new TokenBuckets(options.email.rate, this.clock) : undefined;
    this.policy = { email: options.email !== undefined, proactiveChat: [], chatReferenceMaxDays: Infinity };
  }

  /** Puts rows orphaned in 'sending' by a stopped sender back in the queue; call at start. */
  recover(): number {
    const now = this.clock.now();
    return this.store.outbox.recoverSending(new Date(now.getTime() - (this.options.leaseMs ?? 0)), now);
  }

  /** Sends every message due now (and any that come due while it runs); resolves when none is left. */
  async drain(): Promise<DrainSummary> {
    const summary: DrainSummary = {
      sent: 0,
      skipped: {},
      held: 0,
      retried: 0,
      failed: 0,
      undeliverable: 0,
      dead: 0,
    };
    const worker = async () => {
      while (!this.stopped) {
        const m = this.store.outbox.claimNext(this.clock.now());
        if (!m) return;
        await this.process(m, summary);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 1 }, worker));
    return summary;
  }

  /**
   * Polls the outbox every `intervalMs` (real time) until stop(). Each round first recovers rows
   * orphaned in 'sending' (older than the lease), then drains; an error ends the round, not the loop.
   */
  start(intervalMs: number, onError: (error: unknown) => void = () => undefined): void {
    this.stopped = false;
    const tick = async () => {
      if (this.stopped) return;
      try {
        this.recover();
        this.draining = this.drain();
        await this.draining;
      } catch (error) {
        onError(error);
      } finally {
        this.draining = undefined;
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), intervalMs);
    };
    void tick();
  }

  /** Stops claiming new messages and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining?.catch(() => undefined);
  }

  /** The token bucket a message waits on: the relay's, or its tenant's (else chat channel's). */
  private bucketOf(m: OutboxDelivery): { buckets: TokenBuckets; key: string } {
    if (m.channel === 'email' && this.emailBuckets) return { buckets: this.emailBuckets, key: 'email' };
    return {
      buckets: this.buckets,
      key: m.tenantId ? `tenant:${m.tenantId}` : `channel:${m.channelId ?? 'unknown'}`,
    };
  }

  private emit(event: SenderEvent) {
    this.options.onEvent?.(event);
  }

  /** Checks that must pass right before the send; a reason when the message may not go now. */
  private gate(m: OutboxDelivery, now: Date): { skip: string } | { holdUntil: Date } | null {
    if (m.customerId === null) return { skip: 'forgotten' };
    const customerId = m.customerId;
    const rules = this.options.rules;
    const problem = queuedChannelProblem(
      m.channel,
      {
        forgottenAt: m.forgottenAt,
        consentState: m.consentState,
        chat: m.reference ? { channelId: m.channelId ?? '', updatedAt: null } : null,
        email: m.email,
        preferredChannel: null,
        emailSuppressed: () => (m.email ? this.store.contacts.isSuppressed(m.email) : false),
        optedOut: (channel) => this.store.optOuts.isOptedOut(customerId, channel),
      },
      this.policy,
      now,
    );
    if (problem) return { skip: problem };
    const reason = suppressionReason(
      {
        lastNegativeAt: () => this.store.feedback.lastNegativeAt(customerId),
        // Only messages actually sent count here: this one is pending itself.
        messagesInWindow: () => this.store.outbox.sentSince(customerId, windowStart(now, rules)),
      },
      rules,
      now,
    );
    if (reason) return { skip: reason };
    const until = quietUntil(
      now,
      m.customerTimeZone ?? this.options.defaultTimeZone,
      this.options.quietHours,
    );
    return until ? { holdUntil: until } : null;
  }

  private async process(claimed: OutboxDelivery, summary: DrainSummary): Promise<void> {
    const outbox = this.store.outbox;
    const { buckets, key } = this.bucketOf(claimed);
    await buckets.take(key);
    // Re-read after the wait: an opt-out or forget-me may have happened meanwhile.
    const m = outbox.delivery(claimed.id);
    const now = this.clock.now();
    if (!m || m.status !== 'sending') {
      buckets.refund(key);
      return;
    }
    const gate = this.gate(m, now);
    if (gate && 'skip' in gate) {
      buckets.refund(key);
      outbox.markSkipped(m.id, gate.skip, now);
      summary.skipped[gate.skip] = (summary.skipped[gate.skip] ?? 0) + 1;
      this.emit({ type: 'skipped', outboxId: m.id, reason: gate.skip });
      return;
    }
    if (gate) {
      buckets.refund(key);
      outbox.hold(m.id, 'quiet_hours', gate.holdUntil, now);
      summary.held++;
      this.emit({ type: 'held', outboxId: m.id, reason: 'quiet_hours', until: gate.holdUntil.toISOString() });
      return;
    }

    const attempts = m.attempts + 1;
    outbox.recordAttempt(m.id, now);
    try {
      const activityId = await this.withTimeout(
        m.channel === 'email' ? this.sendEmail(m, now) : this.sendChat(m),
      );
      outbox.markSent(m.id, activityId, this.clock.now());
      summary.sent++;
      this.emit({ type: 'sent', outboxId: m.id, attempts, activityId });
    } catch (error) {
      const at = this.clock.now();
      const c =
        m.channel === 'email' && !(error instanceof SendTimeoutError)
          ? this.options.email!.sender.classify(error)
          : classifySendError(error, at);
      if (c.undeliverable) {
        this.undeliverable(m, c.message, at);
        summary.failed++;
        summary.undeliverable++;
        this.emit({ type: 'undeliverable', outboxId: m.id, attempts, error: c.message });
      } else if (!c.transient) {
        outbox.markFailed(m.id, c.message, at);
        summary.failed++;
        this.emit({ type: 'failed', outboxId: m.id, attempts, error: c.message });
      } else if (attempts >= this.options.maxAttempts) {
        outbox.markDead(m.id, `gave up after ${attempts} attempts: ${c.message}`, at);
        summary.dead++;
        this.emit({ type: 'dead', outboxId: m.id, attempts, error: c.message });
      } else {
        const delay = backoffDelay(attempts, this.options.backoff, this.random, c.retryAfterMs);
        const retryAt = new Date(at.getTime() + delay);
        // The channel asked everyone on this tenant to slow down, not just this message.
        if (c.status === 429 && c.retryAfterMs !== null)
          buckets.pause(key, new Date(at.getTime() + c.retryAfterMs));
        outbox.requeue(m.id, retryAt, c.message, at);
        summary.retried++;
        this.emit({ type: 'retry', outboxId: m.id, attempts, at: retryAt.toISOString(), error: c.message });
      }
    }
  }

  /** Chat: the activity through the bot's adapter; the channel's id for it, when it gives one. */
  private async sendChat(m: OutboxDelivery): Promise<string | null> {
    const messageId = idempotencyId(m);
    const payload = m.payload;
    const activity: OutboundActivity = {
      type: 'message',
      id: messageId,
      text: typeof payload.text === 'string' ? payload.text : '',
      channelData: { retain: { messageId, outboxId: m.id, campaignId: m.campaignId, kind: m.kind, payload } },
    };
    const result = await this.options.send(m.reference as Record<string, unknown>, activity);
    return result && typeof result.id === 'string' ? result.id : null;
  }

  /** Email: rendered and handed to the relay; acknowledged by its Message-ID. */
  private async sendEmail(m: OutboxDelivery, now: Date): Promise<string> {
    const { messageId } = await this.options.email!.sender.send({
      outboxId: m.id,
      dedupeKey: m.dedupeKey,
      campaignId: m.campaignId,
      kind: m.kind,
      customerId: m.customerId!,
      to: { address: m.email!, name: m.customerName },
      payload: m.payload,
      now,
    });
    return messageId;
  }

  /**
   * The relay refused the address for good: the message failed, the address is never mailed
   * again, and, as with "stop" in chat, no channel carries promotions to the customer any more.
   */
  private undeliverable(m: OutboxDelivery, error: string, at: Date): void {
    const store = this.store;
    const customerId = m.customerId!;
    store.transaction(() => {
      store.outbox.markFailed(m.id, `address undeliverable: ${error}`, at);
      store.contacts.suppress(m.email!, 'bounced', error, at);
      store.optOuts.optOut(customerId, 'email address undeliverable', null, at);
      store.outbox.skipPendingFor(customerId, 'opted_out', at);
      store.audit.write(
        'job:sender',
        'email.bounced',
        `customer:${customerId}`,
        { outboxId: m.id, error },
        at,
      );
    });
  }

  /** Real-time timeout: a send that does not answer is treated as failed-maybe-delivered (retried, same id). */
  private withTimeout<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SendTimeoutError(`no answer within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }
}
