/**
 * An answer's rows as what the marketer sees: the shown page, a chart, the Report every channel
 * renders (reports/), and the whole table as CSV.
 */
import { stringify } from 'csv-stringify/sync';
import { sentenceCase } from '../../lib/text';
import type { Cell, ChartSpec, Report, ReportAction, ReportColumn } from '../../reports/report';
import { isTimeDimension, type Dimension, type Measure, type QuerySpec } from '../../nlp/query/spec';
import { MEASURE_DEFINITIONS, type Format, type MeasureDefinition } from './measures';
import type { AnalystAnswer, AnswerRow, DriverGroup } from './types';
import { DIMENSION_LABEL, formatChange, formatValue } from './words';

export interface PresentInput {
  spec: QuerySpec | null;
  kind: AnalystAnswer['kind'];
  title: string;
  subtitle: string;
  statement: string;
  value?: number | null;
  measure: MeasureDefinition | null;
  rows: AnswerRow[];
  dimension?: Dimension;
  /** Measure columns, the asked measure first. */
  columns: Measure[];
  notes: string[];
  pageSize: number;
  comparison?: { change: number | null; relativeChange: number | null };
  drivers?: DriverGroup[];
  /** A table of its own (drivers), instead of key and measure columns. */
  customTable?: { columns: Array<ReportColumn & { format?: Format }>; rows: Cell[][] };
}

const kindOf = (format: Format): ReportColumn['kind'] => format;

export function present(input: PresentInput): AnalystAnswer {
  const { spec, measure, rows } = input;
  // Words that were not used can change the meaning: say so next to the answer, not only below it.
  const unused = spec?.notes.find((n) => n.startsWith('Not used'));
  if (unused && input.kind !== 'cannot')
    input = { ...input, statement: `${input.statement} (${unused.replace(/\.$/, '')}.)` };
  const page = Math.max(0, spec?.page ?? 0);
  const size = Math.max(1, input.pageSize);
  const shown = rows.slice(page * size, page * size + size);
  const keyColumns: Array<ReportColumn & { format?: Format }> =
    input.dimension === 'product'
      ? [{ header: 'Code' }, { header: 'Product' }]
      : [
          {
            header:
              input.kind === 'comparison'
                ? 'Compared'
                : input.dimension
                  ? DIMENSION_LABEL[input.dimension]
                  : 'Measure',
          },
        ];
  const measureColumns = input.columns.map((m) => ({
    header: MEASURE_DEFINITIONS[m].label,
    kind: kindOf(MEASURE_DEFINITIONS[m].format),
    format: MEASURE_DEFINITIONS[m].format,
    measure: m,
  }));
  const keyCells = (r: AnswerRow): Cell[] =>
    input.dimension === 'product' ? [r.key, r.label.replace(/ \([^)]*\)$/, '')] : [r.label];
  const raw = (r: AnswerRow): Cell[] => [
    ...keyCells(r),
    ...measureColumns.map((c) =>
      c.measure === input.spec?.measure ? r.value : (r.values[c.measure] ?? null),
    ),
  ];
  const table = input.customTable
    ? { columns: input.customTable.columns, rows: input.customTable.rows }
    : { columns: [...keyColumns, ...measureColumns], rows: rows.map(raw) };
  // Shown as people write names ("Regency cakestand 3 tier"); the export keeps the catalogue's.
  const nameColumn = input.dimension === 'product' && !input.customTable ? 1 : -1;
  const displayed = (cells: Cell[]) =>
    cells.map((c, i) => {
      const format = (table.columns[i] as { format?: Format }).format;
      if (i === nameColumn && typeof c === 'string') return sentenceCase(c);
      return typeof c === 'number' && format ? formatValue(c, format) : c;
    });
  const pageCells = input.customTable ? input.customTable.rows.slice(0, size) : shown.map(raw);
  const moreRows = !input.customTable && rows.length > (page + 1) * size;
  const notes = [...input.notes];
  if (!input.customTable && rows.length > size && input.kind === 'table')
    notes.push(
      shown.length
        ? `Showing rows ${page * size + 1}–${page * size + shown.length} of ${rows.length}.`
        : `That was all: ${rows.length} rows.`,
    );
  const chart = chartFor(input, shown, rows);
  const report: Report = {
    title: input.title,
    subtitle: input.statement,
    facts: facts(input),
    ...(chart ? { chart } : {}),
    ...(pageCells.length && (input.kind !== 'figure' || input.customTable)
      ? {
          table: {
            columns: table.columns.map(({ header, kind }) => ({ header, ...(kind ? { kind } : {}) })),
            rows: pageCells.map(displayed),
          },
        }
      : {}),
    notes,
    actions: actions(input, moreRows),
  };
  return {
    spec,
    kind: input.kind,
    title: input.title,
    statement: input.statement,
    ...(input.kind === 'figure' || input.kind === 'nodata' ? { value: input.value ?? null } : {}),
    figures: report.facts ?? [],
    table: {
      columns: table.columns.map(({ header, kind }) => ({ header, ...(kind ? { kind } : {}) })),
      rows: table.rows,
    },
    rows,
    page: { index: page, size, total: rows.length, rows: shown },
    chartHint: chart ? (chart.kind === 'lines' ? 'lines' : 'bar') : 'none',
    ...(chart ? { chart } : {}),
    ...(input.comparison ? { comparison: input.comparison } : {}),
    ...(input.drivers ? { drivers: input.drivers } : {}),
    notes,
    report,
    csv: () => toCsv(table.columns, table.rows),
  };
  void measure;
}

function facts(input: PresentInput): Array<{ label: string; value: string }> {
  const def = input.measure;
  if (!def) return [];
  const fmt = (v: number | null) => formatValue(v, def.format);
  switch (input.kind) {
    case 'figure':
      return [{ label: def.label, value: fmt(input.value ?? null) }];
    case 'comparison': {
      const out = input.rows.map((r) => ({ label: r.label, value: fmt(r.value) }));
      if (input.comparison?.relativeChange !== undefined && input.comparison.relativeChange !== null)
        out.push({ label: 'Change', value: formatChange(input.comparison.relativeChange) });
      return out;
    }
    case 'table': {
      const lead = [...input.rows].filter((r) => r.value !== null)[0];
      return lead
        ? [
            {
              label: input.dimension && isTimeDimension(input.dimension) ? 'First' : 'First row',
              value: `${lead.label}: ${fmt(lead.value)}`,
            },
          ]
        : [];
    }
    default:
      return [];
  }
}

function chartFor(input: PresentInput, shown: AnswerRow[], all: AnswerRow[]): ChartSpec | undefined {
  const def = input.measure;
  if (!def || input.customTable) return undefined;
  const valueFormat = def.format;
  if (input.kind === 'table' && input.dimension && isTimeDimension(input.dimension)) {
    const points = all.filter((r) => r.value !== null).map((r) => ({ x: r.label, y: r.value! }));
    if (points.length < 2) return undefined;
    return {
      kind: 'lines',
      title: input.title,
      xLabel: DIMENSION_LABEL[input.dimension],
      yLabel: def.label,
      valueFormat,
      series: [{ name: def.label, points }],
    };
  }
  if (input.kind === 'table' || input.kind === 'comparison') {
    const bars = shown.filter((r) => r.value !== null).map((r) => ({ label: r.label, value: r.value! }));
    if (bars.length < 2) return undefined;
    return { kind: 'bar', title: input.title, valueLabel: def.label, valueFormat, bars };
  }
  return undefined;
}

function actions(input: PresentInput, moreRows: boolean): ReportAction[] {
  const spec = input.spec;
  if (!spec || input.kind === 'cannot' || input.kind === 'nodata') return [];
  const out: ReportAction[] = [];
  if (moreRows) out.push({ title: 'Show more', text: 'show me more' });
  const source = MEASURE_DEFINITIONS[spec.measure].source;
  if (input.kind !== 'drivers' && source === 'sales' && (spec.period || spec.comparison?.by === 'period'))
    out.push({ title: 'Why?', text: 'why?' });
  if (input.kind === 'figure' && source === 'sales') out.push({ title: 'By month', text: 'by month' });
  if (input.kind === 'figure' && !spec.filters.countries?.length)
    out.push({ title: 'By country', text: 'by country' });
  if (input.rows.length > 1 || input.customTable)
    out.push({ title: 'Export CSV', text: 'export that as csv' });
  return out.slice(0, 4);
}

/** Every row, numbers unformatted (money to the penny, shares as percentages), formulas defused. */
function toCsv(columns: Array<ReportColumn & { format?: Format }>, rows: Cell[][]): string {
  const header = columns.map((c) => (c.format === 'percent' ? `${c.header} (%)` : c.header));
  const body = rows.map((r) =>
    r.map((c, i) => {
      if (typeof c !== 'number') return c ?? '';
      const format = columns[i]?.format;
      if (format === 'percent') return Math.round(c * 1e6) / 1e4;
      if (format === 'money') return Math.round(c * 100) / 100;
      return Math.round(c * 1e4) / 1e4;
    }),
  );
  return stringify([header, ...body], { escape_formulas: true });
}
