/**
 * `retain db copy --from sqlite:FILE --to postgres://...`: moves a shop from its SQLite file to an
 * empty PostgreSQL database, every table and the saved model files, in one transaction (all or
 * nothing), ids kept, so that everything that refers to a row (conversation references in the
 * outbox, campaign members...) still does. The email hashing key is copied too, so verification
 * counters keep counting. The SQLite file is only read.
 */
import fs from 'node:fs';
import { openDatabase, schemaVersion, tableNames, type Db } from '../db';
import { migrations } from '../migrations';
import { redactUrl, type SyncPostgres } from './bridge';
import { openPostgresStore } from './store';
import { postgresTableNames } from './schema';

export class CopyError extends Error {
  readonly exitCode = 2;
}

export interface CopySummary {
  from: string;
  to: string;
  schemaVersion: number;
  /** Rows copied per table (and found again in PostgreSQL afterwards). */
  rows: Record<string, number>;
  /** Model files moved into the database (model_runs.artifact_path). */
  modelFiles: number;
  /** Model files model_runs names that were not on disk (not copied). */
  missingModelFiles: string[];
  seconds: number;
}

// Tables the PostgreSQL store has and a SQLite file does not: filled from what the file points at.
const POSTGRES_ONLY = new Set(['model_files']);

export function copySqliteToPostgres(
  file: string,
  url: string,
  onTable: (table: string, rows: number) => void = () => undefined,
): CopySummary {
  const started = process.hrtime.bigint();
  if (!fs.existsSync(file)) throw new CopyError(`no database at ${file}`);
  const src = openDatabase(file, { readonly: true });
  try {
    const version = schemaVersion(src);
    const latest = migrations.at(-1)?.version ?? 0;
    if (version < latest)
      throw new CopyError(
        `${file} is at schema version ${version}, this retain at ${latest}: run \`retain db migrate --db ${file}\` first`,
      );
    if (version > latest)
      throw new CopyError(
        `${file} is at schema version ${version}, newer than this retain knows (${latest})`,
      );
    const store = openPostgresStore(url);
    try {
      const pg = store.pg;
      const target = postgresTableNames(pg);
      const source = tableNames(src);
      const missing = source.filter((t) => !target.includes(t));
      if (missing.length) throw new CopyError(`the PostgreSQL schema has no table ${missing.join(', ')}`);
      const nonEmpty = target.find(
        (t) => t !== 'app_secrets' && pg.query(`SELECT EXISTS (SELECT 1 FROM ${t}) AS any`).rows[0].any,
      );
      if (nonEmpty)
        throw new CopyError(
          `${redactUrl(url)} already holds data (table ${nonEmpty}): copy into an empty database`,
        );
      const order = dependencyOrder(pg, source);
      const rows: Record<string, number> = {};
      let modelFiles = 0;
      const missingModelFiles: string[] = [];
      pg.transaction(() => {
        // The migration made a key of its own; the shop's hashes were made with the file's.
        pg.exec('DELETE FROM app_secrets');
        for (const table of order) {
          rows[table] = copyTable(src, pg, table);
          onTable(table, rows[table]);
        }
        for (const table of order) resetIdentity(pg, table);
        for (const { path } of src
          .prepare(`SELECT DISTINCT artifact_path AS path FROM model_runs WHERE artifact_path IS NOT NULL`)
          .all() as { path: string }[]) {
          if (!fs.existsSync(path)) {
            missingModelFiles.push(path);
            continue;
          }
          pg.query(`INSERT INTO model_files (path, content, updated_at) VALUES ($1, $2, $3)`, [
            path,
            fs.readFileSync(path, 'utf8'),
            fs.statSync(path).mtime.toISOString(),
          ]);
          modelFiles++;
        }
        for (const table of order) {
          const copied = pg.query(`SELECT COUNT(*) AS n FROM ${table}`).rows[0].n as number;
          if (copied !== rows[table])
            throw new CopyError(
              `${table}: ${rows[table]} rows read but ${copied} in PostgreSQL; nothing was copied`,
            );
        }
      });
      return {
        from: file,
        to: redactUrl(url),
        schemaVersion: version,
        rows,
        modelFiles,
        missingModelFiles,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      };
    } finally {
      store.close();
    }
  } finally {
    src.close();
  }
}

/** Tables in an order in which every row's references are copied before it (from PostgreSQL's constraints). */
function dependencyOrder(pg: SyncPostgres, tables: string[]): string[] {
  const edges = pg.query(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
  ).rows as { child: string; parent: string }[];
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (order.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t && tables.includes(e.parent)) visit(e.parent);
    visiting.delete(t);
    order.push(t);
  };
  for (const t of [...tables].sort()) if (!POSTGRES_ONLY.has(t)) visit(t);
  return order;
}

function copyTable(src: Db, pg: SyncPostgres, table: string): number {
  const columns = (src.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map(
    (c) => c.name,
  );
  const list = columns.map((c) => `"${c}"`).join(', ');
  // PostgreSQL takes at most 65535 parameters per statement.
  const batch = Math.max(1, Math.min(1000, Math.floor(60_000 / columns.length)));
  const insert = (n: number) =>
    `INSERT INTO ${table} (${list}) VALUES ${Array.from(
      { length: n },
      (_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`,
    ).join(', ')}`;
  let pending: unknown[] = [];
  let count = 0;
  const flush = () => {
    if (!pending.length) return;
    pg.query(insert(pending.length / columns.length), pending);
    pending = [];
  };
  for (const row of src.prepare(`SELECT ${list} FROM ${table} ORDER BY rowid`).raw().iterate() as Iterable<
    unknown[]
  >) {
    pending.push(...row);
    count++;
    if (pending.length >= batch * columns.length) flush();
  }
  flush();
  return count;
}

/** Identity columns go on after the highest id copied, so new rows get new ids. */
function resetIdentity(pg: SyncPostgres, table: string): void {
  const identities = pg.query(
    `SELECT column_name AS col, pg_get_serial_sequence(quote_ident(table_name), column_name) AS seq
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`,
    [table],
  ).rows as { col: string; seq: string }[];
  for (const { col, seq } of identities)
    pg.query(`SELECT setval($1, COALESCE((SELECT MAX("${col}") FROM ${table}), 0) + 1, false)`, [seq], false);
}
