import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { buildProgram } from '../../cli/main';
import { projectPath } from '../../lib/paths';
import { runCli } from '../support/cli';
import { tempDir, writeCsv } from '../support/files';

function leafCommands(cmd: Command, prefix: string[] = []): Array<{ path: string[]; cmd: Command }> {
  const own = cmd.commands.flatMap((c) => leafCommands(c, [...prefix, c.name()]));
  return cmd.commands.length === 0 ? [{ path: prefix, cmd }] : own;
}

describe('the retain command line', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());
  const db = (name: string) => path.join(tmp.dir, name);
  const ORDERS = [
    'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
    '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom',
    '536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,17851,United Kingdom',
    '536367,22633,HAND WARMER UNION JACK,many,12/1/2010 8:28,1.85,17851,United Kingdom',
  ];

  it('every command has a description, --help, and takes --db FILE', () => {
    const leaves = leafCommands(buildProgram());
    expect(leaves.map((l) => l.path.join(' '))).toEqual(
      expect.arrayContaining(['serve', 'import orders', 'db migrate', 'db info']),
    );
    for (const { path: name, cmd } of leaves) {
      expect({ name, description: cmd.description().length > 10 }).toEqual({ name, description: true });
      // db copy names both of its databases instead (--from, --to).
      const db = name.join(' ') === 'db copy' ? ['--from', '--to'] : ['--db'];
      expect({ name, db: db.every((flag) => cmd.options.some((o) => o.long === flag)) }).toEqual({
        name,
        db: true,
      });
      expect(cmd.helpInformation()).toMatch(/--help/);
    }
  });

  it('--help works from the launcher, exit code 0', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/serve/);
    const sub = await runCli(['import', 'orders', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--strict/);
    expect(sub.stdout).toMatch(/--db <file>/);
  });

  it('import orders --json prints the summary; unreadable rows are listed with line numbers', async () => {
    const file = writeCsv(tmp.dir, 'orders.csv', ORDERS);
    const res = await runCli(['import', 'orders', file, '--json', '--db', db('a.db')]);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ format: 'online-retail', rowsRead: 3, imported: 2, errorCount: 1 });
    expect(summary.errors).toEqual([{ line: 4, reason: expect.stringMatching(/quantity 'many'/) }]);

    const text = await runCli(['import', 'orders', file, '--db', db('a.db')]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/imported: +0/);
    expect(text.stdout).toMatch(/already_imported +2/);
    expect(text.stdout).toMatch(/line 4: quantity 'many'/);
  });

  it('--strict exits non-zero and writes nothing; a missing file is a clear error', async () => {
    const file = writeCsv(tmp.dir, 'orders.csv', ORDERS);
    const strict = await runCli(['import', 'orders', file, '--strict', '--db', db('b.db')]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/--strict: 1 row\(s\) could not be read; nothing was imported/);
    const info = JSON.parse((await runCli(['db', 'info', '--json', '--db', db('b.db')])).stdout);
    expect(info).toMatchObject({ orders: 0, orderLines: 0, customers: 0 });

    const missing = await runCli(['import', 'orders', db('nope.csv'), '--db', db('b.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
  });

  it('bad option values and bad configuration are clear errors', async () => {
    const port = await runCli(['serve', '--port', 'abc', '--db', db('c.db')]);
    expect(port.code).not.toBe(0);
    expect(port.stderr).toMatch(/port/);
    const config = await runCli(['db', 'info', '--db', db('c.db')], {
      env: { RETAIN_IMPORT_TIMEZONE: 'Nowhere/City' },
    });
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/RETAIN_IMPORT_TIMEZONE/);
  });

  it('serve --demo imports the demo data into a new database, answers, and stops cleanly on Ctrl-C', async () => {
    const file = db('serve.db');
    const child = spawn(
      process.execPath,
      [projectPath('bin', 'retain.js'), 'serve', '--demo', '--port', '0', '--db', file],
      {
        env: { ...process.env, RETAIN_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /running at (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    // A clean close checkpoints the write-ahead log and removes it.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const info = JSON.parse((await runCli(['db', 'info', '--json', '--db', file])).stdout);
    expect(info.customers).toBeGreaterThan(500);
    expect(info.orders).toBeGreaterThan(2000);
  }, 60_000);
});
