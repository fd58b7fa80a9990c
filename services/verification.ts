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
import crypto from 'node:crypto';
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

/**
 * Sends a one-time code to an address on file. Where the shop has an email channel, a chat user
 * who gives the right order number and email is linked only once they type the code that went to
 * that address: knowing an order number and an email (printed on a parcel, say) is then not enough.
 */
export interface VerificationCodeMailer {
  send(message: { to: string; code: string; validMinutes: number }): Promise<void>;
}

export interface CodeLimits {
  /** How long a code works. */
  validMs: number;
  /** Wrong tries a code survives; the last one closes it. */
  triesPerCode: number;
  /** Codes mailed to one customer record's address in `windowMs` of VerifyLimits. */
  codesPerWindow: number;
}

/** Ten minutes, three tries (a million codes: one chance in 333,000 per code), five emails a day. */
export const DEFAULT_CODE_LIMITS: CodeLimits = { validMs: 10 * MINUTE, triesPerCode: 3, codesPerWindow: 5 };

/**
 * What asking for a code gave. `maybeSent` is the answer for everything but a requester who must
 * wait: the details were wrong, the record is held, or a code went out, and the person is told the
 * same ("if the details match, a code is on its way") so the answer reveals nothing.
 */
export type CodeRequestResult =
  | { outcome: 'maybeSent' }
  | { outcome: 'locked'; waitMs: number }
  /** The details matched but the mail could not be handed over; nothing was linked. */
  | { outcome: 'mailFailed'; error: unknown };

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
    private readonly codeLimits: CodeLimits = DEFAULT_CODE_LIMITS,
  ) {}

  /** How long this chat user, from this address, must wait to try (0: now); asked before anything else. */
  waitMs(identityId: number, clientAddress: string | null = null): number {
    const keys = { identityId, customerId: null, email: null, clientAddress };
    const held = this.heldUntil(keys, REQUESTER_KEYS);
    return held ? held.retryAt.getTime() - this.now().getTime() : 0;
  }

  verifyAndLink(request: VerificationRequest): VerifyResult {
    const checked = this.checkDetails(request);
    if (!('customerId' in checked)) return checked;
    return this.store.transaction(() =>
      this.link(request.identityId, checked.customerId, checked.keys, 'order_and_email'),
    );
  }

  /**
   * The stronger path: the order number and email are checked as by verifyAndLink, and when they
   * match a one-time code goes to that address instead of a link being made. Nothing here tells
   * the person whether the details matched.
   */
  async requestCode(
    request: VerificationRequest,
    mailer: VerificationCodeMailer,
  ): Promise<CodeRequestResult> {
    const { codeLimits } = this;
    const checked = this.checkDetails(request);
    if (!('customerId' in checked)) {
      return checked.failure === 'locked' && checked.lockedBy === 'requester'
        ? { outcome: 'locked', waitMs: checked.waitMs }
        : { outcome: 'maybeSent' };
    }
    const now = this.now();
    const { verifyAttempts, audit } = this.store;
    const subject = `customer:${checked.customerId}`;
    const since = new Date(now.getTime() - this.limits.windowMs);
    if (verifyAttempts.codesSentSince(checked.customerId, since) >= codeLimits.codesPerWindow) {
      // The customer's inbox is not a way to annoy them: no more codes today, and the shop knows.
      audit.write(`chat_identity:${request.identityId}`, 'verify_code_capped', subject, {}, now);
      return { outcome: 'maybeSent' };
    }
    const code = crypto.randomInt(0, 1_000_000).toString().padStart(6, '0');
    const codeId = verifyAttempts.issueCode({
      identityId: request.identityId,
      customerId: checked.customerId,
      code,
      sentAt: now,
      expiresAt: new Date(now.getTime() + codeLimits.validMs),
    });
    try {
      await mailer.send({
        to: request.email.trim(),
        code,
        validMinutes: Math.round(codeLimits.validMs / MINUTE),
      });
    } catch (error) {
      verifyAttempts.closeCode(codeId, now);
      audit.write(`chat_identity:${request.identityId}`, 'verify_code_unsent', subject, {}, now);
      return { outcome: 'mailFailed', error };
    }
    audit.write(`chat_identity:${request.identityId}`, 'verify_code_sent', subject, {}, now);
    return { outcome: 'maybeSent' };
  }

  /**
   * Links the chat user when `code` is the one last sent for them and still open. A wrong code
   * counts as a failed verification of the chat user, the record and the client address, and
   * closes the code after its last try; a code is good for one link only.
   */
  confirmCode(identityId: number, code: string, clientAddress: string | null = null): VerifyResult {
    const now = this.now();
    const { verifyAttempts } = this.store;
    const open = verifyAttempts.openCode(identityId, now);
    const keys: VerifyAttemptKeys = {
      identityId,
      customerId: open?.customerId ?? null,
      email: null,
      clientAddress,
    };
    // No hold is checked here: a code's own tries, its expiry and the mails a record may get a
    // day bound guessing (15 tries at one in a million a day), and the answers must not differ
    // between a person with a code and one whose details were wrong (who has a failure more).
    return this.store.transaction((): VerifyResult => {
      if (open && verifyAttempts.codeMatches(open.id, code)) {
        verifyAttempts.closeCode(open.id, now);
        return this.link(identityId, open.customerId, keys, 'email_code');
      }
      if (open && verifyAttempts.codeTried(open.id) >= this.codeLimits.triesPerCode)
        verifyAttempts.closeCode(open.id, now);
      return this.fail(keys, null, now);
    });
  }

  /** The details checked, or the failure already recorded for them. */
  private checkDetails(
    request: VerificationRequest,
  ): { customerId: number; keys: VerifyAttemptKeys } | Exclude<VerifyResult, { linked: ChatIdentity }> {
    const now = this.now();
    const { verifyAttempts, customerOrders } = this.store;
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
    return this.store.transaction(() => {
      const before = new Date(now.getTime() - this.limits.windowMs);
      verifyAttempts.prune(before);
      verifyAttempts.pruneCodes(before);
      if (held || !check.verified) return this.fail(keys, held, now);
      return { customerId: check.customerId, keys };
    });
  }

  /** Records a failed attempt (audited, limits noticed) and says what the person may be told. */
  private fail(
    keys: VerifyAttemptKeys,
    held: { kind: VerifyKeyKind; retryAt: Date } | null,
    now: Date,
  ): Exclude<VerifyResult, { linked: ChatIdentity }> {
    this.store.verifyAttempts.record(keys, 'failed', now);
    this.store.audit.write(
      `chat_identity:${keys.identityId}`,
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

  private link(
    identityId: number,
    customerId: number,
    keys: VerifyAttemptKeys,
    by: 'order_and_email' | 'email_code',
  ): VerifyResult {
    const now = this.now();
    const linked = this.store.identities.linkCustomer(identityId, customerId, now);
    if (!linked) return { failure: 'not_verified' };
    this.store.verifyAttempts.record(keys, 'succeeded', now);
    this.store.audit.write(
      `chat_identity:${identityId}`,
      'customer_linked',
      `customer:${customerId}`,
      { by },
      now,
    );
    return { linked };
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
