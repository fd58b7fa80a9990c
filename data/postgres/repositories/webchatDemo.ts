import crypto from 'node:crypto';
import type { PgDb } from '../statement';
import { SqlMarketerRepository, channelUserKey } from '../../repositories/marketers';
import {
  WEBCHAT_CHANNEL,
  type DemoChatUser,
  type DemoCustomer,
  type WebChatDemoRepository,
} from '../../repositories/webchatDemo';

const MARKETER_PREFIX = 'dl_demo-marketer-';
const CUSTOMER_PREFIX = 'dl_demo-customer-';

/** LIKE pattern for a prefix, with '_' and '%' taken literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class PostgresWebChatDemoRepository implements WebChatDemoRepository {
  private readonly customersStmt;
  private readonly customerStmt;
  private readonly marketerRuleStmt;
  private readonly linkedUserStmt;
  private readonly insertLinkedUserStmt;
  private readonly marketers: SqlMarketerRepository;

  constructor(private readonly db: PgDb) {
    this.marketers = new SqlMarketerRepository(db);
    this.customersStmt = db.prepare<DemoCustomer>(`
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
    this.customerStmt = db.prepare<DemoCustomer>(`
      SELECT c.id, c.external_id AS "externalId", c.country, COUNT(o.id) AS orders,
             MIN(o.ordered_at) AS "firstOrderAt", MAX(o.ordered_at) AS "lastOrderAt"
        FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.kind = 'purchase'
       WHERE c.external_id = ? AND c.forgotten_at IS NULL
       GROUP BY c.id`);
    // ILIKE: SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not.
    this.marketerRuleStmt = db.prepare<{ value: string }>(`
      SELECT value FROM marketers
       WHERE match_kind = 'channel_user' AND value ILIKE @pattern ESCAPE '\\'
       ORDER BY id LIMIT 1`);
    this.linkedUserStmt = db.prepare<{ channelUserId: string }>(`
      SELECT channel_user_id AS "channelUserId" FROM chat_identities
       WHERE channel_id = @channelId AND customer_id = @customerId AND channel_user_id ILIKE @pattern ESCAPE '\\'
       ORDER BY id LIMIT 1`);
    this.insertLinkedUserStmt = db.prepare(`
      INSERT INTO chat_identities
        (channel_id, channel_user_id, display_name, role, customer_id, verified_at, created_at)
      VALUES (@channelId, @channelUserId, @displayName, 'customer', @customerId, @now, @now)`);
  }

  demoCustomers(limit = 4, minOrders = 3): DemoCustomer[] {
    return this.customersStmt.all({ limit, minOrders });
  }

  customerByExternalId(externalId: string): DemoCustomer | undefined {
    return this.customerStmt.get(externalId);
  }

  demoMarketer(at = new Date()): DemoChatUser {
    return this.db.transaction(() => {
      const pattern = likePrefix(channelUserKey(WEBCHAT_CHANNEL, MARKETER_PREFIX));
      const existing = this.marketerRuleStmt.get({ pattern });
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

  demoCustomerUser(customer: Pick<DemoCustomer, 'id' | 'externalId'>, at = new Date()): DemoChatUser {
    return this.db.transaction(() => {
      const existing = this.linkedUserStmt.get({
        channelId: WEBCHAT_CHANNEL,
        customerId: customer.id,
        pattern: likePrefix(CUSTOMER_PREFIX),
      });
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

function randomPart(): string {
  return crypto.randomBytes(12).toString('hex');
}
