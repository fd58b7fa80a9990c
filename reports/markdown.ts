import { formatCell, type Report } from './report';

/**
 * Markdown for channels without cards. Tables are pipe tables; cells cannot break them. A chart
 * becomes a link when the bot can serve it at a public URL; the table carries the numbers anyway.
 */
export function reportToMarkdown(report: Report, chartUrl?: string): string {
  const out: string[] = [`**${escape(report.title)}**`];
  if (report.subtitle) out.push(`_${escape(report.subtitle)}_`);
  if (report.facts?.length)
    out.push(report.facts.map((f) => `- ${escape(f.label)}: **${escape(f.value)}**`).join('\n'));
  if (report.chart && chartUrl) out.push(`[Chart: ${linkText(report.chart.title)}](${chartUrl})`);
  if (report.table && report.table.rows.length) {
    const { columns, rows } = report.table;
    const numeric = columns.map((c) => c.kind !== undefined && c.kind !== 'text');
    const lines = [
      `| ${columns.map((c) => cell(c.header)).join(' | ')} |`,
      `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
      ...rows.map((r) => `| ${r.map((v, i) => cell(formatCell(v, columns[i]?.kind))).join(' | ')} |`),
    ];
    out.push(lines.join('\n'));
  }
  if (report.notes?.length) out.push(report.notes.map((n) => `_${escape(n)}_`).join('\n'));
  if (report.actions?.length) out.push(`Reply with: ${report.actions.map((a) => `"${a.text}"`).join(', ')}`);
  return out.join('\n\n');
}

function cell(text: string): string {
  return escape(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function linkText(text: string): string {
  return escape(text).replace(/[[\]]/g, '\\$&');
}

function escape(text: string): string {
  return text.replace(/([*_`])/g, '\\$1');
}
