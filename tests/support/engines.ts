/**
 * The two engines a store can live on, for tests that must hold on both: SQLite (a temporary
 * file) and PostgreSQL (a fresh database on the server RETAIN_TEST_DATABASE_URL names, which
 * scripts/test-postgres.sh and .ci/run start). Where no PostgreSQL server is reachable, its
 * blocks are skipped with one line saying why; nothing is mocked.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { SyncPostgres, redactUrl } from '../../data/postgres/bridge';
import { tempDir } from './files';

const ENV = 'RETAIN_TEST_DATABASE_URL';

export interface TestEngine {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty place for a store: a file name, or the URL of a new database. */
  location(name?: string): string;
}

let server: { admin: SyncPostgres; url: string } | { reason: string } | undefined;
let announced = false;

/** The test server's admin connection, or why there is none (checked once per test file). */
function postgresServer(): { admin: SyncPostgres; url: string } | { reason: string } {
  if (!server) {
    const url = process.env[ENV];
    if (!url) server = { reason: `${ENV} is not set (scripts/test-postgres.sh starts a server)` };
    else {
      try {
        server = {
          admin: new SyncPostgres(url, { connectTimeoutMs: 5000, applicationName: 'retain-tests' }),
          url,
        };
      } catch (err) {
        server = { reason: `no PostgreSQL server at ${redactUrl(url)}: ${(err as Error).message}` };
      }
    }
  }
  return server;
}

/** The URL of the test server, or null (with the one-line note printed) when there is none. */
export function postgresTestUrl(what: string): string | null {
  const s = postgresServer();
  if ('reason' in s) {
    if (!announced) process.stderr.write(`skipped on PostgreSQL: ${s.reason} (${what})\n`);
    announced = true;
    return null;
  }
  return s.url;
}

/** Creates databases on the test server, each dropped by `dropAll`. */
export function postgresDatabases(): { create(): string; dropAll(): void } {
  const created: string[] = [];
  return {
    create() {
      const s = postgresServer();
      if ('reason' in s) throw new Error(s.reason);
      const name = `retain_t${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
      s.admin.exec(`CREATE DATABASE ${name}`);
      created.push(name);
      const url = new URL(s.url);
      url.pathname = `/${name}`;
      return url.toString();
    },
    dropAll() {
      const s = postgresServer();
      if ('reason' in s) return;
      for (const name of created.splice(0)) s.admin.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/**
 * `describe(title + engine, fn)` once per engine. The PostgreSQL block is skipped, with one line
 * naming the reason, where no server is reachable.
 */
export function describeEachEngine(title: string, fn: (engine: TestEngine) => void): void {
  describe(`${title} (SQLite)`, () => {
    const tmp = tempDir();
    afterAll(() => tmp.cleanup());
    let n = 0;
    fn({ name: 'SQLite', location: (name = 'retain') => path.join(tmp.dir, `${name}-${n++}.db`) });
  });
  const url = postgresTestUrl(title);
  if (!url) {
    describe(`${title} (PostgreSQL)`, () => {
      test.skip(`needs a PostgreSQL server (${ENV})`, () => undefined);
    });
    return;
  }
  describe(`${title} (PostgreSQL)`, () => {
    const databases = postgresDatabases();
    afterAll(() => databases.dropAll());
    fn({ name: 'PostgreSQL', location: () => databases.create() });
  });
}
