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

export type VerifyResult = { linked: ChatIdentity } | { failure: 'no_match' | 'no_email_on_file' };

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
}

export class CustomerCareService {
  private readonly now: () => Date;

  constructor(
    private readonly store: Store,
    private readonly options: CustomerCareOptions,
  ) {
    this.now = options.now ?? (() => new Date());
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
   * Failed verifications of a chat user in the last day. Counted from the audit log, so neither a
   * restart nor a new conversation resets the limit (it would otherwise allow guessing emails).
   */
  recentVerifyFailures(identityId: number): number {
    const since = new Date(this.now().getTime() - 86_400_000);
    return this.store.audit.count(`chat_identity:${identityId}`, 'verify_failed', since);
  }

  /** Links a chat user to a customer after checking an order number and the email on file. */
  verifyAndLink(identityId: number, invoice: string, email: string): VerifyResult {
    const result = this.store.customerOrders.verify(invoice, email);
    if ('failure' in result) {
      this.store.audit.write(`chat_identity:${identityId}`, 'verify_failed', null, {
        reason: result.failure,
      });
      return result;
    }
    const linked = this.store.identities.linkCustomer(identityId, result.customerId, this.now());
    if (!linked) return { failure: 'no_match' };
    this.store.audit.write(
      `chat_identity:${identityId}`,
      'customer_linked',
      `customer:${result.customerId}`,
      {
        by: 'order_and_email',
      },
    );
    return { linked };
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

  recordFeedback(identity: ChatIdentity | undefined, text: string, sentiment: SentimentResult): number {
    return this.store.feedback.record({
      customerId: identity?.customerId ?? null,
      chatIdentityId: identity?.id ?? null,
      text: text.slice(0, 2000),
      sentimentScore: sentiment.score,
      sentimentLabel: sentiment.label,
    });
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

  forget(identityId: number): ErasureResult {
    const result = this.store.erasure.forgetIdentity(identityId, this.now());
    this.options.onErased?.();
    return result;
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
