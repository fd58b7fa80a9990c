/**
 * The schema of a PostgreSQL store: which version it is at (a one-row table, as SQLite keeps
 * PRAGMA user_version), its tables, and migrating it. Several instances may start at once: the
 * migration runs under an advisory lock, so one applies it and the others find it applied.
 */
import type { SyncPostgres } from './bridge';
import { applyPendingMigrations } from '../db';
import type { Migration } from '../migrations';
import { postgresMigrations } from './migrations';

const VERSION_TABLE = 'retain_schema_version';
// Any constant shared by every instance of retain: the key of the migration's advisory lock.
const MIGRATION_LOCK = 7_245_310_001;

export function postgresSchemaVersion(pg: SyncPostgres): number {
  const exists = pg.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [VERSION_TABLE]).rows[0];
  if (!exists.present) return 0;
  const row = pg.query(`SELECT MAX(version) AS version FROM ${VERSION_TABLE}`).rows[0];
  return (row.version as number | null) ?? 0;
}

/** Tables of the schema retain uses (the connection's current schema), without the version table. */
export function postgresTableNames(pg: SyncPostgres): string[] {
  return pg
    .query(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1
        ORDER BY table_name COLLATE "C"`,
      [VERSION_TABLE],
    )
    .rows.map((r) => r.name as string);
}

/** Applies each pending migration in its own transaction; returns the versions applied. */
export function migratePostgres(pg: SyncPostgres, all: Migration[] = postgresMigrations): number[] {
  pg.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK], false);
  try {
    pg.exec(`CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version integer NOT NULL)`);
    return applyPendingMigrations(postgresSchemaVersion(pg), all, (m) =>
      pg.transaction(() => {
        pg.exec(m.up);
        pg.exec(`DELETE FROM ${VERSION_TABLE}; INSERT INTO ${VERSION_TABLE} (version) VALUES (${m.version})`);
      }),
    );
  } finally {
    pg.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK], false);
  }
}
