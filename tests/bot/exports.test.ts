/**
 * Exported tables in Teams and Slack: a one-day link from the bot's public address, served by the
 * bot's own server, that works for the file it names and nothing else.
 */
import fs from 'node:fs';
import path from 'node:path';
import restify from 'restify';
import { ExportStore } from '../../reports/exportStore';
import { registerExportRoutes } from '../../bot/exports';
import { csvActivity } from '../../dialogs/reportActivity';
import { listen } from '../../bot/server';
import { tempDir } from '../support/files';

describe('exported tables by link', () => {
  const tmp = tempDir();
  let server: restify.Server;
  let url: string;
  let store: ExportStore;

  beforeAll(async () => {
    store = new ExportStore({ dir: path.join(tmp.dir, 'exports') });
    server = restify.createServer({ name: 'exports-test', handleUncaughtExceptions: false });
    registerExportRoutes(server, store);
    url = await listen(server, 0, '127.0.0.1');
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tmp.cleanup();
  });

  const csv = 'Country,Revenue\nUnited Kingdom,706083\nFrance,16805\n';

  it('gives Teams a link that downloads the whole table, and Web Chat the file itself', async () => {
    const teams = csvActivity(csv, 'Revenue by country', 2, 'msteams', {
      publicBaseUrl: url,
      exports: store,
    });
    const link = /\((http[^)]+)\)/.exec(teams.text ?? '')?.[1];
    expect(link).toMatch(/\/exports\/[0-9a-f]{32}\/Revenue-by-country\.csv$/);
    const res = await fetch(link!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('Revenue-by-country.csv');
    expect(await res.text()).toBe(csv);

    const web = csvActivity(csv, 'Revenue by country', 2, 'webchat', {});
    const file = web.attachments?.[0];
    expect(file).toMatchObject({ contentType: 'text/csv', name: 'Revenue-by-country.csv' });
    expect(Buffer.from(file!.contentUrl!.split(',')[1], 'base64').toString('utf8')).toBe(csv);

    // Without a public address Teams cannot fetch a file: it is told what to set.
    expect(csvActivity(csv, 'x', 2, 'msteams', {}).text).toMatch(/RETAIN_PUBLIC_URL/);
  });

  it('serves nothing for an unknown, malformed or expired id', async () => {
    const id = store.add(csv);
    expect((await fetch(`${url}/exports/${'0'.repeat(32)}/a.csv`)).status).toBe(404);
    expect((await fetch(`${url}/exports/../../etc/passwd/a.csv`)).status).toBe(404);
    expect((await fetch(`${url}/exports/${id}/not-a-csv.txt`)).status).toBe(404);
    const file = path.join(tmp.dir, 'exports', `${id}.csv`);
    const old = new Date(Date.now() - 25 * 3_600_000);
    fs.utimesSync(file, old, old);
    expect((await fetch(`${url}/exports/${id}/a.csv`)).status).toBe(404);
    expect(fs.existsSync(file)).toBe(false);
  });
});
