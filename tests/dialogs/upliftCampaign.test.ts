/**
 * "Start a win-back for the customers most likely to respond to 10% off" in chat, through the real
 * main dialog and Bot Framework test client, on a shop with a finished randomised campaign
 * (tests/uplift/campaignShop.ts): first without an uplift model (churn-risk targeting, and why),
 * then with one (expected extra purchases against churn-risk targeting, control group kept),
 * then the campaign's status with its Qini curve as a chart.
 */
import type { Activity } from 'botbuilder';
import { ConversationState } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { createLogger } from '../../lib/logger';
import { turnMiddleware } from '../../bot';
import { SqliteStorage } from '../../bot/sqliteStorage';
import { MainDialog } from '../../dialogs/mainDialog';
import { composeApp, type App } from '../../services/app';
import { ChartStore } from '../../reports/chartStore';
import { testConfig } from '../support/shop';
import { tempDir } from '../support/files';
import {
  CAMPAIGN_START,
  openCampaignShop,
  simulateOutcomes,
  type CampaignShop,
} from '../uplift/campaignShop';
import { trainShopUplift } from '../../analytics/uplift/shopUplift';
import { defaultAsOfFor } from '../../analytics/training';
import { runWinbackJob } from '../../jobs/campaignJobs';
import { DEFAULT_JOBS_CONFIG } from '../../jobs/config';

const DAY = 86_400_000;

function shown(replies: Partial<Activity>[]): string {
  return replies
    .map((r) => [r.text ?? '', ...(r.attachments ?? []).map((a) => JSON.stringify(a.content))].join(' '))
    .join('\n');
}

describe('uplift targeting from chat', () => {
  const tmp = tempDir();
  const charts = new ChartStore();
  let shop: CampaignShop;
  let app: App;
  let clock = new Date(CAMPAIGN_START.getTime() + 34 * DAY);
  let chats = 0;

  beforeAll(async () => {
    shop = await openCampaignShop(tmp.dir, 'chat.db', { customers: 2400, fresh: 1200 });
    app = await composeApp(shop.store, testConfig(tmp.dir), { now: () => clock });
    shop.store.marketers.add('channel_user', 'msteams:marketer-1', 'test', 'test');
  }, 120_000);
  afterAll(() => {
    shop.store.close();
    tmp.cleanup();
  });

  function marketer() {
    const n = ++chats;
    const dialog = new MainDialog(app, (text) => app.nlu.understandSentiment(text), {
      charts,
      publicBaseUrl: 'https://bot.example.com',
    });
    const client = new DialogTestClient(
      'msteams',
      dialog,
      undefined,
      turnMiddleware(app, createLogger('silent')),
      new ConversationState(new SqliteStorage(shop.store.botState)),
    );
    return async (text: string) => {
      const first = await client.sendActivity({
        type: 'message',
        text,
        from: { id: 'marketer-1', name: 'Mia Marketer' },
        conversation: { id: `uplift-${n}` } as Activity['conversation'],
        channelId: 'msteams',
      });
      const replies: Partial<Activity>[] = first ? [first] : [];
      for (let next = client.getNextReply(); next; next = client.getNextReply()) replies.push(next);
      return replies;
    };
  }

  const ask = 'start a win-back for the customers most likely to respond to 10% off';

  it('without an uplift model: targets by churn risk and says why', async () => {
    const say = marketer();
    const preview = shown(await say(ask));
    expect(preview).toContain('Win-back campaign preview');
    expect(preview).toMatch(/by churn risk instead of by uplift: no campaign has finished yet/);
    expect(preview).toMatch(/churn risk ≥ 50.0%/);
    expect(shown(await say('no'))).toContain('no campaign was created');
  });

  it('with one: expected extra purchases against churn-risk targeting, then launched with a control group', async () => {
    const { stored } = await trainShopUplift(shop.store, { asOf: defaultAsOfFor(shop.store) });
    expect(stored.usable).toBe(true);
    const say = marketer();
    const preview = shown(await say(ask));
    expect(preview).toMatch(/customers the offer is most likely to change/);
    expect(preview).toMatch(/Expected extra purchases.*\d+ \(95% interval -?\d+ to \d+\) among \d+ messaged/);
    expect(preview).toMatch(/Targeting as many by churn risk/);
    expect(preview).toMatch(/Extra purchase chance/);
    expect(preview).toMatch(/Launch this campaign to \d+ customers, 10% held out as control\?/);
    const done = shown(await say('yes'));
    const id = Number(/Campaign #(\d+) is scheduled/.exec(done)?.[1]);
    const campaign = shop.store.campaigns.get(id)!;
    expect(campaign.audience).toEqual({ targeting: 'uplift', upliftShare: 0.3 });
    expect(campaign.offer).toEqual({ percentOff: 10 });
    const confirmed = shop.store.audit.recent(20).find((a) => a.action === 'campaign_confirmed');
    expect(confirmed?.details).toMatchObject({ targeting: 'uplift' });

    // The win-back job sends it; a month later the outcomes are in.
    const job = runWinbackJob(shop.store, { now: clock, config: DEFAULT_JOBS_CONFIG });
    const run = job.campaigns.find((r) => r.campaignId === id)!;
    expect(run.control).toBeGreaterThan(0);
    await simulateOutcomes(shop, tmp.dir, id, clock);
    clock = new Date(clock.getTime() + 40 * DAY);

    const status = await say(`how did campaign ${id} do?`);
    const text = shown(status);
    expect(text).toContain(`Campaign #${id}`);
    expect(text).toMatch(/Qini coefficient of the targeting.*-?\d\.\d\d over [\d,]+ members/);
    const image = /https:\/\/bot\.example\.com\/charts\/([0-9a-f]{32})\.png/.exec(text);
    expect(image).not.toBeNull();
    const png = await charts.image(image![1]);
    expect(png!.png.subarray(1, 4).toString()).toBe('PNG');
  }, 120_000);
});
