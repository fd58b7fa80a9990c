/**
 * A report as the dialogs build it, independent of how a channel shows it: the same object becomes
 * an Adaptive Card (Teams, Web Chat, Emulator) or Markdown text (Slack and plain channels).
 */
export type Cell = string | number | null;

export interface ReportColumn {
  header: string;
  /** Numbers are right-aligned and formatted; text is left as it is. */
  kind?: 'text' | 'number' | 'percent' | 'money';
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

export interface Report {
  title: string;
  subtitle?: string;
  facts?: Array<{ label: string; value: string }>;
  table?: ReportTable;
  notes?: string[];
  actions?: ReportAction[];
}

export function formatCell(value: Cell, kind: ReportColumn['kind'] = 'text', currency = '£'): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  switch (kind) {
    case 'percent':
      return `${(value * 100).toFixed(1)}%`;
    case 'money':
      return `${currency}${value.toLocaleString('en-GB', { maximumFractionDigits: 0 })}`;
    case 'number':
      return Number.isInteger(value)
        ? value.toLocaleString('en-GB')
        : value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
    default:
      return String(value);
  }
}
