/**
 * GET /exports/<id>/<name>.csv: a table a marketer exported in chat, for channels that open files
 * by link (Teams, Slack). The id is the permission (see reports/exportStore.ts); the name is only
 * what the browser saves the file as.
 */
import type restify from 'restify';
import type { ExportStore } from '../reports/exportStore';

const NAME = /^[\w.-]{1,100}\.csv$/;

export function registerExportRoutes(server: restify.Server, store: ExportStore): void {
  server.get('/exports/:id/:name', async (req, res) => {
    const id = String(req.params?.id ?? '');
    const name = String(req.params?.name ?? '');
    const csv = NAME.test(name) ? store.read(id) : undefined;
    if (csv === undefined) return void res.send(404, { error: 'no such export, or the link has expired' });
    const body = Buffer.from(csv, 'utf8');
    res.sendRaw(200, body, {
      'content-type': 'text/csv; charset=utf-8',
      'content-length': String(body.length),
      'content-disposition': `attachment; filename="${name}"`,
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
  });
}
