/**
 * Charts for reports, drawn on the server without a browser: our ChartSpec → a Vega-Lite spec →
 * Vega → SVG → PNG (resvg). Nothing here knows about channels; toActivity decides how the PNG
 * reaches the user (a URL served by the bot, or a data: URI).
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatCell, type ChartSpec, type HistogramChart, type ValueFormat } from './report';

/** Chart area width in CSS pixels; cards in Teams and Web Chat are about this wide. */
const WIDTH = 460;
const FONT_FAMILY = 'DejaVu Sans';

export interface RenderedChart {
  png: Buffer;
  /** Pixel size of the PNG (the chart's CSS size times the scale). */
  width: number;
  height: number;
}

/**
 * A short, stable id for a chart: the SHA-256 of its canonical JSON. Equal charts share one id
 * (so one cache entry), and knowing an id reveals nothing its holder did not already have.
 */
export function chartId(chart: ChartSpec): string {
  return crypto.createHash('sha256').update(canonicalJson(chart)).digest('hex').slice(0, 32);
}

export function isChartId(text: string): boolean {
  return /^[0-9a-f]{32}$/.test(text);
}

export async function renderChartSvg(chart: ChartSpec): Promise<string> {
  // Vega-Lite's warnings would go to the console; the specs are ours and tested instead.
  const vega = compile(chartToVegaLite(chart), { logger: quietLogger }).spec;
  const view = new View(parseVega(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG at `scale` device pixels per CSS pixel (2 is sharp on high-density screens). */
export async function renderChartPng(chart: ChartSpec, scale = 2): Promise<RenderedChart> {
  const svg = await renderChartSvg(chart);
  const image = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: fontOptions(),
  }).render();
  return { png: image.asPng(), width: image.width, height: image.height };
}

const quietLogger = {
  level(): number {
    return 0;
  },
  error(): void {},
  warn(): void {},
  info(): void {},
  debug(): void {},
} as unknown as NonNullable<Parameters<typeof compile>[1]>['logger'];

let cachedFonts: ResvgRenderOptions['font'] | undefined;
/**
 * The DejaVu fonts shipped in the dejavu-fonts-ttf package: the same glyphs on every machine,
 * with or without fonts installed, and no scan of the system's font folders on every render.
 * Falls back to the system's fonts when the package is missing.
 */
function fontOptions(): ResvgRenderOptions['font'] {
  if (cachedFonts) return cachedFonts;
  try {
    const dir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    cachedFonts = {
      loadSystemFonts: false,
      fontFiles: [path.join(dir, 'DejaVuSans.ttf'), path.join(dir, 'DejaVuSans-Bold.ttf')],
      defaultFontFamily: FONT_FAMILY,
    };
  } catch {
    cachedFonts = { loadSystemFonts: true, defaultFontFamily: FONT_FAMILY };
  }
  return cachedFonts;
}

/** The Vega-Lite spec for a chart; inline data only, so rendering never reads a file or URL. */
export function chartToVegaLite(chart: ChartSpec): TopLevelSpec {
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: chart.title, anchor: 'start' as const, fontSize: 14 },
    width: WIDTH,
    background: 'white',
    padding: 8,
    config: {
      font: FONT_FAMILY,
      view: { stroke: null },
      axis: { labelFontSize: 11, titleFontSize: 11, labelLimit: 160 },
      legend: { labelFontSize: 11, titleFontSize: 11 },
    },
  };
  const fmt = valueAxis(chart.valueFormat, chart.currency);
  // Labels on bars and cells read exactly like the report's table cells.
  const show = (v: number) => formatCell(v, chart.valueFormat ?? 'number', chart.currency);
  switch (chart.kind) {
    case 'bar': {
      const bars = [...chart.bars].sort((a, b) => b.value - a.value);
      const order = bars.map((b) => b.label);
      return {
        ...common,
        height: bandHeight(bars.length),
        data: { values: bars.map((b) => ({ label: b.label, value: b.value, text: show(b.value) })) },
        layer: [
          {
            mark: { type: 'bar', color: '#4c78a8' },
            encoding: {
              y: { field: 'label', type: 'nominal', sort: order, title: null },
              x: { field: 'value', type: 'quantitative', title: chart.valueLabel, axis: fmt.axis },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
            encoding: {
              y: { field: 'label', type: 'nominal', sort: order },
              x: { field: 'value', type: 'quantitative' },
              text: { field: 'text', type: 'nominal' },
            },
          },
        ],
      } as TopLevelSpec;
    }
    case 'histogram': {
      const bins = binValues(chart);
      return {
        ...common,
        height: 200,
        data: { values: bins },
        mark: { type: 'bar', color: '#4c78a8', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: {
            field: 'from',
            type: 'quantitative',
            bin: { binned: true, step: bins.length ? bins[0].to - bins[0].from : 1 },
            title: chart.valueLabel,
            axis: fmt.axis,
          },
          x2: { field: 'to' },
          y: { field: 'count', type: 'quantitative', title: 'Customers' },
        },
      } as TopLevelSpec;
    }
    case 'heatmap': {
      const rows = distinct(chart.cells.map((c) => c.row));
      const columns = distinct(chart.cells.map((c) => c.column));
      const values = chart.cells
        .filter((c) => c.value !== null)
        .map((c) => ({ ...c, text: show(c.value as number) }));
      return {
        ...common,
        width: Math.min(WIDTH, Math.max(160, columns.length * 52)),
        height: Math.min(400, Math.max(60, rows.length * 24)),
        data: { values },
        encoding: {
          x: {
            field: 'column',
            type: 'ordinal',
            sort: columns,
            title: chart.columnLabel,
            axis: { labelAngle: 0 },
          },
          y: { field: 'row', type: 'ordinal', sort: rows, title: chart.rowLabel },
        },
        layer: [
          {
            mark: { type: 'rect' },
            encoding: {
              color: {
                field: 'value',
                type: 'quantitative',
                scale: { scheme: 'blues' },
                title: null,
                legend: fmt.axis,
              },
            },
          },
          {
            mark: { type: 'text', fontSize: 10 },
            encoding: {
              text: { field: 'text', type: 'nominal' },
              // Dark cells get white text; the threshold is half the colour scale's range.
              color: {
                condition: {
                  test: `datum.value > ${midpoint(values.map((v) => v.value as number))}`,
                  value: 'white',
                },
                value: 'black',
              },
            },
          },
        ],
      } as TopLevelSpec;
    }
    case 'lines': {
      const points = chart.series.flatMap((s) => s.points.map((p) => ({ series: s.name, x: p.x, y: p.y })));
      const numericX = points.every((p) => typeof p.x === 'number');
      const wholeX = numericX && points.every((p) => Number.isInteger(p.x));
      return {
        ...common,
        height: 220,
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x: numericX
            ? {
                field: 'x',
                type: 'quantitative',
                title: chart.xLabel,
                axis: wholeX ? { tickMinStep: 1, format: 'd' } : {},
              }
            : {
                field: 'x',
                type: 'ordinal',
                sort: distinct(points.map((p) => String(p.x))),
                title: chart.xLabel,
                axis: { labelAngle: 0 },
              },
          y: { field: 'y', type: 'quantitative', title: chart.yLabel, axis: fmt.axis },
          color: {
            field: 'series',
            type: 'nominal',
            sort: chart.series.map((s) => s.name),
            title: null,
            legend: chart.series.length > 1 ? { orient: 'bottom', columns: 4 } : null,
          },
        },
      } as TopLevelSpec;
    }
    case 'interval': {
      const items = chart.items;
      const y = { field: 'label', type: 'nominal', sort: items.map((it) => it.label), title: null };
      return {
        ...common,
        height: bandHeight(items.length),
        data: { values: items },
        layer: [
          {
            mark: { type: 'bar', color: '#9ecae9' },
            encoding: {
              y,
              x: { field: 'estimate', type: 'quantitative', title: chart.valueLabel, axis: fmt.axis },
            },
          },
          {
            mark: { type: 'rule', color: 'black', strokeWidth: 1.5 },
            encoding: { y, x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } },
          },
          {
            mark: { type: 'tick', color: 'black', thickness: 1.5, size: 10 },
            encoding: { y, x: { field: 'low', type: 'quantitative' } },
          },
          {
            mark: { type: 'tick', color: 'black', thickness: 1.5, size: 10 },
            encoding: { y, x: { field: 'high', type: 'quantitative' } },
          },
          {
            // No effect: where an interval crosses this line the uplift is not established.
            data: { values: [{ zero: 0 }] },
            mark: { type: 'rule', color: '#666', strokeDash: [4, 3] },
            encoding: { x: { field: 'zero', type: 'quantitative' } },
          },
        ],
      } as TopLevelSpec;
    }
  }
}

/** Equal-width bins over the extent; values outside it land in the end bins. */
export function binValues(chart: HistogramChart): Array<{ from: number; to: number; count: number }> {
  const values = chart.values.filter((v) => Number.isFinite(v));
  const count = Math.max(1, Math.round(chart.binCount ?? 10));
  let [lo, hi] = chart.extent ?? [Math.min(...values), Math.max(...values)];
  if (!values.length && !chart.extent) [lo, hi] = [0, 1];
  if (hi <= lo) hi = lo + 1;
  const step = (hi - lo) / count;
  const bins = Array.from({ length: count }, (_, i) => ({
    from: lo + i * step,
    to: lo + (i + 1) * step,
    count: 0,
  }));
  for (const v of values) {
    const i = Math.min(count - 1, Math.max(0, Math.floor((v - lo) / step)));
    bins[i].count++;
  }
  return bins;
}

function valueAxis(format: ValueFormat = 'number', currency = '£') {
  switch (format) {
    case 'percent':
      return { axis: { format: '.0%' } };
    case 'money':
      return { axis: { labelExpr: `${JSON.stringify(currency)} + format(datum.value, ',.0f')` } };
    default:
      return { axis: { format: ',' } };
  }
}

function bandHeight(count: number): number {
  return Math.min(480, Math.max(80, count * 24));
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

function midpoint(values: number[]): number {
  if (!values.length) return 0;
  return (Math.min(...values) + Math.max(...values)) / 2;
}

/** JSON with object keys sorted, so equal charts hash equally whatever order they were built in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
