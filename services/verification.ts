/**
 * Linking a chat user to a customer record by an order number and the email on that order, with
 * limits that make guessing useless. Failures are counted per chat user, per customer record
 * (the owner of the order number given), per email address and per client address, over a
 * rolling window. Each key may fail a few times freely; after that the next try waits, and the
 * wait doubles with every further failure. A new chat session, a new conversation or a restart
 * resets nothing: the counters are in the database.
 *
 * When a customer record (or the email address on file for one) reaches its limit, the shop is
 * told: an audit entry, and a notice in the list marketers see in chat ("handoffs"), so that
 * somebody checks with the customer.
 */
import type { Store } from '../data/store';
import type { ChatIdentity } from '../data/repositories/chatIdentities';
import type { FailureCount, VerifyAttemptKeys, VerifyKeyKind } from '../data/repositories/verifyAttempts';

export interface VerifyLimits {
  /** Failures older than this are forgotten. */
  windowMs: number;
  /** Failures allowed per key in the window before back-off starts. */
  freeFailures: Record<VerifyKeyKind, number>;
  /** The wait after the first failure over the allowance; each further failure doubles it. */
  baseWaitMs: number;
  maxWaitMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Defaults: three failures per chat user, customer record and email address a day (a customer
 * who mistypes twice still gets in), ten per client address (offices and mobile networks share
 * addresses); then 15 minutes, 30, 1 h, 2 h... up to a day. That is about ten guesses a day per
 * customer, however many sessions or addresses an attacker uses.
 */
export const DEFAULT_VERIFY_LIMITS: VerifyLimits = {
  windowMs: 24 * HOUR,
  freeFailures: { identity: 3, customer: 3, email: 3, address: 10 },
  baseWaitMs: 15 * MINUTE,
  maxWaitMs: 24 * HOUR,
};

/** When a key may be tried again (null: now), from its failures in the window. */
function nextTryAt(count: FailureCount, free: number, limits: VerifyLimits): Date | null {
  if (count.failures < free || count.lastFailureAt === null) return null;
  const wait = Math.min(limits.baseWaitMs * 2 ** (count.failures - free), limits.maxWaitMs);
  return new Date(Date.parse(count.lastFailureAt) + wait);
}

/**
 * Who is held back: the person asking (their chat user or address is over its limit, so they
 * may be told to wait), or the record asked about (then the answer must be the same as for
 * wrong details, or it would confirm that the order number exists).
 */
type LockedBy = 'requester' | 'record';

export type VerifyResult =
  | { linked: ChatIdentity }
  | { failure: 'not_verified' }
  | { failure: 'locked'; lockedBy: LockedBy; waitMs: number };

export interface VerificationRequest {
  identityId: number;
  invoice: string;
  email: string;
  /** The client's network address, when the channel tells it. */
  clientAddress?: string | null;
}

const REQUESTER_KEYS: VerifyKeyKind[] = ['identity', 'address'];
const ALL_KEYS: VerifyKeyKind[] = ['identity', 'address', 'customer', 'email'];

export class VerificationGuard {
  constructor(
    private readonly store: Store,
    private readonly now: () => Date,
    private readonly limits: VerifyLimits = DEFAULT_VERIFY_LIMITS,
  ) {}

  /** How long this chat user, from this address, must wait to try (0: now); asked before anything else. */
  waitMs(identityId: number, clientAddress: string | null = null): number {
    const keys = { identityId, customerId: null, email: null, clientAddress };
    const held = this.heldUntil(keys, REQUESTER_KEYS);
    return held ? held.retryAt.getTime() - this.now().getTime() : 0;
  }

  verifyAndLink(request: VerificationRequest): VerifyResult {
    const now = this.now();
    const { verifyAttempts, customerOrders, identities, audit } = this.store;
    const check = customerOrders.verify(request.invoice, request.email);
    const keys: VerifyAttemptKeys = {
      identityId: request.identityId,
      customerId: check.verified ? check.customerId : check.targetCustomerId,
      email: request.email,
      clientAddress: request.clientAddress ?? null,
    };
    // Decided before the check's answer is used: a held key gets no answer at all, right or
    // wrong. The refused attempt still counts, so hammering a held record only holds it longer.
    const held = this.heldUntil(keys, ALL_KEYS);
    return this.store.transaction((): VerifyResult => {
      verifyAttempts.prune(new Date(now.getTime() - this.limits.windowMs));
      if (held || !check.verified) {
        verifyAttempts.record(keys, 'failed', now);
        audit.write(
          `chat_identity:${request.identityId}`,
          'verify_failed',
          null,
          { held: held?.kind ?? null },
          now,
        );
        this.noticeNewLocks(keys, now);
        if (!held) return { failure: 'not_verified' };
        // The wait as it is now, this attempt included.
        const until = this.heldUntil(keys, ALL_KEYS) ?? held;
        return {
          failure: 'locked',
          lockedBy: REQUESTER_KEYS.includes(held.kind) ? 'requester' : 'record',
          waitMs: until.retryAt.getTime() - now.getTime(),
        };
      }
      const linked = identities.linkCustomer(request.identityId, check.customerId, now);
      if (!linked) return { failure: 'not_verified' };
      verifyAttempts.record(keys, 'succeeded', now);
      audit.write(
        `chat_identity:${request.identityId}`,
        'customer_linked',
        `customer:${check.customerId}`,
        { by: 'order_and_email' },
        now,
      );
      return { linked };
    });
  }

  /** The key that holds the longest, if any is over its limit now. */
  private heldUntil(
    keys: VerifyAttemptKeys,
    kinds: VerifyKeyKind[],
  ): { kind: VerifyKeyKind; retryAt: Date } | null {
    const now = this.now();
    const counts = this.store.verifyAttempts.failures(keys, new Date(now.getTime() - this.limits.windowMs));
    let held: { kind: VerifyKeyKind; retryAt: Date } | null = null;
    for (const kind of kinds) {
      const count = counts[kind];
      if (!count) continue;
      const at = nextTryAt(count, this.limits.freeFailures[kind], this.limits);
      if (at && at > now && (!held || at > held.retryAt)) held = { kind, retryAt: at };
    }
    return held;
  }

  /**
   * After a failure: a key that has just used up its allowance is audited, and a customer record
   * under attack (directly, or through the email address on file for it) is put in front of the
   * shop's team.
   */
  private noticeNewLocks(keys: VerifyAttemptKeys, now: Date): void {
    const counts = this.store.verifyAttempts.failures(keys, new Date(now.getTime() - this.limits.windowMs));
    const customers = new Set<number>();
    for (const [kind, count] of Object.entries(counts) as Array<[VerifyKeyKind, FailureCount]>) {
      if (count.failures !== this.limits.freeFailures[kind]) continue;
      let customerId: number | undefined;
      if (kind === 'customer' && keys.customerId !== null) customerId = keys.customerId;
      if (kind === 'email' && keys.email)
        customerId = this.store.customerOrders.customerWithEmail(keys.email);
      this.store.audit.write(
        `chat_identity:${keys.identityId ?? 'unknown'}`,
        'verify_locked',
        customerId !== undefined ? `customer:${customerId}` : null,
        {
          key: kind,
          failures: count.failures,
          // The address lets the shop block it; the email typed is never written down.
          ...(kind === 'address' ? { clientAddress: keys.clientAddress } : {}),
        },
        now,
      );
      if (customerId !== undefined) customers.add(customerId);
    }
    for (const customerId of customers) {
      this.store.handoffs.open(
        null,
        customerId,
        `Security: chat verification for this customer is paused after repeated failed attempts ` +
          `(order number and email) in the last ${Math.round(this.limits.windowMs / HOUR)} h. ` +
          `Someone may be trying to take over their account: check with the customer before linking any chat account.`,
        now,
      );
    }
  }
}
