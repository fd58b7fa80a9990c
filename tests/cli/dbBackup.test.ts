import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { runCli } from '../support/cli';
import { tempDir, writeCsv } from '../support/files';

describe('retain store backup FILE', () => {
  const tmp = tempDir();
  const dbFile = path.join(tmp.dir, 'retain.db');
  const backup = path.join(tmp.dir, 'backups', 'retain-copy.db');
  // The "running bot": a connection that stays open with its last writes still in the WAL file.
  const live = openStore(dbFile);

  beforeAll(async () => {
    await importOrders(
      live,
      writeCsv(tmp.dir, 'orders.csv', [
        'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
        '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom',
        '536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,17851,United Kingdom',
        '536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,12/1/2010 8:34,1.69,13047,United Kingdom',
      ]),
    );
  });
  afterAll(() => {
    live.close();
    tmp.cleanup();
  });

  it('copies the live database, WAL content included, into a checked, openable file', async () => {
    expect(fs.statSync(`${dbFile}-wal`).size).toBeGreaterThan(0); // the orders are not in the main file yet
    const result = await runCli(['db', 'backup', backup, '--db', dbFile, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ file: backup, source: dbFile });
    expect(summary.schemaVersion).toBeGreaterThan(0);
    expect(fs.existsSync(`${backup}.partial`)).toBe(false);

    const copy = openStore(backup, { readonly: true });
    try {
      expect(copy.orders.dataExtent()).toEqual(live.orders.dataExtent());
      expect(copy.orders.dataExtent().orders).toBe(3);
    } finally {
      copy.close();
    }
  });

  it('does not overwrite an existing file unless told to', async () => {
    const refused = await runCli(['db', 'backup', backup, '--db', dbFile]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists; use --force');
    const forced = await runCli(['db', 'backup', backup, '--db', dbFile, '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/retain-copy\.db: \d+ pages .* and checked/);
  });

  it('says so when there is no database to back up', async () => {
    const result = await runCli([
      'db',
      'backup',
      path.join(tmp.dir, 'x.db'),
      '--db',
      path.join(tmp.dir, 'none.db'),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no database at');
    expect(fs.existsSync(path.join(tmp.dir, 'none.db'))).toBe(false);
  });
});
