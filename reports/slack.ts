/**
 * Reports for Slack, reached through Azure Bot Service's Slack channel. Slack shows neither
 * Adaptive Cards nor Markdown pipe tables, so a report becomes Block Kit blocks, passed through
 * untouched in the activity's channelData ({ text, blocks }), with the same content as Slack
 * mrkdwn text for notifications and for clients that do not show blocks.
 */
import { describeChart, formatCell, type Report, type ReportTable } from './report';

export type SlackText = { type: 'plain_text'; text: string } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'image'; image_url: string; alt_text: string; title?: SlackText }
  | { type: 'divider' };

export interface SlackMessage {
  /** mrkdwn: what notifications show, and the whole report where blocks are not shown. */
  text: string;
  blocks: SlackBlock[];
}

// Slack's documented limits for messages.
const HEADER_MAX = 150;
const SECTION_TEXT_MAX = 3000;
const FIELDS_PER_SECTION = 10;
const CONTEXT_ELEMENTS_MAX = 10;
const BLOCKS_MAX = 50;
/** Longer text cells are cut so the monospaced table stays readable in a chat column. */
const CELL_MAX = 28;

/** A chart is shown only from a public URL: Slack fetches images itself and takes no data: URIs. */
export function reportToSlack(report: Report, chartUrl?: string): SlackMessage {
  const blocks: SlackBlock[] = [{ type: 'header', text: plain(truncate(report.title, HEADER_MAX)) }];
  const text: string[] = [`*${escape(report.title)}*`];

  if (report.subtitle) {
    blocks.push({ type: 'context', elements: [mrkdwn(escape(report.subtitle))] });
    text.push(`_${escape(report.subtitle)}_`);
  }
  const facts = report.facts ?? [];
  for (let i = 0; i < facts.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: facts
        .slice(i, i + FIELDS_PER_SECTION)
        .map((f) => mrkdwn(`*${escape(f.label)}*\n${escape(f.value)}`)),
    });
  }
  if (facts.length) text.push(facts.map((f) => `• ${escape(f.label)}: *${escape(f.value)}*`).join('\n'));
  if (report.chart && chartUrl) {
    blocks.push({
      type: 'image',
      image_url: chartUrl,
      alt_text: truncate(describeChart(report.chart), 2000),
      title: plain(truncate(report.chart.title, 2000)),
    });
    text.push(`<${chartUrl}|Chart: ${escape(report.chart.title)}>`);
  }
  if (report.table && report.table.rows.length) {
    const table = codeTable(report.table, SECTION_TEXT_MAX);
    blocks.push({ type: 'section', text: mrkdwn(table) });
    text.push(table);
  }
  const notes = report.notes ?? [];
  if (notes.length) {
    blocks.push({
      type: 'context',
      elements: notes.slice(0, CONTEXT_ELEMENTS_MAX).map((n) => mrkdwn(escape(n))),
    });
    text.push(notes.map((n) => `_${escape(n)}_`).join('\n'));
  }
  if (report.actions?.length) {
    // Typed replies rather than buttons: button clicks do not come back through the Bot Service
    // Slack channel as messages the dialogs understand, and a dead button is worse than none.
    const hint = `Reply with: ${report.actions.map((a) => `\`${escape(a.text)}\``).join(', ')}`;
    blocks.push({ type: 'context', elements: [mrkdwn(hint)] });
    text.push(hint);
  }
  return { text: text.join('\n\n'), blocks: blocks.slice(0, BLOCKS_MAX) };
}

/**
 * The table as a monospaced code block with numbers right-aligned, cut to whole rows so that it
 * fits `limit` characters, saying how many rows were left out.
 */
export function codeTable(table: ReportTable, limit: number): string {
  const { columns, rows } = table;
  const numeric = columns.map((c) => c.kind !== undefined && c.kind !== 'text');
  const header = columns.map((c) => truncate(c.header, CELL_MAX));
  const body = rows.map((r) => r.map((v, i) => truncate(formatCell(v, columns[i]?.kind), CELL_MAX)));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  const wrap = (content: string[], more: number) =>
    '```\n' + escape(content.join('\n')) + '\n```' + (more ? `\n_…and ${more} more rows_` : '');
  let shown = 0;
  for (const row of body) {
    const candidate = [...lines, line(row)];
    if (wrap(candidate, body.length - shown - 1).length > limit) break;
    lines.push(line(row));
    shown++;
  }
  return wrap(lines, body.length - shown);
}

function plain(text: string): SlackText {
  return { type: 'plain_text', text };
}

function mrkdwn(text: string): SlackText {
  return { type: 'mrkdwn', text };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…';
}

/** The three characters Slack asks to be escaped in all text; the rest is taken literally. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
