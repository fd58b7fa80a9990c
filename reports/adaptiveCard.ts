import { describeChart, formatCell, type Report } from './report';

/** Where the card finds the report's chart: a URL the bot serves, or a data: URI. */
export interface ChartImage {
  url: string;
}

/**
 * Adaptive Card schema 1.5 (Teams, Web Chat and the Emulator render it, tables included). The
 * chart is shown only when an image for it is given; otherwise the table carries the numbers.
 */
export function reportToAdaptiveCard(report: Report, chartImage?: ChartImage): Record<string, unknown> {
  const body: unknown[] = [
    { type: 'TextBlock', text: report.title, weight: 'Bolder', size: 'Medium', wrap: true },
  ];
  if (report.subtitle)
    body.push({ type: 'TextBlock', text: report.subtitle, isSubtle: true, spacing: 'None', wrap: true });
  if (report.facts?.length) {
    body.push({ type: 'FactSet', facts: report.facts.map((f) => ({ title: f.label, value: f.value })) });
  }
  if (report.chart && chartImage) {
    body.push({
      type: 'Image',
      url: chartImage.url,
      altText: describeChart(report.chart),
      size: 'Stretch',
      spacing: 'Medium',
    });
  }
  if (report.table && report.table.rows.length) {
    const { columns, rows } = report.table;
    const align = (i: number) => (columns[i]?.kind && columns[i].kind !== 'text' ? 'Right' : 'Left');
    const textCell = (text: string, i: number, bold = false) => ({
      type: 'TableCell',
      items: [
        {
          type: 'TextBlock',
          text,
          wrap: true,
          horizontalAlignment: align(i),
          ...(bold ? { weight: 'Bolder' } : {}),
        },
      ],
    });
    body.push({
      type: 'Table',
      firstRowAsHeaders: true,
      showGridLines: false,
      columns: columns.map(() => ({ width: 1 })),
      rows: [
        { type: 'TableRow', cells: columns.map((c, i) => textCell(c.header, i, true)) },
        ...rows.map((r) => ({
          type: 'TableRow',
          cells: r.map((v, i) => textCell(formatCell(v, columns[i]?.kind), i)),
        })),
      ],
    });
  }
  for (const note of report.notes ?? [])
    body.push({ type: 'TextBlock', text: note, isSubtle: true, size: 'Small', wrap: true });
  const card: Record<string, unknown> = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
  };
  if (report.actions?.length) {
    card.actions = report.actions.map((a) => ({
      type: 'Action.Submit',
      title: a.title,
      data: { text: a.text },
    }));
  }
  return card;
}
