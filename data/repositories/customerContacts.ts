/**
 * How to reach a customer beyond the order history, and whether they may be mailed: the contact
 * details and marketing consent `retain import customers` brings in, and the addresses that must
 * never be mailed again (hard bounces, complaints). Times are ISO-8601 UTC text.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import type { PublicApi } from '../publicApi';
import type { PortableDb } from '../portableDb';
import { normaliseEmail } from '../../lib/email';

export type PreferredChannel = 'chat' | 'email';
/** `erased`: the owner of the address asked to be forgotten. */
export type SuppressionReason = 'bounced' | 'complained' | 'erased';

/** One customer's row of a customer file; undefined fields are left as they are. */
export interface ContactUpdate {
  externalId: string;
  email?: string;
  name?: string;
  country?: string;
  timeZone?: string;
  consent?: { state: 'granted' | 'denied'; at?: string; source?: string };
  preferredChannel?: PreferredChannel;
}

/** `forgotten`: the customer asked to be forgotten; nothing was written. */
export type ContactOutcome = 'created' | 'updated' | 'unchanged' | 'forgotten';

export interface CustomerContact {
  customerId: number;
  externalId: string;
  email: string | null;
  name: string | null;
  preferredChannel: PreferredChannel | null;
  consentState: string;
  consentUpdatedAt: string | null;
  consentSource: string | null;
  forgottenAt: string | null;
}

export interface EmailSuppression {
  reason: SuppressionReason;
  detail: string | null;
  createdAt: string;
}

interface CurrentRow {
  id: number;
  email: string | null;
  country: string | null;
  time_zone: string | null;
  consent_state: string;
  consent_updated_at: string | null;
  forgotten_at: string | null;
  has_contact: number | null;
  name: string | null;
  preferred_channel: PreferredChannel | null;
  consent_source: string | null;
}

/** The suppression list's key: a hash, so the list does not keep the address itself. */
export function addressHash(address: string): string {
  return crypto.createHash('sha256').update(normaliseEmail(address)).digest('hex');
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type CustomerContactRepository = PublicApi<SqlCustomerContactRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted), so the PostgreSQL store uses this
 * class as it is (data/postgres/store.ts).
 */
export class SqlCustomerContactRepository {
  private readonly currentStmt;
  private readonly insertCustomerStmt;
  private readonly updateCustomerStmt;
  private readonly upsertContactStmt;
  private readonly contactStmt;
  private readonly byEmailStmt;
  private readonly suppressStmt;
  private readonly suppressionStmt;
  private readonly erasedStmt;

  constructor(db: PortableDb) {
    this.currentStmt = db.prepare(`
      SELECT c.id, c.email, c.country, c.time_zone, c.consent_state, c.consent_updated_at, c.forgotten_at,
             k.customer_id IS NOT NULL AS has_contact, k.name, k.preferred_channel, k.consent_source
        FROM customers c LEFT JOIN customer_contacts k ON k.customer_id = c.id
       WHERE c.external_id = ?`);
    this.insertCustomerStmt = db.prepare(`
      INSERT INTO customers (external_id, email, country, time_zone, consent_state, consent_updated_at, created_at)
      VALUES (@externalId, @email, @country, @timeZone, @consentState, @consentUpdatedAt, @now)
      RETURNING id`);
    this.updateCustomerStmt = db.prepare(`
      UPDATE customers SET email = @email, country = @country, time_zone = @timeZone,
             consent_state = @consentState, consent_updated_at = @consentUpdatedAt
       WHERE id = @id`);
    this.upsertContactStmt = db.prepare(`
      INSERT INTO customer_contacts (customer_id, name, preferred_channel, consent_source, updated_at, import_id)
      VALUES (@customerId, @name, @preferredChannel, @consentSource, @now, @importId)
      ON CONFLICT (customer_id) DO UPDATE SET
        name = excluded.name, preferred_channel = excluded.preferred_channel,
        consent_source = excluded.consent_source, updated_at = excluded.updated_at,
        import_id = excluded.import_id`);
    this.contactStmt = db.prepare(`
      SELECT c.id AS "customerId", c.external_id AS "externalId", c.email, k.name,
             k.preferred_channel AS "preferredChannel", c.consent_state AS "consentState",
             c.consent_updated_at AS "consentUpdatedAt", k.consent_source AS "consentSource",
             c.forgotten_at AS "forgottenAt"
        FROM customers c LEFT JOIN customer_contacts k ON k.customer_id = c.id
       WHERE c.id = ?`);
    this.byEmailStmt = db.prepare(`SELECT id FROM customers WHERE email = ? ORDER BY id`);
    this.suppressStmt = db.prepare(`
      INSERT INTO email_suppressions (address_hash, reason, detail, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (address_hash) DO NOTHING`);
    this.erasedStmt = db.prepare(
      `SELECT 'erased' AS reason, NULL AS detail, erased_at AS "createdAt" FROM erased_emails WHERE address_hash = ?`,
    );
    this.suppressionStmt = db.prepare(
      `SELECT reason, detail, created_at AS "createdAt" FROM email_suppressions WHERE address_hash = ?`,
    );
  }

  /**
   * Writes one customer's contact details and consent, creating the customer if the order history
   * does not know them yet. Only what differs is written, so importing the same file twice
   * changes nothing the second time. A forgotten customer is never written again.
   */
  apply(
    u: ContactUpdate,
    importId: number,
    now: Date,
  ): { customerId: number | null; outcome: ContactOutcome } {
    const nowIso = now.toISOString();
    const cur = this.currentStmt.get(u.externalId) as CurrentRow | undefined;
    if (cur?.forgotten_at) return { customerId: cur.id, outcome: 'forgotten' };
    // The same person under a new record (their old one was pseudonymised): still forgotten.
    if (u.email && this.erasedStmt.get(addressHash(u.email)))
      return { customerId: cur?.id ?? null, outcome: 'forgotten' };

    const consentState = u.consent?.state ?? cur?.consent_state ?? 'unknown';
    const consentChanged = u.consent !== undefined && u.consent.state !== cur?.consent_state;
    // The time consent was given: the file's, else now when it changed, else what was recorded.
    const consentUpdatedAt = u.consent?.at ?? (consentChanged ? nowIso : (cur?.consent_updated_at ?? null));
    const customer = {
      email: u.email ?? cur?.email ?? null,
      country: u.country ?? cur?.country ?? null,
      timeZone: u.timeZone ?? cur?.time_zone ?? null,
      consentState,
      consentUpdatedAt,
    };
    const contact = {
      name: u.name ?? cur?.name ?? null,
      preferredChannel: u.preferredChannel ?? cur?.preferred_channel ?? null,
      consentSource: u.consent?.source ?? cur?.consent_source ?? null,
    };
    const wantsContact =
      contact.name !== null || contact.preferredChannel !== null || contact.consentSource !== null;

    if (!cur) {
      const { id } = this.insertCustomerStmt.get({ externalId: u.externalId, now: nowIso, ...customer }) as {
        id: number;
      };
      if (wantsContact) this.upsertContactStmt.run({ customerId: id, now: nowIso, importId, ...contact });
      return { customerId: id, outcome: 'created' };
    }
    const customerChanged =
      customer.email !== cur.email ||
      customer.country !== cur.country ||
      customer.timeZone !== cur.time_zone ||
      customer.consentState !== cur.consent_state ||
      customer.consentUpdatedAt !== cur.consent_updated_at;
    const contactChanged =
      wantsContact &&
      (!cur.has_contact ||
        contact.name !== cur.name ||
        contact.preferredChannel !== cur.preferred_channel ||
        contact.consentSource !== cur.consent_source);
    if (customerChanged) this.updateCustomerStmt.run({ id: cur.id, ...customer });
    if (contactChanged) this.upsertContactStmt.run({ customerId: cur.id, now: nowIso, importId, ...contact });
    return { customerId: cur.id, outcome: customerChanged || contactChanged ? 'updated' : 'unchanged' };
  }

  contact(customerId: number): CustomerContact | undefined {
    return this.contactStmt.get(customerId) as CustomerContact | undefined;
  }

  /** Customers whose address this is (usually one). */
  customersWithEmail(address: string): number[] {
    return (this.byEmailStmt.all(normaliseEmail(address)) as { id: number }[]).map((r) => r.id);
  }

  /** Never mail this address again; false when it was already suppressed (the first reason stays). */
  suppress(address: string, reason: SuppressionReason, detail: string | null, at: Date): boolean {
    return this.suppressStmt.run(addressHash(address), reason, detail, at.toISOString()).changes === 1;
  }

  suppression(address: string): EmailSuppression | undefined {
    const hash = addressHash(address);
    return (this.suppressionStmt.get(hash) ?? this.erasedStmt.get(hash)) as EmailSuppression | undefined;
  }

  isSuppressed(address: string): boolean {
    return this.suppression(address) !== undefined;
  }
}

export class SqliteCustomerContactRepository extends SqlCustomerContactRepository {
  constructor(db: Db) {
    super(db);
  }
}
