import type { Attachment } from 'botbuilder';
import type { Report } from '../../reports/report';
import { reportToMarkdown } from '../../reports/markdown';
import { reportToAdaptiveCard } from '../../reports/adaptiveCard';
import { reportActivity, supportsCards } from '../../dialogs/reportActivity';

const segments: Report = {
  title: 'Segments as of 1 Jul 2011',
  subtitle: '578 customers',
  facts: [{ label: 'Revenue', value: '£212,000' }],
  table: {
    columns: [
      { header: 'Segment' },
      { header: 'Customers', kind: 'number' },
      { header: 'Revenue share', kind: 'percent' },
      { header: 'CLV', kind: 'money' },
    ],
    rows: [
      ['Champions', 81, 0.412, 120345.6],
      ["Can't lose them | VIP", 9, 0.05, null],
    ],
  },
  notes: ['Scores from the model trained on 23 Nov'],
  actions: [{ title: 'At-risk customers', text: 'show at-risk customers' }],
};

describe('one report, two renderings', () => {
  it('renders Markdown with an aligned pipe table that cell text cannot break', () => {
    const md = reportToMarkdown(segments);
    expect(md).toContain('**Segments as of 1 Jul 2011**');
    expect(md).toContain('- Revenue: **£212,000**');
    expect(md).toContain('| Segment | Customers | Revenue share | CLV |\n| --- | ---: | ---: | ---: |');
    expect(md).toContain('| Champions | 81 | 41.2% | £120,346 |');
    expect(md).toContain("| Can't lose them \\| VIP | 9 | 5.0% | – |");
    expect(md).toContain('Reply with: "show at-risk customers"');
  });

  it('renders an Adaptive Card 1.5 with facts, a header row, right-aligned numbers and submit buttons', () => {
    const card = reportToAdaptiveCard(segments) as {
      version: string;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking card JSON
      body: Array<Record<string, any>>;
      actions: unknown[];
    };
    expect(card.version).toBe('1.5');
    const table = card.body.find((b) => b.type === 'Table')!;
    expect(table.rows).toHaveLength(3);
    const cellText = (row: number, col: number) => table.rows[row].cells[col].items[0];
    expect(cellText(0, 0)).toMatchObject({ text: 'Segment', weight: 'Bolder' });
    expect(cellText(1, 3)).toMatchObject({ text: '£120,346', horizontalAlignment: 'Right' });
    expect(cellText(2, 0)).toMatchObject({ text: "Can't lose them | VIP", horizontalAlignment: 'Left' });
    expect(card.body.find((b) => b.type === 'FactSet')!.facts).toEqual([
      { title: 'Revenue', value: '£212,000' },
    ]);
    expect(card.actions).toEqual([
      { type: 'Action.Submit', title: 'At-risk customers', data: { text: 'show at-risk customers' } },
    ]);
  });

  it('chooses the card where the channel renders it, Markdown elsewhere', () => {
    expect(['msteams', 'webchat', 'emulator'].every(supportsCards)).toBe(true);
    expect(supportsCards('slack')).toBe(false);
    const teams = reportActivity(segments, 'msteams');
    expect((teams.attachments as Attachment[])[0].contentType).toBe(
      'application/vnd.microsoft.card.adaptive',
    );
    expect(teams.summary).toBe('Segments as of 1 Jul 2011');
    const slack = reportActivity(segments, 'slack');
    expect(slack.attachments ?? []).toHaveLength(0);
    expect((slack.channelData as { blocks: unknown[] }).blocks.length).toBeGreaterThan(1);
    const sms = reportActivity(segments, 'sms');
    expect(sms.attachments ?? []).toHaveLength(0);
    expect(sms.text).toContain('| Champions | 81 |');
  });

  it('leaves out an empty table rather than drawing a header with no rows', () => {
    const empty: Report = {
      title: 'No customers at risk',
      table: { columns: [{ header: 'Customer' }], rows: [] },
    };
    expect(reportToMarkdown(empty)).toBe('**No customers at risk**');
    expect((reportToAdaptiveCard(empty).body as unknown[]).length).toBe(1);
  });
});
