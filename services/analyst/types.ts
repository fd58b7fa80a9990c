/** What the analyst returns: the figures for the dialog, the table for export, the report for every channel. */
import type { ChartSpec, Report, ReportTable } from '../../reports/report';
import type { Dimension, Measure, QuerySpec } from '../../nlp/query/spec';

/** The data's dates: first order day, and the day after the newest order (exclusive end, "today"). */
export interface DataContext {
  first: string;
  end: string;
  reference: Date;
  /** The date of the latest stored scores, or null before training. */
  scoresAsOf: string | null;
}

/** One group (or side, or time bucket) of an answer. */
export interface AnswerRow {
  key: string;
  label: string;
  /** The measure asked for. */
  value: number | null;
  /** The other measures shown with it. */
  values: Partial<Record<Measure, number | null>>;
}

export interface DriverItem {
  key: string;
  label: string;
  before: number | null;
  after: number | null;
  /** This group's part of the change of the whole (the parts add up to the change). */
  change: number;
  /** change / the whole change (null when the whole did not change). */
  share: number | null;
}

export interface DriverGroup {
  dimension: Dimension;
  items: DriverItem[];
}

export interface AnalystAnswer {
  /** The spec answered (null when the question could not be understood as one). */
  spec: QuerySpec | null;
  /** 'nodata': the period has no orders; 'cannot': the question cannot be answered from this data. */
  kind: 'figure' | 'table' | 'comparison' | 'drivers' | 'nodata' | 'cannot';
  title: string;
  /** What was computed, in one or two sentences (measure, period, filters and result). */
  statement: string;
  /** The single figure, for kind 'figure'. */
  value?: number | null;
  /** Key figures, formatted. */
  figures: Array<{ label: string; value: string }>;
  /** Every row, with raw numbers: what "export" writes. */
  table: ReportTable;
  rows: AnswerRow[];
  /** The rows shown now ("show me more" turns the page). */
  page: { index: number; size: number; total: number; rows: AnswerRow[] };
  chartHint: 'bar' | 'lines' | 'none';
  chart?: ChartSpec;
  comparison?: { change: number | null; relativeChange: number | null };
  drivers?: DriverGroup[];
  /** The definition used, the data's limits and every assumption. */
  notes: string[];
  /** The answer for every channel (Adaptive Card, Slack, Markdown). */
  report: Report;
  /** Every row as CSV text, with a header. */
  csv(): string;
}
