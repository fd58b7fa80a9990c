/**
 * A marketer's conversation with the real server, as on `npm start`: questions about the shop's
 * figures in their own words, follow-ups that keep the context, paging, "why?", an export that
 * arrives as a CSV file, and follow-ups to the fixed reports. Figures are checked against SQL
 * written here, not against the code under test.
 */
import { SERVER_START_TIMEOUT, startWebChatServer, type WebChatServer } from './webChatServer';
import { WebChatClient, shownText, type ChatActivity } from '../support/directLineClient';
import { sql } from '../support/sql';

const MERCHANDISE = `FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
  WHERE p.kind = 'product'`;

/** The first amount in pounds a text shows ("£141,708" or "£874.80"). */
function pounds(text: string): number {
  const m = /£(-?[\d,]+(?:\.\d+)?)/.exec(text);
  if (!m) throw new Error(`no amount in: ${text.slice(0, 300)}`);
  return Number(m[1].replace(/,/g, ''));
}

/** The card's subtitle: the sentence saying what was computed. */
function statement(replies: ChatActivity[]): string {
  const card = replies.flatMap((r) => r.attachments ?? []).find((a) => a.contentType.includes('adaptive'));
  const body = (card?.content as { body?: Array<{ text?: string }> } | undefined)?.body ?? [];
  return body[1]?.text ?? '';
}

describe('a marketer asks about the shop in their own words, on the real server', () => {
  let server: WebChatServer;
  let chat: WebChatClient;

  beforeAll(async () => {
    server = await startWebChatServer();
    chat = await WebChatClient.open(server.url, 'marketer');
  }, SERVER_START_TIMEOUT);
  afterAll(async () => server?.stop());

  const revenue = (from: string, to: string, country?: string) =>
    (
      sql(server.store)
        .prepare(
          `SELECT SUM(l.quantity * l.unit_price) AS v ${MERCHANDISE} AND o.ordered_at >= ? AND o.ordered_at < ?` +
            (country ? ' AND o.country = ?' : ''),
        )
        .get(...[from, to, ...(country ? [country] : [])]) as { v: number }
    ).v;

  it('answers a figure, says what it computed, and keeps the context for "and in France?"', async () => {
    const june = await chat.say('what was our revenue last month?');
    const said = statement(june);
    expect(said).toMatch(/Revenue, June 2011/);
    expect(shownText(june)).toMatch(/net of cancellations and returns/);
    expect(pounds(said)).toBeCloseTo(revenue('2011-06-01', '2011-07-01'), 0);

    const france = statement(await chat.say('and in France?'));
    expect(france).toMatch(/in France, June 2011/);
    expect(pounds(france)).toBeCloseTo(revenue('2011-06-01', '2011-07-01', 'France'), 0);
  });

  it('ranks, pages with "show me more", and exports the whole table as a CSV file', async () => {
    const top = await chat.say('top 5 products by revenue in Germany');
    const best = sql(server.store)
      .prepare(
        `SELECT p.sku AS sku, SUM(l.quantity * l.unit_price) AS v ${MERCHANDISE} AND o.country = 'Germany'
          GROUP BY p.sku ORDER BY v DESC LIMIT 6`,
      )
      .all() as Array<{ sku: string; v: number }>;
    const shown = shownText(top);
    expect(shown).toContain(best[0].sku);
    expect(shown).not.toContain(`"${best[5].sku}"`);
    expect(shown).toMatch(/Showing rows 1–5/);

    const more = shownText(await chat.say('show me more'));
    expect(more).toMatch(/Showing rows 6–10/);
    expect(more).toContain(best[5].sku);

    const exported = await chat.say('export that as csv');
    const file = exported.flatMap((r) => r.attachments ?? []).find((a) => a.contentType === 'text/csv');
    expect(file?.name).toMatch(/\.csv$/);
    const csv = Buffer.from(file!.contentUrl!.replace(/^data:text\/csv;base64,/, ''), 'base64').toString(
      'utf8',
    );
    const lines = csv.trim().split(/\r?\n/);
    const products = (
      sql(server.store)
        .prepare(`SELECT COUNT(DISTINCT p.sku) AS n ${MERCHANDISE} AND o.country = 'Germany'`)
        .get() as { n: number }
    ).n;
    expect(lines[0]).toMatch(/^Code,Product,Revenue/);
    expect(lines.length - 1).toBeGreaterThan(10);
    expect(lines.length - 1).toBeLessThanOrEqual(products);
    expect(lines[1].startsWith(`${best[0].sku},`)).toBe(true);
  });

  it('explains a change with "why?", and says so when a period has no data yet', async () => {
    await chat.say('revenue in May 2011 vs April 2011');
    const why = shownText(await chat.say('why?'));
    expect(why).toMatch(/Why revenue (rose|fell)/);
    expect(why).toMatch(/not why customers behaved so/);
    await chat.say('revenue this month vs last month');
    expect(shownText(await chat.say('why?'))).toMatch(/has no orders yet/);
  });

  it('says plainly what it cannot answer, instead of another report', async () => {
    for (const question of ['what was revenue in Narnia?', 'revenue at christmas']) {
      const reply = shownText(await chat.say(question));
      expect(reply).not.toMatch(/Customer segments|Churn risk|Campaign/);
      expect(reply).toMatch(/I cannot answer that/);
    }
  });

  it('follows up the fixed reports: "and in France?" after the churn list, "why?" after a customer', async () => {
    await chat.say('who is likely to churn in Germany?');
    const france = shownText(await chat.say('and in France?'));
    expect(france).toMatch(/Customers worth winning back/);
    expect(france).toMatch(/in France/);
    expect(france).not.toMatch(/Germany/);
    await chat.say('what is customer 15061 worth?');
    const why = shownText(await chat.say('why?'));
    expect(why).toMatch(/Customer 15061 has a \d+% risk/);
    expect(why).toMatch(/segment/);
  });
});
