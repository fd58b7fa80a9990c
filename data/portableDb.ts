/**
 * What a repository whose SQL both engines speak needs of a connection: statements prepared once,
 * run with better-sqlite3's calling conventions (`@name` from one object, or `?` in order). A
 * better-sqlite3 database and the PostgreSQL store's connection (data/postgres/statement.ts) both
 * are one.
 */
export interface PortableStatement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface PortableDb {
  prepare(sql: string): PortableStatement;
}

/** Runs `fn` in one transaction of the repository's connection (nested calls join the outer one). */
export type RunInTransaction = <T>(fn: () => T) => T;
