/**
 * Charts drawn on the server: real PNGs (decoded here by a small independent decoder), bars as
 * long as their values, within a size budget, cached, and served over real HTTP by the bot route.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { registerChartRoutes } from '../../bot/charts';
import { binValues, chartId, renderChartPng } from '../../reports/chart';
import { ChartStore } from '../../reports/chartStore';
import type { ChartSpec } from '../../reports/report';
import { tempDir } from '../support/files';
import { allReports, segmentOverview } from './reportsExamples';
import { decodePng, type Decoded } from './reportsPng';

const BAR_BLUE = [0x4c, 0x78, 0xa8];
const isBarBlue = (img: Decoded, i: number) =>
  Math.abs(img.pixels[i * 4] - BAR_BLUE[0]) <= 2 &&
  Math.abs(img.pixels[i * 4 + 1] - BAR_BLUE[1]) <= 2 &&
  Math.abs(img.pixels[i * 4 + 2] - BAR_BLUE[2]) <= 2 &&
  img.pixels[i * 4 + 3] > 250;

describe('chart images', () => {
  it('renders a bar chart as a PNG whose bars are as long as their values', async () => {
    const chart = segmentOverview.chart!;
    const { png, width, height } = await renderChartPng(chart, 1);
    const img = decodePng(png);
    expect([img.width, img.height]).toEqual([width, height]);
    expect(img.width).toBeGreaterThan(400);
    expect(img.height).toBeGreaterThan(100);
    // Bars are horizontal bands of the bar colour; measure each band's longest run of it.
    const bands: number[] = [];
    let inBand = false;
    for (let y = 0; y < img.height; y++) {
      let run = 0;
      for (let x = 0; x < img.width; x++) if (isBarBlue(img, y * img.width + x)) run++;
      if (run > 0 && !inBand) bands.push(0);
      if (run > 0) bands[bands.length - 1] = Math.max(bands[bands.length - 1], run);
      inBand = run > 0;
    }
    const values = chart.kind === 'bar' ? chart.bars.map((b) => b.value).sort((a, b) => b - a) : [];
    expect(bands).toHaveLength(values.length);
    bands.forEach((len, i) => expect(len / bands[0]).toBeCloseTo(values[i] / values[0], 1));
    // Text (axis labels, title) is drawn: dark pixels that are not the bars.
    let dark = 0;
    for (let i = 0; i < img.width * img.height; i++)
      if (img.pixels[i * 4] < 80 && img.pixels[i * 4 + 2] < 80) dark++;
    expect(dark).toBeGreaterThan(500);
  });

  it.each(allReports.filter(([, r]) => r.chart))(
    'draws the %s chart as a decodable, non-blank PNG under 80 KB',
    async (_name, report) => {
      const { png } = await renderChartPng(report.chart!, 2);
      const img = decodePng(png);
      let nonWhite = 0;
      const colours = new Set<number>();
      for (let i = 0; i < img.width * img.height; i++) {
        const [r, g, b] = [img.pixels[i * 4], img.pixels[i * 4 + 1], img.pixels[i * 4 + 2]];
        if (r + g + b < 720) nonWhite++;
        colours.add((r << 16) | (g << 8) | b);
      }
      expect(nonWhite / (img.width * img.height)).toBeGreaterThan(0.02);
      expect(nonWhite / (img.width * img.height)).toBeLessThan(0.7);
      expect(colours.size).toBeGreaterThan(20);
      expect(png.length).toBeLessThan(80 * 1024);
    },
  );

  it('bins histogram values into equal-width bins, counting outliers in the end bins', () => {
    const bins = binValues({
      kind: 'histogram',
      title: 't',
      valueLabel: 'p',
      extent: [0, 1],
      binCount: 4,
      values: [-0.2, 0, 0.1, 0.25, 0.5, 0.74, 0.99, 1, 1.5, NaN],
    });
    expect(bins.map((b) => [b.from, b.to, b.count])).toEqual([
      [0, 0.25, 3],
      [0.25, 0.5, 1],
      [0.5, 0.75, 2],
      [0.75, 1, 3],
    ]);
  });

  it('gives equal charts the same id whatever the key order, and different charts different ids', () => {
    const a: ChartSpec = { kind: 'bar', title: 'x', valueLabel: 'v', bars: [{ label: 'a', value: 1 }] };
    const b = { bars: [{ value: 1, label: 'a' }], valueLabel: 'v', title: 'x', kind: 'bar' } as ChartSpec;
    expect(chartId(a)).toBe(chartId(b));
    expect(chartId(a)).not.toBe(chartId({ ...a, bars: [{ label: 'a', value: 2 }] }));
  });

  it('renders a chart once and serves it from the cache after', async () => {
    const store = new ChartStore();
    const chart = { ...segmentOverview.chart!, title: 'cache test' };
    let t = process.hrtime.bigint();
    const first = await store.imageFor(chart);
    const firstMs = Number(process.hrtime.bigint() - t) / 1e6;
    t = process.hrtime.bigint();
    const again = await store.image(first.id);
    const againMs = Number(process.hrtime.bigint() - t) / 1e6;
    expect(again!.png).toBe(first.png);
    expect(againMs).toBeLessThan(firstMs / 5);
  });
});

describe('GET /charts/<id>.png', () => {
  const tmp = tempDir();
  let server: restify.Server;
  let url: string;
  let store: ChartStore;

  beforeAll(async () => {
    store = new ChartStore({ dir: tmp.dir });
    server = restify.createServer({ name: 'charts-test' });
    registerChartRoutes(server, store);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tmp.cleanup();
  });

  it('serves a chart that a report put in the store, as a cacheable PNG', async () => {
    const id = store.add(segmentOverview.chart!);
    const res = await fetch(`${url}/charts/${id}.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const img = decodePng(Buffer.from(await res.arrayBuffer()));
    expect(img.width).toBeGreaterThan(800); // 2x for sharp rendering on dense screens
  });

  it('answers 404 for ids it never issued and for anything that is not a chart id', async () => {
    const unknown = chartId({ kind: 'bar', title: 'never added', valueLabel: 'v', bars: [] });
    for (const route of [`/charts/${unknown}.png`, '/charts/..%2F..%2Fetc%2Fpasswd', '/charts/abc.png'])
      expect((await fetch(`${url}${route}`)).status).toBe(404);
  });

  it('still serves charts of cards sent before a restart (specs kept on disk)', async () => {
    const id = store.add(allReports[1][1].chart!);
    const restarted = new ChartStore({ dir: tmp.dir });
    const image = await restarted.image(id);
    expect(image && decodePng(image.png).width).toBeGreaterThan(0);
  });

  it('forgets charts older than it keeps when it opens, leaving other files alone', async () => {
    const old = store.add({ kind: 'bar', title: 'old', valueLabel: 'v', bars: [{ label: 'a', value: 1 }] });
    const recent = store.add({
      kind: 'bar',
      title: 'recent',
      valueLabel: 'v',
      bars: [{ label: 'a', value: 1 }],
    });
    const past = new Date(Date.now() - 200 * 86_400_000);
    fs.utimesSync(path.join(tmp.dir, `${old}.json`), past, past);
    fs.writeFileSync(path.join(tmp.dir, 'notes.txt'), 'not a chart');
    fs.utimesSync(path.join(tmp.dir, 'notes.txt'), past, past);
    const reopened = new ChartStore({ dir: tmp.dir, keepDays: 180 });
    expect(await reopened.image(old)).toBeUndefined();
    expect(await reopened.image(recent)).toBeDefined();
    expect(fs.existsSync(path.join(tmp.dir, 'notes.txt'))).toBe(true);
  });
});
