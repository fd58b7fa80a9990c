/**
 * What customers and mail providers tell retain about email: unsubscribes from the link in every
 * message, addresses that bounced for good, complaints ("this is spam"). Each one stops every
 * marketing channel for the customer, as "stop" in chat does, and is written to the audit log.
 */
import type { Store } from '../data/store';
import type { SuppressionReason } from '../data/repositories/customerContacts';
import { isEmailAddress } from '../lib/email';

export interface UnsubscribeOutcome {
  /** False when the customer no longer exists (nothing to do). */
  known: boolean;
  /** Whether this request changed anything (false: they had already opted out, or were forgotten). */
  changed: boolean;
}

export class EmailPreferenceService {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether the customer exists and whether promotions already stopped for them. */
  status(customerId: number): { known: boolean; optedOut: boolean } {
    const contact = this.store.contacts.contact(customerId);
    if (!contact) return { known: false, optedOut: false };
    return {
      known: true,
      optedOut: contact.forgottenAt !== null || this.store.optOuts.isOptedOut(customerId),
    };
  }

  /**
   * The customer unsubscribed by the link in a message: every channel stops, messages still
   * queued are skipped, and the audit log says so. Repeating it changes nothing.
   */
  unsubscribe(customerId: number, details: { oneClick: boolean }): UnsubscribeOutcome {
    const store = this.store;
    const contact = store.contacts.contact(customerId);
    if (!contact) return { known: false, changed: false };
    if (contact.forgottenAt !== null) return { known: true, changed: false };
    const now = this.now();
    return store.transaction(() => {
      const changed = store.optOuts.optOut(customerId, 'unsubscribed by the link in an email', null, now);
      if (changed) {
        store.outbox.skipPendingFor(customerId, 'opted_out', now);
        store.audit.write(
          `customer:${customerId}`,
          'email.unsubscribe',
          `customer:${customerId}`,
          { via: 'email link', oneClick: details.oneClick },
          now,
        );
      }
      return { known: true, changed };
    });
  }

  /**
   * A bounce or a complaint the relay or mailbox provider reported (e.g. from its dashboard or
   * feedback loop): the address is never mailed again and its customers are opted out everywhere.
   */
  suppress(
    address: string,
    reason: SuppressionReason,
    detail: string | null,
    actor: string,
  ): { newlySuppressed: boolean; customers: number } {
    if (!isEmailAddress(address.trim())) throw new Error(`'${address}' is not an email address`);
    const store = this.store;
    const now = this.now();
    return store.transaction(() => {
      const newlySuppressed = store.contacts.suppress(address, reason, detail, now);
      const customers = store.contacts.customersWithEmail(address);
      for (const customerId of customers) {
        if (store.optOuts.optOut(customerId, `email ${reason}`, null, now))
          store.outbox.skipPendingFor(customerId, 'opted_out', now);
        store.audit.write(actor, `email.${reason}`, `customer:${customerId}`, { detail }, now);
      }
      return { newlySuppressed, customers: customers.length };
    });
  }
}
