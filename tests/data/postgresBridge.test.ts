import { BridgeError, PostgresError, SyncPostgres } from '../../data/postgres/bridge';
import { postgresDatabases, postgresTestUrl } from '../support/engines';

const url = postgresTestUrl('the synchronous PostgreSQL bridge');
const describePg = url ? describe : describe.skip;

describePg('the synchronous PostgreSQL bridge (real server)', () => {
  const databases = postgresDatabases();
  let pg: SyncPostgres;
  let location: string;
  beforeAll(() => {
    location = databases.create();
  });
  beforeEach(() => {
    pg = new SyncPostgres(location);
    pg.exec(`DROP TABLE IF EXISTS t; CREATE TABLE t (id integer PRIMARY KEY, v text)`);
  });
  afterEach(() => pg.close());
  afterAll(() => databases.dropAll());

  const count = (where = 'TRUE') => pg.query(`SELECT COUNT(*) AS n FROM t WHERE ${where}`).rows[0].n;

  it('answers synchronously, with numbers, 1/0 booleans and Buffers as SQLite gives them', () => {
    pg.query(`INSERT INTO t VALUES (1, 'a'), (2, 'b')`);
    const row = pg.query(
      `SELECT COUNT(*) AS n, SUM(id)::numeric / 4 AS quarter, bool_and(id > 0) AS positive,
              decode('0102ff', 'hex') AS bytes FROM t`,
    ).rows[0];
    expect(row).toEqual({ n: 2, quarter: 0.75, positive: 1, bytes: Buffer.from([1, 2, 255]) });
    expect(Buffer.isBuffer(row.bytes)).toBe(true);
  });

  it('carries errors across with their SQLSTATE, and the connection stays usable', () => {
    pg.query(`INSERT INTO t VALUES (1, 'a')`);
    const duplicate = (() => {
      try {
        pg.query(`INSERT INTO t VALUES (1, 'again')`);
      } catch (err) {
        return err;
      }
    })() as PostgresError;
    expect(duplicate).toBeInstanceOf(PostgresError);
    expect(duplicate).toMatchObject({ code: '23505', constraint: 't_pkey', table: 't' });
    expect(() => pg.query(`SELECT * FROM no_such_table`)).toThrow(expect.objectContaining({ code: '42P01' }));
    expect(() => pg.query(`SELECT 1 / 0`)).toThrow(/division by zero/);
    expect(count()).toBe(1);
  });

  it('a statement past the timeout is cancelled by the server (57014), and the next one runs', () => {
    const quick = new SyncPostgres(location, { statementTimeoutMs: 300 });
    try {
      const started = Date.now();
      expect(() => quick.query(`SELECT pg_sleep(5)`)).toThrow(expect.objectContaining({ code: '57014' }));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(quick.query(`SELECT 41 + 1 AS n`).rows[0].n).toBe(42);
    } finally {
      quick.close();
    }
  });

  it('commits a transaction, rolls it back when it throws, and nests as savepoints', () => {
    pg.transaction(() => pg.query(`INSERT INTO t VALUES (1, 'kept')`));
    expect(() =>
      pg.transaction(() => {
        pg.query(`INSERT INTO t VALUES (2, 'dropped')`);
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    pg.transaction(() => {
      pg.query(`INSERT INTO t VALUES (3, 'outer')`);
      expect(() =>
        pg.transaction(() => {
          pg.query(`INSERT INTO t VALUES (4, 'inner')`);
          pg.query(`INSERT INTO t VALUES (3, 'clash')`);
        }),
      ).toThrow(expect.objectContaining({ code: '23505' }));
      // The failed savepoint is rolled back; the outer transaction goes on.
      pg.query(`INSERT INTO t VALUES (5, 'after')`);
    });
    expect(pg.query(`SELECT id FROM t ORDER BY id`).rows.map((r) => r.id)).toEqual([1, 3, 5]);
    expect(pg.inTransaction).toBe(false);
  });

  it('refuses to commit a transaction in which a statement failed, and says so', () => {
    expect(() =>
      pg.transaction(() => {
        pg.query(`INSERT INTO t VALUES (1, 'x')`);
        try {
          pg.query(`SELECT 1 / 0`);
        } catch {
          // swallowed by the caller: PostgreSQL still aborted the transaction
        }
      }),
    ).toThrow(expect.objectContaining({ code: '25P02' }));
    expect(count()).toBe(0);
    expect(() => pg.transaction(() => Promise.resolve(1))).toThrow(/cannot return a promise/);
  });

  it('streams a large result through a cursor, and closes it when the reader stops early', () => {
    let n = 0;
    for (const row of pg.iterate(`SELECT g AS n FROM generate_series(1, 12345) g WHERE g > $1`, [45])) {
      expect(row.n).toBe(46 + n);
      n++;
    }
    expect(n).toBe(12300);
    for (const row of pg.iterate(`SELECT g FROM generate_series(1, 20000) g`)) if (row.g === 10) break;
    expect(pg.query(`SELECT COUNT(*) AS n FROM pg_cursors WHERE is_holdable`).rows[0].n).toBe(0);
  });

  it('reconnects after losing its connection between statements; inside a transaction the work is rolled back', () => {
    const killer = new SyncPostgres(location);
    try {
      const pid = () => pg.query(`SELECT pg_backend_pid() AS pid`).rows[0].pid;
      const terminate = (backend: unknown) => {
        killer.query(`SELECT pg_terminate_backend($1)`, [backend]);
        while (
          killer.query(`SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = $1`, [backend]).rows[0].n
        );
      };
      const before = pid();
      terminate(before);
      try {
        pg.query(`SELECT 1`);
      } catch {
        // The statement right after the loss may be the one that finds it (an error, not a hang).
      }
      // Then statements run on a new connection.
      expect(pg.query(`SELECT 2 AS n`).rows[0].n).toBe(2);
      expect(pid()).not.toBe(before);

      expect(() =>
        pg.transaction(() => {
          pg.query(`INSERT INTO t VALUES (1, 'in flight')`);
          terminate(pid());
          pg.query(`INSERT INTO t VALUES (2, 'lost')`);
        }),
      ).toThrow();
      expect(count()).toBe(0);
    } finally {
      killer.close();
    }
  });

  it('reports a worker thread that died (here at its memory limit) at once, not after the timeout', () => {
    const small = new SyncPostgres(location, { workerMemoryMb: 16 });
    const started = Date.now();
    let error: unknown;
    try {
      small.query(`SELECT repeat('x', 10000000) || g AS big FROM generate_series(1, 40) g`);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as Error).message).toMatch(/bridge thread (died|stopped)/);
    expect(Date.now() - started).toBeLessThan(20_000);
    // Every later call fails at once with the same clear error.
    expect(() => small.query(`SELECT 1`)).toThrow(/bridge thread (died|stopped)/);
    small.close();
  }, 30_000);

  it('says where it could not connect, without the password', () => {
    const unreachable = new URL(location);
    unreachable.port = '1';
    unreachable.password = 'secret-password';
    const attempt = () => new SyncPostgres(unreachable.toString(), { connectTimeoutMs: 2000 });
    expect(attempt).toThrow(BridgeError);
    expect(attempt).toThrow(
      /cannot connect to PostgreSQL at postgres:\/\/retain:\*\*\*@.*:1\/.*ECONNREFUSED/,
    );
    expect(attempt).not.toThrow(/secret-password/);
  });
});
