/**
 * The PostgreSQL migrations are written by hand in PostgreSQL's dialect; this keeps them in step
 * with the SQLite ones: the same versions, and after migrating, the same tables with the same
 * columns (types by family, nullability), keys, references and indexes.
 */
import path from 'node:path';
import { openDatabase, SchemaTooNewError, type Db } from '../../data/db';
import { migrations, type Migration } from '../../data/migrations';
import { postgresMigrations } from '../../data/postgres/migrations';
import { SyncPostgres } from '../../data/postgres/bridge';
import { migratePostgres, postgresSchemaVersion, postgresTableNames } from '../../data/postgres/schema';
import { openStore } from '../../data/store';
import { tempDir } from '../support/files';
import { postgresDatabases, postgresTestUrl } from '../support/engines';

/** Tables only the PostgreSQL store has, and why. */
const POSTGRES_ONLY: Record<string, string> = {
  model_files: 'the saved model files, which a SQLite store keeps on disk next to its file',
};

interface TableShape {
  columns: Array<{ name: string; type: string; notNull: boolean }>;
  primaryKey: string[];
  unique: string[];
  foreignKeys: string[];
  indexes: string[];
}

const family = (type: string) => {
  const t = type.toLowerCase();
  if (/int/.test(t)) return 'integer';
  if (/real|double|float|numeric/.test(t)) return 'real';
  if (/blob|bytea/.test(t)) return 'bytes';
  return 'text';
};

function sqliteShape(db: Db, table: string): TableShape {
  const columns = db.prepare(`SELECT * FROM pragma_table_info(?) ORDER BY cid`).all(table) as Array<{
    name: string;
    type: string;
    notnull: number;
    pk: number;
  }>;
  const indexes = db.prepare(`SELECT * FROM pragma_index_list(?)`).all(table) as Array<{
    name: string;
    unique: number;
    origin: string;
  }>;
  // An expression (rather than a column) in an index has no name: compared as '<expr>'.
  const indexColumns = (name: string) =>
    (
      db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).all(name) as {
        name: string | null;
      }[]
    )
      .map((c) => c.name ?? '<expr>')
      .join(',');
  const fks = db.prepare(`SELECT * FROM pragma_foreign_key_list(?)`).all(table) as Array<{
    from: string;
    table: string;
    to: string;
    on_delete: string;
  }>;
  return {
    columns: columns.map((c) => ({
      name: c.name,
      type: family(c.type),
      // INTEGER PRIMARY KEY is the rowid: never null, though SQLite does not say NOT NULL.
      notNull: c.notnull === 1 || c.pk > 0,
    })),
    primaryKey: columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name),
    unique: indexes
      .filter((i) => i.unique && i.origin === 'u')
      .map((i) => indexColumns(i.name))
      .sort(),
    foreignKeys: fks.map((f) => `${f.from}->${f.table}.${f.to ?? 'id'} ON DELETE ${f.on_delete}`).sort(),
    indexes: indexes
      .filter((i) => i.origin === 'c')
      .map((i) => `${i.name}(${indexColumns(i.name)})`)
      .sort(),
  };
}

function postgresShape(pg: SyncPostgres, table: string): TableShape {
  const columns = pg.query(
    `SELECT column_name AS name, data_type AS type, is_nullable = 'NO' AS "notNull"
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
      ORDER BY ordinal_position`,
    [table],
  ).rows as Array<{ name: string; type: string; notNull: number }>;
  const constraints = pg.query(
    `SELECT c.contype AS kind, c.conname AS name,
            (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS cols,
            c.confrelid::regclass::text AS parent,
            (SELECT string_agg(a.attname, ',') FROM unnest(c.confkey) k(attnum)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS parent_cols,
            c.confdeltype AS on_delete
       FROM pg_constraint c WHERE c.conrelid = $1::regclass`,
    [table],
  ).rows as Array<{ kind: string; cols: string; parent: string; parent_cols: string; on_delete: string }>;
  const onDelete: Record<string, string> = {
    a: 'NO ACTION',
    r: 'RESTRICT',
    c: 'CASCADE',
    n: 'SET NULL',
    d: 'SET DEFAULT',
  };
  const indexes = pg.query(
    `SELECT i.relname AS name,
            (SELECT string_agg(COALESCE(a.attname, '<expr>'), ',' ORDER BY k.n)
               FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
               LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum AND k.attnum > 0) AS cols
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)`,
    [table],
  ).rows as Array<{ name: string; cols: string }>;
  return {
    columns: columns.map((c) => ({ name: c.name, type: family(c.type), notNull: c.notNull === 1 })),
    primaryKey: constraints.find((c) => c.kind === 'p')?.cols.split(',') ?? [],
    unique: constraints
      .filter((c) => c.kind === 'u')
      .map((c) => c.cols)
      .sort(),
    foreignKeys: constraints
      .filter((c) => c.kind === 'f')
      .map((c) => `${c.cols}->${c.parent}.${c.parent_cols} ON DELETE ${onDelete[c.on_delete]}`)
      .sort(),
    indexes: indexes.map((i) => `${i.name}(${i.cols})`).sort(),
  };
}

describe('PostgreSQL migrations kept in step with the SQLite ones', () => {
  it('has a PostgreSQL twin, same version and name, for every SQLite migration', () => {
    const names = (list: Migration[]) => list.map((m) => `${m.version} ${m.name}`);
    expect(names(postgresMigrations)).toEqual(names(migrations));
  });

  const url = postgresTestUrl('PostgreSQL migrations kept in step');
  const describePg = url ? describe : describe.skip;
  describePg('on a real server', () => {
    const tmp = tempDir();
    const databases = postgresDatabases();
    afterAll(() => {
      databases.dropAll();
      tmp.cleanup();
    });

    it('gives the same tables, columns, keys, references and indexes as SQLite', () => {
      const sqlite = openDatabase(path.join(tmp.dir, 'schema.db'));
      const pg = new SyncPostgres(databases.create());
      try {
        migratePostgres(pg);
        const sqliteTables = (
          sqlite
            .prepare(
              `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
            )
            .all() as { name: string }[]
        ).map((t) => t.name);
        const pgTables = postgresTableNames(pg);
        expect(pgTables.filter((t) => !(t in POSTGRES_ONLY))).toEqual(sqliteTables);
        for (const table of sqliteTables) {
          expect({ table, ...postgresShape(pg, table) }).toEqual({ table, ...sqliteShape(sqlite, table) });
        }
      } finally {
        sqlite.close();
        pg.close();
      }
    });

    it('migrates once, refuses a newer schema, and leaves the schema as it was when a migration fails', () => {
      const location = databases.create();
      const pg = new SyncPostgres(location);
      try {
        const latest = postgresMigrations.at(-1)!.version;
        expect(migratePostgres(pg)).toEqual(postgresMigrations.map((m) => m.version));
        expect(migratePostgres(pg)).toEqual([]);
        const broken: Migration = {
          version: latest + 1,
          name: 'broken',
          up: 'CREATE TABLE half (id integer); NOT SQL;',
        };
        expect(() => migratePostgres(pg, [...postgresMigrations, broken])).toThrow(/syntax error/);
        expect(postgresSchemaVersion(pg)).toBe(latest);
        expect(postgresTableNames(pg)).not.toContain('half');

        pg.exec(`UPDATE retain_schema_version SET version = 999`);
        expect(() => openStore(location)).toThrow(SchemaTooNewError);
        expect(() => openStore(location)).toThrow(/newer than this version of retain/);
      } finally {
        pg.close();
      }
    });

    it('two instances starting at once: one applies the migrations, the other finds them applied', () => {
      const location = databases.create();
      const first = new SyncPostgres(location);
      const second = new SyncPostgres(location);
      try {
        // The first holds the migration lock (as if migrating) while the second starts.
        first.query(`SELECT pg_advisory_lock(7245310001)`);
        const started = Date.now();
        const waiting = new SyncPostgres(location, { statementTimeoutMs: 1000 });
        expect(() => migratePostgres(waiting)).toThrow(expect.objectContaining({ code: '57014' }));
        expect(Date.now() - started).toBeGreaterThanOrEqual(900);
        waiting.close();
        first.query(`SELECT pg_advisory_unlock(7245310001)`);
        expect(migratePostgres(first).length).toBe(postgresMigrations.length);
        expect(migratePostgres(second)).toEqual([]);
      } finally {
        first.close();
        second.close();
      }
    });
  });
});
