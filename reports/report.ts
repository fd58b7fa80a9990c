/**
 * A report as the dialogs build it, independent of how a channel shows it: the same object becomes
 * an Adaptive Card (Teams, Web Chat, Emulator) or Markdown text (Slack and plain channels).
 */
export type Cell = string | number | null;

export interface ReportColumn {
  header: string;
  /** Numbers are right-aligned and formatted; text is left as it is. */
  /** 'money' is whole pounds (totals); 'price' shows pence (a product's price). */
  kind?: 'text' | 'number' | 'percent' | 'money' | 'price';
}

export interface ReportTable {
  columns: ReportColumn[];
  rows: Cell[][];
}

export interface ReportAction {
  title: string;
  /** What the bot receives when the button is pressed (as if the user had typed it). */
  text: string;
}

/** How numbers on a chart's value axis and labels read. */
export type ValueFormat = 'number' | 'percent' | 'money';

interface ChartBase {
  title: string;
  /** Values in 'percent' are fractions (0.25 reads 25%), as in tables. */
  valueFormat?: ValueFormat;
  /** Currency symbol for 'money' values; £ like the table cells. */
  currency?: string;
}

/** One bar per category, longest first: segment sizes, revenue share, top products. */
export interface BarChart extends ChartBase {
  kind: 'bar';
  valueLabel: string;
  bars: Array<{ label: string; value: number }>;
}

/** Distribution of many values, binned on the server: churn-risk scores, order values. */
export interface HistogramChart extends ChartBase {
  kind: 'histogram';
  valueLabel: string;
  values: number[];
  /** Range the bins cover (values outside are counted in the end bins); default: the data's range. */
  extent?: [number, number];
  /** Number of equal-width bins; default 10. */
  binCount?: number;
}

/** A grid of values, e.g. cohort retention: one row per cohort, one column per period since. */
export interface HeatmapChart extends ChartBase {
  kind: 'heatmap';
  rowLabel: string;
  columnLabel: string;
  /** Rows and columns appear in the order they first occur here; null is an empty cell. */
  cells: Array<{ row: string; column: string; value: number | null }>;
}

/** One line per series over an ordered x axis, e.g. retention curves per cohort. */
export interface LineChart extends ChartBase {
  kind: 'lines';
  xLabel: string;
  yLabel: string;
  series: Array<{ name: string; points: Array<{ x: string | number; y: number }> }>;
}

/** Estimates with their confidence intervals, e.g. campaign uplift against the control group. */
export interface IntervalChart extends ChartBase {
  kind: 'interval';
  valueLabel: string;
  items: Array<{ label: string; estimate: number; low: number; high: number }>;
}

/** A chart that comes with a report; rendered to PNG on the server (see chart.ts). */
export type ChartSpec = BarChart | HistogramChart | HeatmapChart | LineChart | IntervalChart;

export interface Report {
  title: string;
  subtitle?: string;
  facts?: Array<{ label: string; value: string }>;
  /** Shown above the table where the channel shows images; text channels keep the table. */
  chart?: ChartSpec;
  table?: ReportTable;
  notes?: string[];
  actions?: ReportAction[];
}

// Formatters are costly to build; toLocaleString builds one per call.
const WHOLE = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const TWO_DECIMALS = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const PENCE = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatCell(value: Cell, kind: ReportColumn['kind'] = 'text', currency = '£'): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'percent':
      return `${(value * 100).toFixed(1)}%`;
    case 'money':
      return `${currency}${WHOLE.format(value)}`;
    case 'price':
      return `${currency}${PENCE.format(value)}`;
    case 'number':
      return Number.isInteger(value) ? WHOLE.format(value) : TWO_DECIMALS.format(value);
    default:
      return String(value);
  }
}

/**
 * The chart in one sentence, for screen readers and image alt text: the title and the numbers
 * (top bars, interval ends, how the values are spread), formatted as in the table.
 */
export function describeChart(chart: ChartSpec): string {
  const show = (v: number) => formatCell(v, chart.valueFormat ?? 'number', chart.currency);
  const list = (items: string[], max = 6) =>
    items.slice(0, max).join(', ') + (items.length > max ? ` and ${items.length - max} more` : '');
  switch (chart.kind) {
    case 'bar':
      return `${chart.title}: ${list([...chart.bars].sort((a, b) => b.value - a.value).map((b) => `${b.label} ${show(b.value)}`))}.`;
    case 'interval':
      return `${chart.title}: ${list(chart.items.map((i) => `${i.label} ${show(i.estimate)} (${show(i.low)} to ${show(i.high)})`))}.`;
    case 'histogram': {
      const values = chart.values.filter(Number.isFinite).sort((a, b) => a - b);
      if (!values.length) return `${chart.title}: no values.`;
      const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))];
      return `${chart.title}: ${values.length} values, median ${show(at(0.5))}, middle half between ${show(at(0.25))} and ${show(at(0.75))}.`;
    }
    case 'heatmap':
      return `${chart.title}: ${chart.rowLabel} by ${chart.columnLabel}, ${chart.cells.filter((c) => c.value !== null).length} values.`;
    case 'lines':
      return `${chart.title}: ${chart.yLabel} by ${chart.xLabel} for ${list(chart.series.map((s) => s.name))}.`;
  }
}
