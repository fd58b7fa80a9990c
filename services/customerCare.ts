/**
 * What the customer side of the chat changes or reads about one person: their orders (only their
 * own), verification that links a chat user to a customer record, feedback, hand-offs to a
 * person, opt-out and resubscribe, and erasure. Every change that matters is audited.
 */
import type { Store } from '../data/store';
import type { CustomerRecord } from '../data/repositories/orderHistory';
import type { OrderSummary, OrderLineSummary } from '../data/repositories/customerOrders';
import type { ChatIdentity } from '../data/repositories/chatIdentities';
import type { ErasureResult } from '../data/repositories/erasure';
import type { SentimentResult } from '../nlp/sentiment/model';
import { answerFaq, type FaqEntry, type FaqTopic } from './faq';
import { forgetCustomersInSavedRecsModels } from '../analytics/recs/service';
import {
  DEFAULT_CODE_LIMITS,
  DEFAULT_VERIFY_LIMITS,
  VerificationGuard,
  type CodeLimits,
  type CodeRequestResult,
  type VerificationCodeMailer,
  type VerificationRequest,
  type VerifyLimits,
  type VerifyResult,
} from './verification';

export type { CodeRequestResult, VerifyResult } from './verification';

/**
 * A message a person would read as clearly unhappy: the model is confident of it and the words
 * themselves are negative. The model alone, trained on reviews, also frowns at plain questions
 * ("show me the churn report"), and an apology to a question is its own kind of bad service.
 */
export function isClearlyNegative(sentiment: SentimentResult): boolean {
  return sentiment.score <= -0.6 && sentiment.lexicon < 0;
}

export interface CustomerCareOptions {
  faq: FaqEntry[];
  /** Days a customer who complained is left out of promotions. */
  complaintQuietDays: number;
  now?: () => Date;
  /** Told after an erasure, so caches holding the customer's data drop it. */
  onErased?: () => void;
  /** Limits on failed verifications (default DEFAULT_VERIFY_LIMITS). */
  verifyLimits?: VerifyLimits;
  /**
   * Where the shop has an email channel: verification sends a one-time code to the address on
   * the order, and links only when it is typed back (the stronger path).
   */
  codeMailer?: VerificationCodeMailer;
  codeLimits?: CodeLimits;
}

export class CustomerCareService {
  private readonly now: () => Date;
  private readonly verification: VerificationGuard;

  constructor(
    private readonly store: Store,
    private readonly options: CustomerCareOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.verification = new VerificationGuard(
      store,
      this.now,
      options.verifyLimits ?? DEFAULT_VERIFY_LIMITS,
      options.codeLimits ?? DEFAULT_CODE_LIMITS,
    );
  }

  get complaintQuietDays(): number {
    return this.options.complaintQuietDays;
  }

  customerRecord(customerId: number): CustomerRecord | undefined {
    return this.store.orders.customer(customerId);
  }

  customerRecordByExternalId(externalId: string): CustomerRecord | undefined {
    return this.store.orders.customerByExternal(externalId);
  }

  /**
   * How long this chat user, from this client address, must wait before trying to verify
   * (0: they may try now). The limits hold across new sessions, conversations and restarts.
   */
  verificationWaitMs(identityId: number, clientAddress: string | null = null): number {
    return this.verification.waitMs(identityId, clientAddress);
  }

  /** Whether verification goes through a one-time code sent by email (see requestCode). */
  get verifiesByEmailCode(): boolean {
    return this.options.codeMailer !== undefined;
  }

  /** Codes a person may type for one request (a code closes after as many wrong tries). */
  get codeTriesAllowed(): number {
    return (this.options.codeLimits ?? DEFAULT_CODE_LIMITS).triesPerCode;
  }

  /** Minutes a code sent by email works. */
  get codeValidMinutes(): number {
    return Math.round((this.options.codeLimits ?? DEFAULT_CODE_LIMITS).validMs / 60_000);
  }

  /** Links a chat user to a customer after checking an order number and the email on file. */
  verifyAndLink(request: VerificationRequest): VerifyResult {
    return this.verification.verifyAndLink(request);
  }

  /** Checks an order number and email, and when they match mails a one-time code to that address. */
  requestVerificationCode(request: VerificationRequest): Promise<CodeRequestResult> {
    if (!this.options.codeMailer) throw new Error('verification by email code needs an email channel');
    return this.verification.requestCode(request, this.options.codeMailer);
  }

  /** Links the chat user when the code is the one last mailed for them. */
  confirmVerificationCode(
    identityId: number,
    code: string,
    clientAddress: string | null = null,
  ): VerifyResult {
    return this.verification.confirmCode(identityId, code, clientAddress);
  }

  recentOrders(customerId: number, limit = 3): OrderSummary[] {
    return this.store.customerOrders.recent(customerId, limit);
  }

  ownOrder(customerId: number, invoice: string): { order: OrderSummary; lines: OrderLineSummary[] } | null {
    const order = this.store.customerOrders.ownOrder(customerId, invoice);
    return order ? { order, lines: this.store.customerOrders.ownOrderLines(customerId, invoice) } : null;
  }

  faq(topics: FaqTopic[], text: string): FaqEntry[] {
    return answerFaq(this.options.faq, topics, text);
  }

  /**
   * Stores what a person said about the shop. A marketer's message is never a customer's
   * feedback: it is kept as feedback about retain itself, pauses no promotions and stays out of
   * the customer feedback summary.
   */
  recordFeedback(
    identity: ChatIdentity | undefined,
    text: string,
    sentiment: SentimentResult,
  ): { about: 'shop' | 'bot'; id: number } {
    const common = {
      chatIdentityId: identity?.id ?? null,
      text: text.slice(0, 2000),
      sentimentScore: sentiment.score,
      sentimentLabel: sentiment.label,
    };
    if (identity?.role === 'marketer')
      return { about: 'bot', id: this.store.feedback.recordAboutBot(common, this.now()) };
    return {
      about: 'shop',
      id: this.store.feedback.record({ ...common, customerId: identity?.customerId ?? null }, this.now()),
    };
  }

  requestPerson(identity: ChatIdentity | undefined, reason: string): { id: number; created: boolean } {
    return this.store.handoffs.open(identity?.id ?? null, identity?.customerId ?? null, reason, this.now());
  }

  /**
   * A return request for one of the customer's own orders, for the team's hand-off queue.
   * Null when the order is not theirs (or is itself a cancellation or return).
   */
  requestReturn(
    identity: ChatIdentity,
    customerId: number,
    invoice: string,
  ): { id: number; created: boolean; order: OrderSummary } | null {
    const order = this.store.customerOrders.ownOrder(customerId, invoice);
    if (!order || order.kind !== 'purchase') return null;
    const request = this.store.handoffs.openRequest(
      identity.id,
      customerId,
      `Return request for order ${order.invoice} of ${order.orderedAt.slice(0, 10)}`,
      this.now(),
    );
    if (request.created)
      this.store.audit.write(`customer:${customerId}`, 'return_requested', `order:${order.invoice}`, {
        handoff: request.id,
      });
    return { ...request, order };
  }

  /** Returns false when the customer was already opted out. */
  optOut(customerId: number, channel: string | null = null): boolean {
    const now = this.now();
    return this.store.transaction(() => {
      const changed = this.store.optOuts.optOut(customerId, 'customer said stop in chat', channel, now);
      if (changed) {
        // Queued messages show as skipped at once (the sender would skip them anyway).
        this.store.outbox.skipPendingFor(customerId, 'opted_out', now);
        this.store.audit.write(
          `customer:${customerId}`,
          'opt_out',
          `customer:${customerId}`,
          { channel },
          now,
        );
      }
      return changed;
    });
  }

  isOptedOut(customerId: number): boolean {
    return this.store.optOuts.isOptedOut(customerId);
  }

  resubscribe(customerId: number): boolean {
    const changed = this.store.optOuts.resubscribe(customerId, this.now());
    if (changed) this.store.audit.write(`customer:${customerId}`, 'resubscribe', `customer:${customerId}`);
    return changed;
  }

  /**
   * "Forget me": erases the person in the database (data/repositories/erasure.ts), then in the
   * saved recommender files, then tells the caches. Conversation state is the bot's to delete.
   */
  forget(identityId: number): ErasureResult {
    const result = this.store.erasure.forgetIdentity(identityId, this.now());
    const former = result.formerExternalId !== null ? [result.formerExternalId] : [];
    const rewritten = forgetCustomersInSavedRecsModels(this.store, former);
    if (rewritten.length)
      this.store.audit.write('customer', 'forget_me.models', `customer:${result.customerId}`, {
        recommenderFiles: rewritten.length,
      });
    this.options.onErased?.();
    return result;
  }

  /**
   * The bot deleted the forgotten person's conversation state (after forget()): the deleted rows'
   * old pages leave the database file and its write-ahead log only now.
   */
  completeErasure(): boolean {
    return this.store.erasure.emptyWal();
  }

  /** Marketers' actions that change things are written to the audit log. */
  recordMarketerAction(
    identity: ChatIdentity | undefined,
    action: string,
    subject: string,
    details = {},
  ): void {
    this.store.audit.write(`marketer:${identity?.id ?? 'unknown'}`, action, subject, details, this.now());
  }
}
