/**
 * GET /charts/<id>.png: report charts for channels that fetch images by URL (Teams, Slack, and
 * links in text channels). Ids are content hashes of charts the bot itself put in a report, so
 * the route serves nothing a holder of the link did not already receive, and nothing else.
 */
import type restify from 'restify';
import type { ChartStore } from '../reports/chartStore';
import type { Logger } from '../lib/logger';

const CHART_PATH = /^([0-9a-f]{32})\.png$/;

export function registerChartRoutes(server: restify.Server, store: ChartStore, log?: Logger): void {
  server.get('/charts/:file', async (req, res) => {
    const match = CHART_PATH.exec(String(req.params?.file ?? ''));
    const image = match ? await store.image(match[1]).catch((err: unknown) => fail(err)) : undefined;
    if (image === null) return void res.send(500, { error: 'chart could not be rendered' });
    if (!image) return void res.send(404, { error: 'no such chart' });
    res.sendRaw(200, image.png, {
      'content-type': 'image/png',
      'content-length': String(image.png.length),
      // The id is the content's hash: the same URL always means the same picture.
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
  });

  function fail(err: unknown): null {
    log?.error({ err }, 'failed to render a chart');
    return null;
  }
}
