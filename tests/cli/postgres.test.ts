/**
 * The real `retain` command on PostgreSQL, against the same command on SQLite with the same
 * orders (the bundled demo sample): the same answers from `db info`, `eval churn`, `train` and the
 * reports; `db copy` moving a SQLite shop over, trained models included; `db backup` writing a
 * pg_dump archive that restores.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../data/store';
import { projectPath } from '../../lib/paths';
import { runCli } from '../support/cli';
import { tempDir } from '../support/files';
import { postgresDatabases, postgresTestUrl } from '../support/engines';

const DEMO = projectPath('data', 'demo', 'online-retail-sample.csv.gz');
const url = postgresTestUrl('the CLI on PostgreSQL');
const describePg = url ? describe : describe.skip;

/** A command's JSON output, without what names the database or the moment it ran. */
async function json(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown>> {
  const result = await runCli([...args, '--json'], { env });
  if (result.code !== 0) throw new Error(`retain ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}
const withoutPlace = ({ engine: _e, file: _f, ...rest }: Record<string, unknown>) => rest;
const withoutRunTimes = (train: Record<string, unknown>) => ({
  ...train,
  version: undefined,
  timingsMs: undefined,
});

describePg('the retain command on PostgreSQL answers as on SQLite', () => {
  const tmp = tempDir();
  const databases = postgresDatabases();
  const sqlite = path.join(tmp.dir, 'shop.db');
  let pg: string;
  const env = { RETAIN_MODELS_DIR: path.join(tmp.dir, 'models') };
  beforeAll(async () => {
    pg = databases.create();
    for (const db of [sqlite, pg]) await json(['import', 'orders', DEMO, '--db', db]);
  }, 60_000);
  afterAll(() => {
    databases.dropAll();
    tmp.cleanup();
  });

  it('db info, eval churn, train and the reports agree', async () => {
    // (The test server trusts loopback connections and ignores the password; it must not be printed.)
    const withPassword = new URL(pg);
    withPassword.password = 'secret-password';
    const [infoSqlite, infoPg] = [
      await json(['db', 'info', '--db', sqlite]),
      await json(['db', 'info', '--db', withPassword.toString()]),
    ];
    expect(infoPg).toMatchObject({ engine: 'postgres', file: expect.stringContaining(':***@') });
    expect(JSON.stringify(infoPg)).not.toContain('secret-password');
    expect(withoutPlace(infoPg)).toEqual(withoutPlace(infoSqlite));
    expect(infoPg.orders).toBeGreaterThan(2000);

    const evaluate = (db: string) => json(['eval', 'churn', '--as-of', '2011-04-01', '--db', db], env);
    expect(await evaluate(pg)).toEqual(await evaluate(sqlite));

    const train = (db: string) => json(['train', '--db', db], env);
    expect(withoutRunTimes(await train(pg))).toEqual(withoutRunTimes(await train(sqlite)));

    for (const report of [
      ['report', 'segments'],
      ['report', 'churn', '--top', '25'],
    ]) {
      const [a, b] = [await json([...report, '--db', sqlite], env), await json([...report, '--db', pg], env)];
      expect({ ...b, version: undefined }).toEqual({ ...a, version: undefined });
    }
  }, 120_000);

  it('RETAIN_DATABASE_URL selects PostgreSQL for every command, and a wrong one is refused at start', async () => {
    const fromEnv = await json(['db', 'info'], {
      RETAIN_DATABASE_URL: pg,
      RETAIN_DB: path.join(tmp.dir, 'no.db'),
    });
    expect(fromEnv).toMatchObject({ engine: 'postgres', orders: expect.any(Number) });
    expect(fs.existsSync(path.join(tmp.dir, 'no.db'))).toBe(false);
    const wrong = await runCli(['db', 'info'], { env: { RETAIN_DATABASE_URL: 'mysql://shop/db' } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/RETAIN_DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    const unreachable = new URL(pg);
    unreachable.port = '1';
    const away = await runCli(['db', 'info', '--db', unreachable.toString()]);
    expect(away.code).toBe(2);
    expect(away.stderr).toMatch(/cannot connect to PostgreSQL at postgres:\/\/.*:1\/.*ECONNREFUSED/);
    const empty = await runCli(['db', 'info', '--db', databases.create()]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no retain database at .*run `retain db migrate`/);
  }, 60_000);

  it('db copy moves a trained SQLite shop to an empty PostgreSQL database, models included', async () => {
    const shop = path.join(tmp.dir, 'moving.db');
    await json(['import', 'orders', DEMO, '--db', shop]);
    await json(['train', '--db', shop], env);
    const customer = (() => {
      const s = openStore(shop);
      try {
        return s.orders.listCustomers()[0].externalId;
      } finally {
        s.close();
      }
    })();
    const recommend = (db: string, modelsDir: string) =>
      json(['recommend', '--customer', customer, '--db', db], { RETAIN_MODELS_DIR: modelsDir });
    const before = await recommend(shop, path.join(tmp.dir, 'models-sqlite'));

    const target = databases.create();
    const copy = await runCli(['db', 'copy', '--from', `sqlite:${shop}`, '--to', target]);
    expect(copy.stderr).toMatch(/order_lines: \d+ rows/);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/rows in \d+ tables and 1 model files copied and counted again/);

    expect(withoutPlace(await json(['db', 'info', '--db', target]))).toEqual(
      withoutPlace(await json(['db', 'info', '--db', shop])),
    );
    const report = (db: string) => json(['report', 'churn', '--top', '10', '--db', db], env);
    expect(await report(target)).toEqual(await report(shop));
    // The recommender comes from the database, not retrained and not from a folder.
    const after = await recommend(target, path.join(tmp.dir, 'models-empty'));
    expect(after).toEqual(before);
    expect(fs.existsSync(path.join(tmp.dir, 'models-empty'))).toBe(false);
    // New rows get new ids after the copied ones.
    const s = openStore(target);
    try {
      const highest = s.audit.recent(1)[0].id;
      s.audit.write('cli', 'after.copy', null);
      expect(s.audit.recent(1)[0].id).toBe(highest + 1);
    } finally {
      s.close();
    }

    const again = await runCli(['db', 'copy', '--from', `sqlite:${shop}`, '--to', target]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds data .*copy into an empty database/);
    const wrong = await runCli(['db', 'copy', '--from', shop, '--to', target]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--from must be sqlite:FILE/);
  }, 120_000);

  const hasPgDump = spawnSync('pg_dump', ['--version']).status === 0;
  (hasPgDump ? it : it.skip)(
    'db backup writes a checked pg_dump archive that pg_restore restores',
    async () => {
      const file = path.join(tmp.dir, 'backups', 'shop.dump');
      const result = await json(['db', 'backup', file, '--db', pg]);
      expect(result).toMatchObject({ engine: 'postgres', file, schemaVersion: expect.any(Number) });
      expect(result.entries).toBeGreaterThan(20);
      expect(fs.existsSync(`${file}.partial`)).toBe(false);
      const refused = await runCli(['db', 'backup', file, '--db', pg]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('exists; use --force');

      const restored = databases.create();
      const restore = spawnSync('pg_restore', ['--no-owner', `--dbname=${restored}`, file], {
        encoding: 'utf8',
      });
      expect(restore.stderr).toBe('');
      expect(withoutPlace(await json(['db', 'info', '--db', restored]))).toEqual(
        withoutPlace(await json(['db', 'info', '--db', pg])),
      );
    },
    60_000,
  );
});
