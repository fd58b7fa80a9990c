/**
 * The persistence seam: one object per database that holds every repository and runs
 * transactions. Everything outside `data/` reaches the database through a `Store` and never sees
 * the driver or its handle. Two engines implement the same repositories: SQLite (one file, the
 * default) and PostgreSQL (data/postgres/, for several instances sharing one database), chosen by
 * where the store is: a `postgres://` URL or a file name.
 *
 * The repositories' methods are synchronous, as better-sqlite3's are: PostgreSQL's driver is
 * asynchronous, so its repositories run over a synchronous bridge (a worker thread and
 * Atomics.wait, data/postgres/bridge.ts), which blocks the event loop for one query exactly as
 * SQLite does.
 */
import fs from 'node:fs';
import { openDatabase, schemaVersion, tableNames, type Db, type OpenOptions } from './db';
import { migrations } from './migrations';
import { SqliteAuditLogRepository, type AuditLogRepository } from './repositories/auditLog';
import { SqliteBotStateRepository, type BotStateRepository } from './repositories/botState';
import { SqliteCampaignRepository, type CampaignRepository } from './repositories/campaigns';
import { SqliteChatIdentityRepository, type ChatIdentityRepository } from './repositories/chatIdentities';
import {
  SqliteCustomerContactRepository,
  type CustomerContactRepository,
} from './repositories/customerContacts';
import { SqliteCustomerOrdersRepository, type CustomerOrdersRepository } from './repositories/customerOrders';
import { SqliteCustomerScoreRepository, type CustomerScoreRepository } from './repositories/customerScores';
import { SqliteErasureRepository, type ErasureRepository } from './repositories/erasure';
import { SqliteFeedbackRepository, type FeedbackRepository } from './repositories/feedback';
import { SqliteHandoffRepository, type HandoffRepository } from './repositories/handoffs';
import { SqliteMarketerRepository, type MarketerRepository } from './repositories/marketers';
import { SqliteModelRunRepository, type ModelRunRepository } from './repositories/modelRuns';
import { SqliteOptOutRepository, type OptOutRepository } from './repositories/optOuts';
import { SqliteOrderHistoryRepository, type OrderHistoryRepository } from './repositories/orderHistory';
import { SqliteOrderImportRepository, type OrderImportRepository } from './repositories/orderImport';
import { SqliteOutboxRepository, type OutboxRepository } from './repositories/outbox';
import { SqliteRecsDataRepository, type RecsDataRepository } from './repositories/recsData';
import { SqliteSalesInsightsRepository, type SalesInsightsRepository } from './repositories/salesInsights';
import { SqliteShopFactsRepository, type ShopFactsRepository } from './repositories/shopFacts';
import { SqliteVerifyAttemptRepository, type VerifyAttemptRepository } from './repositories/verifyAttempts';
import { SqliteWebChatDemoRepository, type WebChatDemoRepository } from './repositories/webchatDemo';
import { SqliteJobRunRepository, type JobRunRepository } from './repositories/jobRuns';
import { LocalModelFileRepository, type ModelFileRepository } from './repositories/modelFiles';
import { isPostgresUrl, openPostgresStore } from './postgres/store';
import { redactUrl } from './postgres/bridge';
import { StoreNotFoundError } from './storeErrors';

export interface Repositories {
  readonly audit: AuditLogRepository;
  readonly botState: BotStateRepository;
  readonly campaigns: CampaignRepository;
  readonly identities: ChatIdentityRepository;
  readonly contacts: CustomerContactRepository;
  readonly customerOrders: CustomerOrdersRepository;
  readonly scores: CustomerScoreRepository;
  readonly erasure: ErasureRepository;
  readonly feedback: FeedbackRepository;
  readonly handoffs: HandoffRepository;
  readonly marketers: MarketerRepository;
  readonly runs: ModelRunRepository;
  readonly optOuts: OptOutRepository;
  readonly orders: OrderHistoryRepository;
  readonly imports: OrderImportRepository;
  readonly outbox: OutboxRepository;
  readonly recsData: RecsDataRepository;
  readonly sales: SalesInsightsRepository;
  /** Marketers' questions about the shop's figures (whitelisted SQL fragments, bound values). */
  readonly facts: ShopFactsRepository;
  readonly verifyAttempts: VerifyAttemptRepository;
  readonly webChatDemo: WebChatDemoRepository;
  readonly jobRuns: JobRunRepository;
  /** Saved model files (model_runs.artifact_path): files on disk for SQLite, rows for PostgreSQL. */
  readonly modelFiles: ModelFileRepository;
}

export interface StoreInfo {
  engine: 'sqlite' | 'postgres';
  /** Where the data lives: a file name for SQLite, the URL (without its password) for PostgreSQL. */
  location: string;
  schemaVersion: number;
  latestSchemaVersion: number;
  tables: string[];
}

export interface Store extends Repositories {
  /**
   * Runs `fn` in one transaction: everything it writes through the repositories lands together or
   * not at all. Nested calls join the outer transaction (as savepoints).
   */
  transaction<T>(fn: () => T): T;
  info(): StoreInfo;
  close(): void;
}

export { StoreNotFoundError };

export interface OpenStoreOptions extends OpenOptions {
  /**
   * Refuse to create a database that does not exist yet (read-only commands such as `db info`: a
   * typo in the file name must not leave an empty database behind).
   */
  mustExist?: boolean;
}

/**
 * Opens (creating and migrating unless told otherwise) the store at `location`: a PostgreSQL
 * database for a postgres:// (or postgresql://) URL, else the SQLite file of that name.
 */
export function openStore(location: string, options: OpenStoreOptions = {}): Store {
  if (isPostgresUrl(location)) return openPostgresStore(location, options);
  if (options.mustExist && location !== ':memory:' && !fs.existsSync(location))
    throw new StoreNotFoundError(`no database at ${location}`);
  return new SqliteStore(location, openDatabase(location, options));
}

/**
 * Where the configured store is: an explicit location (a command's --db), else RETAIN_DATABASE_URL
 * (PostgreSQL; then no SQLite file is created or read), else the SQLite file RETAIN_DB.
 */
export function configuredStoreLocation(
  config: { dbFile: string; databaseUrl?: string },
  override?: string,
): string {
  return override ?? config.databaseUrl ?? config.dbFile;
}

export { isPostgresUrl, redactUrl };

/** The driver handle behind a store, for the code in `data/` that needs it (imports, backups). */
export function sqliteHandle(store: Store): Db {
  if (!(store instanceof SqliteStore)) throw new Error('not a SQLite store');
  return store.db;
}

class SqliteStore implements Store {
  private readonly made = new Map<string, unknown>();

  constructor(
    readonly location: string,
    readonly db: Db,
  ) {}

  /** Repositories prepare their statements once, on first use, and are kept for the store's life. */
  private repo<T>(name: string, make: (db: Db) => T): T {
    let r = this.made.get(name) as T | undefined;
    if (!r) this.made.set(name, (r = make(this.db)));
    return r;
  }

  get audit() {
    return this.repo('audit', (db) => new SqliteAuditLogRepository(db));
  }
  get botState() {
    return this.repo('botState', (db) => new SqliteBotStateRepository(db));
  }
  get campaigns() {
    return this.repo('campaigns', (db) => new SqliteCampaignRepository(db));
  }
  get identities() {
    return this.repo('identities', (db) => new SqliteChatIdentityRepository(db));
  }
  get contacts() {
    return this.repo('contacts', (db) => new SqliteCustomerContactRepository(db));
  }
  get customerOrders() {
    return this.repo('customerOrders', (db) => new SqliteCustomerOrdersRepository(db));
  }
  get scores() {
    return this.repo('scores', (db) => new SqliteCustomerScoreRepository(db));
  }
  get erasure() {
    return this.repo('erasure', (db) => new SqliteErasureRepository(db));
  }
  get feedback() {
    return this.repo('feedback', (db) => new SqliteFeedbackRepository(db));
  }
  get handoffs() {
    return this.repo('handoffs', (db) => new SqliteHandoffRepository(db));
  }
  get marketers() {
    return this.repo('marketers', (db) => new SqliteMarketerRepository(db));
  }
  get runs() {
    return this.repo('runs', (db) => new SqliteModelRunRepository(db));
  }
  get optOuts() {
    return this.repo('optOuts', (db) => new SqliteOptOutRepository(db));
  }
  get orders() {
    return this.repo('orders', (db) => new SqliteOrderHistoryRepository(db));
  }
  get imports() {
    return this.repo('imports', (db) => new SqliteOrderImportRepository(db));
  }
  get outbox() {
    return this.repo('outbox', (db) => new SqliteOutboxRepository(db));
  }
  get recsData() {
    return this.repo('recsData', (db) => new SqliteRecsDataRepository(db));
  }
  get sales() {
    return this.repo('sales', (db) => new SqliteSalesInsightsRepository(db));
  }
  get facts() {
    return this.repo('facts', (db) => new SqliteShopFactsRepository(db));
  }
  get verifyAttempts() {
    return this.repo('verifyAttempts', (db) => new SqliteVerifyAttemptRepository(db));
  }
  get webChatDemo() {
    return this.repo('webChatDemo', (db) => new SqliteWebChatDemoRepository(db));
  }
  get jobRuns() {
    return this.repo('jobRuns', (db) => new SqliteJobRunRepository(db));
  }
  get modelFiles() {
    return this.repo('modelFiles', () => new LocalModelFileRepository());
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  info(): StoreInfo {
    return {
      engine: 'sqlite',
      location: this.location,
      schemaVersion: schemaVersion(this.db),
      latestSchemaVersion: migrations.at(-1)?.version ?? 0,
      tables: tableNames(this.db),
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
