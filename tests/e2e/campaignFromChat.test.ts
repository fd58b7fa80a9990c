/**
 * Campaigns from chat on the server `npm start` runs: the real bot with the demo data, over its
 * local Direct Line endpoint, as the demo page's marketer. Create (preview, explicit yes), then
 * the campaign's row and audit entry exist, then its results are reported in chat.
 */
import { SERVER_START_TIMEOUT, startWebChatServer, type WebChatServer } from './webChatServer';
import { WebChatClient, shownText } from '../support/directLineClient';

describe('a marketer runs a win-back from chat on the real server', () => {
  let server: WebChatServer;

  beforeAll(async () => {
    server = await startWebChatServer();
  }, SERVER_START_TIMEOUT);
  afterAll(async () => server?.stop());

  it('previews, launches on "yes", audits, and reports the campaign', async () => {
    const chat = await WebChatClient.open(server.url, 'marketer');
    const before = server.store.campaigns.list().length;

    const preview = shownText(await chat.say('start a win-back for at-risk customers with 10% off'));
    expect(preview).not.toMatch(/not available/i);
    expect(preview).toMatch(/Launch this campaign to \d+ customers/);
    expect(preview).toMatch(/10% off/);
    // Nothing is created before the explicit confirmation.
    expect(server.store.campaigns.list()).toHaveLength(before);

    const launched = shownText(await chat.say('yes'));
    const id = Number(/Campaign #(\d+) is scheduled/.exec(launched)?.[1]);
    expect(id).toBeGreaterThan(0);

    const campaign = server.store.campaigns.get(id)!;
    expect(campaign).toMatchObject({ kind: 'winback', status: 'scheduled', offer: { percentOff: 10 } });
    expect(campaign.audience).toMatchObject({ segment: 'At risk' });
    const audited = server.store.audit.recent(50).filter((e) => e.subject === `campaign:${id}`);
    expect(audited.map((e) => e.action)).toEqual(
      expect.arrayContaining(['campaign.create', 'campaign_confirmed']),
    );

    const status = shownText(await chat.say(`how did campaign ${id} do?`));
    expect(status).not.toMatch(/not available/i);
    expect(status).toContain(campaign.name);
    expect(status).toMatch(/control/i);
    expect(status).toMatch(/uplift/i);
  });
});
