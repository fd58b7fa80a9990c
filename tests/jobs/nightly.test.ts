import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../data/store';
import { seededRandom } from '../../lib/random';
import { DEFAULT_JOBS_CONFIG } from '../../jobs/config';
import { runJob, outboxListing } from '../../jobs';
import type { NightlyReport } from '../../jobs/nightly';
import type { CampaignJobReport } from '../../jobs/campaignJobs';
import { tempDir, writeCsv } from '../support/files';
import { createCampaign } from '../../services/campaigns';
import { connect } from './shop';

/** Six months of a small shop: 160 customers, some loyal, some who stop buying. */
function shopCsv(): string[] {
  const random = seededRandom(7);
  const skus = ['85123A', '71053', '84406B', '22423', '47566', '84879', '22720', '21212'];
  const lines = ['order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country'];
  const start = Date.parse('2025-06-01T10:00:00Z');
  let order = 0;
  for (let c = 0; c < 160; c++) {
    const first = start + Math.floor(random() * 120) * 86_400_000;
    const stopsAfter = random() < 0.5 ? 40 + random() * 60 : 400;
    const gap = 10 + random() * 30;
    for (
      let t = first;
      t < Date.parse('2025-12-01T00:00:00Z') && t < first + stopsAfter * 86_400_000;
      t += gap * 86_400_000
    ) {
      order++;
      for (let l = 0; l < 1 + Math.floor(random() * 3); l++) {
        const sku = skus[Math.floor(random() * skus.length)];
        const at = new Date(t).toISOString().slice(0, 16).replace('T', ' ');
        lines.push(
          `${order},${1000 + c},${sku},ITEM ${sku},${1 + Math.floor(random() * 4)},${(2 + random() * 10).toFixed(2)},${at},United Kingdom`,
        );
      }
    }
  }
  return lines;
}

describe('nightly job', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('imports dropped files, retrains only when the data changed, and feeds the win-back job', async () => {
    const drop = path.join(tmp.dir, 'drop');
    fs.mkdirSync(drop);
    writeCsv(drop, 'orders-2025.csv', shopCsv());
    const store = openStore(path.join(tmp.dir, 'nightly.db'));
    try {
      const config = { ...DEFAULT_JOBS_CONFIG, dropFolder: drop };
      const options = { config, modelsDir: path.join(tmp.dir, 'models'), importTimeZone: 'UTC' };

      const dry = (await runJob(store, 'nightly', { ...options, dryRun: true })) as NightlyReport;
      expect(dry.pending).toEqual([path.join(drop, 'orders-2025.csv')]);
      expect(dry.retrained).toBe(false);

      const first = (await runJob(store, 'nightly', options)) as NightlyReport;
      expect(first.errors).toEqual([]);
      expect(first.imported).toHaveLength(1);
      expect(first.retrained).toBe(true);
      expect(first.recsTrained).toBe(true);
      expect(first.scoresAsOf).toBe('2025-12-01T00:00:00.000Z');
      expect(fs.existsSync(path.join(drop, 'imported', 'orders-2025.csv'))).toBe(true);

      const second = (await runJob(store, 'nightly', options)) as NightlyReport;
      expect(second).toMatchObject({
        retrained: false,
        imported: [],
        reason: 'data unchanged since the last training',
      });

      // The fresh scores feed the campaigns: a marketer's campaign to every scored customer
      // reaches those who talk to the bot, with recommendations from the model just trained.
      const scored = store.campaigns.scoredCandidates(first.scoresAsOf!);
      expect(scored).toHaveLength(160);
      for (const c of scored.slice(0, 5)) connect(store, c.externalId, 'http://127.0.0.1:9');
      const now = new Date('2025-12-01T10:00:00Z');
      createCampaign(
        store,
        {
          name: 'Everyone',
          kind: 'manual',
          audience: {},
          offer: { percentOff: 5 },
          controlShare: 0,
          createdBy: 'cli',
        },
        now,
      );
      const winback = (await runJob(store, 'winback', { ...options, asOf: now })) as CampaignJobReport;
      const everyone = winback.campaigns.find((c) => c.campaignName === 'Everyone')!;
      expect(everyone).toMatchObject({ candidates: 160, queued: 5, skipped: { no_contact: 155 } });
      const { messages, counts } = outboxListing(store);
      expect(counts.queued).toBe(5);
      for (const m of messages) expect((m.payload.recommendations as unknown[]).length).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });
});
