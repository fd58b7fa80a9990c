/**
 * The store on PostgreSQL: the same repositories as SQLite's (data/store.ts), written in
 * PostgreSQL's dialect, over one synchronous connection (bridge.ts). Several instances of retain
 * open one each on the same database and share everything in it.
 */
import type { OpenStoreOptions, Store, StoreInfo } from '../store';
import { StoreNotFoundError } from '../storeErrors';
import { postgresMigrations } from './migrations';
import { SyncPostgres, redactUrl, type BridgeOptions } from './bridge';
import { PgDb } from './statement';
import { migratePostgres, postgresSchemaVersion, postgresTableNames } from './schema';
import { SqlAuditLogRepository } from '../repositories/auditLog';
import { SqlBotStateRepository } from '../repositories/botState';
import { PostgresCampaignRepository } from './repositories/campaigns';
import { SqlChatIdentityRepository } from '../repositories/chatIdentities';
import { SqlCustomerOrdersRepository } from '../repositories/customerOrders';
import { SqlCustomerScoreRepository } from '../repositories/customerScores';
import { SqlErasureRepository } from '../repositories/erasure';
import { SqlFeedbackRepository } from '../repositories/feedback';
import { SqlHandoffRepository } from '../repositories/handoffs';
import { PostgresJobRunRepository } from './repositories/jobRuns';
import { SqlMarketerRepository } from '../repositories/marketers';
import { PostgresModelFileRepository } from './repositories/modelFiles';
import { SqlModelRunRepository } from '../repositories/modelRuns';
import { SqlOptOutRepository } from '../repositories/optOuts';
import { SqlOrderHistoryRepository } from '../repositories/orderHistory';
import { PostgresOrderImportRepository } from './repositories/orderImport';
import { PostgresOutboxRepository } from './repositories/outbox';
import { PostgresRecsDataRepository } from './repositories/recsData';
import { SqlSalesInsightsRepository } from '../repositories/salesInsights';
import { SqlVerifyAttemptRepository } from '../repositories/verifyAttempts';
import { SqlWebChatDemoRepository } from '../repositories/webchatDemo';
import { POSTGRES, PostgresShopFactsRepository } from './repositories/shopFacts';
import { SqlCustomerContactRepository } from '../repositories/customerContacts';

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export function openPostgresStore(
  url: string,
  options: OpenStoreOptions & BridgeOptions = {},
): PostgresStore {
  const pg = new SyncPostgres(url, options);
  try {
    if (options.mustExist && postgresSchemaVersion(pg) === 0)
      throw new StoreNotFoundError(`no retain database at ${redactUrl(url)} (run \`retain db migrate\`)`);
    if (options.migrate ?? !options.readonly) migratePostgres(pg);
    return new PostgresStore(pg);
  } catch (err) {
    pg.close();
    throw err;
  }
}

export class PostgresStore implements Store {
  private readonly made = new Map<string, unknown>();
  private readonly db: PgDb;

  constructor(readonly pg: SyncPostgres) {
    this.db = new PgDb(pg);
  }

  /** Repositories prepare their statements once, on first use, and are kept for the store's life. */
  private repo<T>(name: string, make: (db: PgDb) => T): T {
    let r = this.made.get(name) as T | undefined;
    if (!r) this.made.set(name, (r = make(this.db)));
    return r;
  }

  get audit() {
    return this.repo('audit', (db) => new SqlAuditLogRepository(db));
  }
  get botState() {
    return this.repo('botState', (db) => new SqlBotStateRepository(db, (fn) => db.transaction(fn)));
  }
  get campaigns() {
    return this.repo('campaigns', (db) => new PostgresCampaignRepository(db));
  }
  get identities() {
    return this.repo('identities', (db) => new SqlChatIdentityRepository(db, (fn) => db.transaction(fn)));
  }
  get contacts() {
    return this.repo('contacts', (db) => new SqlCustomerContactRepository(db));
  }
  get customerOrders() {
    return this.repo('customerOrders', (db) => new SqlCustomerOrdersRepository(db));
  }
  get scores() {
    return this.repo(
      'scores',
      (db) =>
        new SqlCustomerScoreRepository(
          db,
          (fn) => db.transaction(fn),
          () => db.exec('ANALYZE customer_scores'),
        ),
    );
  }
  get erasure() {
    return this.repo(
      'erasure',
      // No write-ahead log of retain's to empty: the server's is the server's (data/repositories/erasure.ts).
      (db) =>
        new SqlErasureRepository(
          db,
          (fn) => db.transaction(fn),
          this.audit,
          () => true,
        ),
    );
  }
  get feedback() {
    return this.repo('feedback', (db) => new SqlFeedbackRepository(db));
  }
  get handoffs() {
    return this.repo('handoffs', (db) => new SqlHandoffRepository(db, (fn) => db.transaction(fn)));
  }
  get marketers() {
    return this.repo('marketers', (db) => new SqlMarketerRepository(db));
  }
  get runs() {
    return this.repo('runs', (db) => new SqlModelRunRepository(db));
  }
  get optOuts() {
    return this.repo('optOuts', (db) => new SqlOptOutRepository(db, (fn) => db.transaction(fn)));
  }
  get orders() {
    return this.repo('orders', (db) => new SqlOrderHistoryRepository(db));
  }
  get imports() {
    return this.repo('imports', (db) => new PostgresOrderImportRepository(db, this.pg));
  }
  get outbox() {
    return this.repo('outbox', (db) => new PostgresOutboxRepository(db));
  }
  get recsData() {
    return this.repo('recsData', (db) => new PostgresRecsDataRepository(db));
  }
  get sales() {
    return this.repo('sales', (db) => new SqlSalesInsightsRepository(db, POSTGRES));
  }
  get facts() {
    return this.repo('facts', (db) => new PostgresShopFactsRepository(db));
  }
  get verifyAttempts() {
    return this.repo(
      'verifyAttempts',
      (db) => new SqlVerifyAttemptRepository(db, (fn) => db.transaction(fn)),
    );
  }
  get webChatDemo() {
    return this.repo(
      'webChatDemo',
      (db) => new SqlWebChatDemoRepository(db, (fn) => db.transaction(fn), this.marketers),
    );
  }
  get jobRuns() {
    return this.repo('jobRuns', (db) => new PostgresJobRunRepository(db));
  }
  get modelFiles() {
    return this.repo('modelFiles', (db) => new PostgresModelFileRepository(db));
  }

  transaction<T>(fn: () => T): T {
    return this.pg.transaction(fn);
  }

  info(): StoreInfo {
    return {
      engine: 'postgres',
      location: redactUrl(this.pg.url),
      schemaVersion: postgresSchemaVersion(this.pg),
      latestSchemaVersion: postgresMigrations.at(-1)?.version ?? 0,
      tables: postgresTableNames(this.pg),
    };
  }

  close(): void {
    this.pg.close();
  }
}
