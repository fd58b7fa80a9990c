/**
 * The demo identities of the local web chat page: a marketer and a few real customers from the
 * order history. Only the local (unauthenticated, loopback-only) server offers them.
 *
 * Their channel user ids carry a random part created once per database, so that nobody on a real
 * channel (where a client may choose its own user id) can pose as them if the same database is
 * later served with credentials.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { channelUserKey, SqliteMarketerRepository, type MarketerRepository } from './marketers';
import type { PortableDb, RunInTransaction } from '../portableDb';
import type { PublicApi } from '../publicApi';

/** The channel the local web chat speaks as (what the Web Chat client itself sends). */
export const WEBCHAT_CHANNEL = 'webchat';

const MARKETER_PREFIX = 'dl_demo-marketer-';
const CUSTOMER_PREFIX = 'dl_demo-customer-';

export interface DemoCustomer {
  /** customers.id */
  id: number;
  /** The shop's customer number. */
  externalId: string;
  country: string | null;
  /** Purchase orders (not cancellations or returns). */
  orders: number;
  firstOrderAt: string;
  lastOrderAt: string;
}

export interface DemoChatUser {
  channelId: string;
  channelUserId: string;
}

/** LIKE pattern for a prefix, with '_' and '%' taken literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** What the rest of retain sees of the repository (any engine's implementation). */
export type WebChatDemoRepository = PublicApi<SqlWebChatDemoRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, LIKE over lower-cased text), so the
 * PostgreSQL store uses this class as it is. `marketers` must work on the same connection, so that
 * the demo marketer's rule is added in the same transaction.
 */
export class SqlWebChatDemoRepository {
  private readonly customersStmt;
  private readonly customerStmt;
  private readonly marketerRuleStmt;
  private readonly linkedUserStmt;
  private readonly insertLinkedUserStmt;

  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
    private readonly marketers: MarketerRepository,
  ) {
    // The customer with most purchases in each country, best first: real people from different
    // places, each with enough history for recommendations to have something to say.
    this.customersStmt = db.prepare(`
      WITH counted AS (
        SELECT c.id, c.external_id AS "externalId", c.country, COUNT(*) AS orders,
               MIN(o.ordered_at) AS "firstOrderAt", MAX(o.ordered_at) AS "lastOrderAt"
          FROM customers c JOIN orders o ON o.customer_id = c.id AND o.kind = 'purchase'
         WHERE c.forgotten_at IS NULL
         GROUP BY c.id
        HAVING COUNT(*) >= @minOrders),
      ranked AS (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY COALESCE(country, '') ORDER BY orders DESC, id) AS place
          FROM counted)
      SELECT id, "externalId", country, orders, "firstOrderAt", "lastOrderAt"
        FROM ranked WHERE place = 1
       ORDER BY orders DESC, id
       LIMIT @limit`);
    this.customerStmt = db.prepare(`
      SELECT c.id, c.external_id AS "externalId", c.country, COUNT(o.id) AS orders,
             MIN(o.ordered_at) AS "firstOrderAt", MAX(o.ordered_at) AS "lastOrderAt"
        FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.kind = 'purchase'
       WHERE c.external_id = ? AND c.forgotten_at IS NULL
       GROUP BY c.id`);
    // Both sides lower-cased: SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does
    // not (and its ILIKE is not SQLite's); lower() folds ASCII letters alike in both.
    this.marketerRuleStmt = db.prepare(`
      SELECT value FROM marketers
       WHERE match_kind = 'channel_user' AND lower(value) LIKE lower(@pattern) ESCAPE '\\'
       ORDER BY id LIMIT 1`);
    this.linkedUserStmt = db.prepare(`
      SELECT channel_user_id AS "channelUserId" FROM chat_identities
       WHERE channel_id = @channelId AND customer_id = @customerId
         AND lower(channel_user_id) LIKE lower(@pattern) ESCAPE '\\'
       ORDER BY id LIMIT 1`);
    this.insertLinkedUserStmt = db.prepare(`
      INSERT INTO chat_identities
        (channel_id, channel_user_id, display_name, role, customer_id, verified_at, created_at)
      VALUES (@channelId, @channelUserId, @displayName, 'customer', @customerId, @now, @now)`);
  }

  /** Up to `limit` customers with at least `minOrders` purchases, one per country, most orders first. */
  demoCustomers(limit = 4, minOrders = 3): DemoCustomer[] {
    return this.customersStmt.all({ limit, minOrders }) as DemoCustomer[];
  }

  /** A customer by the shop's customer number, unless forgotten. */
  customerByExternalId(externalId: string): DemoCustomer | undefined {
    return this.customerStmt.get(externalId) as DemoCustomer | undefined;
  }

  /** The demo marketer's chat user, created (with its marketer rule) on first use. */
  demoMarketer(at = new Date()): DemoChatUser {
    return this.inTransaction(() => {
      const pattern = likePrefix(channelUserKey(WEBCHAT_CHANNEL, MARKETER_PREFIX));
      const existing = this.marketerRuleStmt.get({ pattern }) as { value: string } | undefined;
      if (existing) {
        return {
          channelId: WEBCHAT_CHANNEL,
          channelUserId: existing.value.slice(WEBCHAT_CHANNEL.length + 1),
        };
      }
      const channelUserId = `${MARKETER_PREFIX}${randomPart()}`;
      this.marketers.add(
        'channel_user',
        channelUserKey(WEBCHAT_CHANNEL, channelUserId),
        'demo marketer of the local web chat page',
        'retain webchat',
        at,
      );
      return { channelId: WEBCHAT_CHANNEL, channelUserId };
    });
  }

  /**
   * The chat user that is this customer on the demo page, linked to the customer record (as if
   * verified), created on first use. Later turns keep the link: recording a visit never clears it.
   */
  demoCustomerUser(customer: Pick<DemoCustomer, 'id' | 'externalId'>, at = new Date()): DemoChatUser {
    return this.inTransaction(() => {
      const pattern = likePrefix(CUSTOMER_PREFIX);
      const existing = this.linkedUserStmt.get({
        channelId: WEBCHAT_CHANNEL,
        customerId: customer.id,
        pattern,
      }) as { channelUserId: string } | undefined;
      if (existing) return { channelId: WEBCHAT_CHANNEL, channelUserId: existing.channelUserId };
      const channelUserId = `${CUSTOMER_PREFIX}${randomPart()}`;
      this.insertLinkedUserStmt.run({
        channelId: WEBCHAT_CHANNEL,
        channelUserId,
        displayName: `Customer ${customer.externalId}`,
        customerId: customer.id,
        now: at.toISOString(),
      });
      return { channelId: WEBCHAT_CHANNEL, channelUserId };
    });
  }
}

export class SqliteWebChatDemoRepository extends SqlWebChatDemoRepository {
  constructor(db: Db) {
    super(db, (fn) => db.transaction(fn)(), new SqliteMarketerRepository(db));
  }
}

function randomPart(): string {
  return crypto.randomBytes(12).toString('hex');
}
