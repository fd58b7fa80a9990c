import path from 'node:path';
import { openDatabase, migrate, schemaVersion, tableNames, SchemaTooNewError } from '../../data/db';
import { migrations, type Migration } from '../../data/migrations';
import { importOrders } from '../../data/import/importOrders';
import { SqliteOrderHistoryRepository } from '../../data/repositories/orderHistory';
import { openStore } from '../../data/store';
import { tempDir, writeCsv } from '../support/files';

const SAMPLE = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom',
];

describe('database file and migrations', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('numbers migrations 1, 2, 3... with no gap, so none can be skipped by a database already past it', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('creates a fresh file (and its directory) with the whole schema and the safety settings', () => {
    const file = path.join(tmp.dir, 'nested', 'dir', 'retain.db');
    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(migrations.at(-1)!.version);
      expect(tableNames(db)).toEqual(
        expect.arrayContaining([
          'customers',
          'products',
          'orders',
          'order_lines',
          'chat_identities',
          'conversation_references',
          'opt_outs',
          'campaigns',
          'outbox',
          'model_runs',
          'customer_scores',
          'feedback',
          'audit_log',
        ]),
      );
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('secure_delete', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('upgrades an existing file in place, keeping its data, and only once', async () => {
    const file = path.join(tmp.dir, 'retain.db');
    const store = openStore(file);
    await importOrders(store, writeCsv(tmp.dir, 'orders.csv', SAMPLE));
    store.close();

    const next: Migration = {
      version: migrations.at(-1)!.version + 1,
      name: 'test',
      up: 'CREATE TABLE later_feature (id INTEGER PRIMARY KEY);',
    };
    const reopened = openDatabase(file, { migrate: false });
    try {
      expect(migrate(reopened, [...migrations, next])).toEqual([next.version]);
      expect(migrate(reopened, [...migrations, next])).toEqual([]);
      expect(schemaVersion(reopened)).toBe(next.version);
      expect(tableNames(reopened)).toContain('later_feature');
      expect(new SqliteOrderHistoryRepository(reopened).dataExtent()).toMatchObject({
        orders: 1,
        customers: 1,
      });
    } finally {
      reopened.close();
    }
  });

  it('a failing migration leaves the schema as it was', () => {
    const db = openDatabase(path.join(tmp.dir, 'retain.db'));
    try {
      const version = schemaVersion(db);
      const broken: Migration = {
        version: version + 1,
        name: 'broken',
        up: 'CREATE TABLE half (id INTEGER); NOT SQL;',
      };
      expect(() => migrate(db, [...migrations, broken])).toThrow();
      expect(schemaVersion(db)).toBe(version);
      expect(tableNames(db)).not.toContain('half');
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer version of retain', () => {
    const file = path.join(tmp.dir, 'retain.db');
    const db = openDatabase(file);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openDatabase(file)).toThrow(SchemaTooNewError);
    expect(() => openDatabase(file)).toThrow(/newer than this version of retain/);
  });
});
