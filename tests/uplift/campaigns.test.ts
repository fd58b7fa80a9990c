import path from 'node:path';
import { tempDir } from '../support/files';
import { openCampaignShop, CAMPAIGN_START, type CampaignShop } from './campaignShop';
import { runNightlyJob } from '../../jobs/nightly';
import { previewAudience } from '../../services/campaigns';
import { loadShopUplift } from '../../analytics/uplift/shopUplift';

const DAY = 86_400_000;

describe('uplift-targeted campaigns', () => {
  const tmp = tempDir();
  let shop: CampaignShop;
  beforeAll(async () => {
    shop = await openCampaignShop(tmp.dir, 'uplift.db', { customers: 2400 });
  }, 60_000);
  afterAll(() => {
    shop.store.close();
    tmp.cleanup();
  });

  it('dev', async () => {
    const t0 = Date.now();
    console.log('start');
    const r = await runNightlyJob(shop.store, {
      importTimeZone: 'UTC',
      modelsDir: path.join(tmp.dir, 'models'),
    });
    console.log(Date.now() - t0, JSON.stringify(r.uplift));
    const m = loadShopUplift(shop.store)!;
    console.log(
      JSON.stringify(m.model!.validation),
      JSON.stringify(m.model!.calibration.groups.map((g) => [g.upTo, g.uplift.toFixed(3)])),
    );
    const now = new Date(CAMPAIGN_START.getTime() + 34 * DAY);
    const p = previewAudience(
      shop.store,
      { targeting: 'uplift' },
      { now, offer: { percentOff: 10 }, controlShare: 0.1 },
    );
    console.log(JSON.stringify({ ...p, samples: p.samples }, null, 1));
  }, 120_000);
});
