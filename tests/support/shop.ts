/**
 * A real shop for bot and dialog tests: the bundled demo order history (real Online Retail
 * customers) plus one customer with an email address on file, imported into a fresh SQLite file,
 * with analytics and the recommender trained as `npm start` would, and the shipped NLP models.
 */
import path from 'node:path';
import { openDatabase, type Db } from '../../data/db';
import { importOrders } from '../../data/import/importOrders';
import { trainAndStore } from '../../analytics/store';
import { loadOrTrainRecsModel } from '../../analytics/recs/service';
import { loadOrTrainNlu, type Nlu } from '../../nlp/nlu';
import { Assistant } from '../../dialogs/assistant';
import { readFaq } from '../../dialogs/faq';
import { projectPath } from '../../lib/paths';
import { writeCsv } from './files';
import type { CampaignService } from '../../dialogs/marketer/campaignService';

export const DEMO_DATA = projectPath('data', 'demo', 'online-retail-sample.csv.gz');
/** A demo customer with many orders (United Kingdom). */
export const REGULAR_CUSTOMER = '15061';
/** The customer the extra file adds, with an email on file for verification in chat. */
export const EMAIL_CUSTOMER = { id: '90001', email: 'ada@example.com', orders: ['900001', '900002'] };

export interface TestShop {
  dir: string;
  dbFile: string;
  db: Db;
  assistant: Assistant;
  nlu: Nlu;
}

export async function openTestShop(
  dir: string,
  options: { campaigns?: (db: Db) => CampaignService } = {},
): Promise<TestShop> {
  const dbFile = path.join(dir, 'shop.db');
  const db = openDatabase(dbFile);
  await importOrders(db, DEMO_DATA, { timeZone: 'Europe/London', actor: 'test' });
  const extra = writeCsv(dir, 'email-customer.csv', [
    'order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country,customer_email',
    `${EMAIL_CUSTOMER.orders[0]},${EMAIL_CUSTOMER.id},85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2.95,2011-05-02T10:00:00Z,United Kingdom,${EMAIL_CUSTOMER.email}`,
    `${EMAIL_CUSTOMER.orders[0]},${EMAIL_CUSTOMER.id},22423,REGENCY CAKESTAND 3 TIER,1,12.75,2011-05-02T10:00:00Z,United Kingdom,${EMAIL_CUSTOMER.email}`,
    `${EMAIL_CUSTOMER.orders[1]},${EMAIL_CUSTOMER.id},20725,LUNCH BAG RED RETROSPOT,10,1.65,2011-06-20T15:30:00Z,United Kingdom,${EMAIL_CUSTOMER.email}`,
  ]);
  await importOrders(db, extra, { timeZone: 'Europe/London', actor: 'test' });
  await trainAndStore(db);
  const modelsDir = path.join(dir, 'models');
  const recs = loadOrTrainRecsModel(db, { modelsDir }).model;
  const assistant = new Assistant(db, {
    faq: readFaq(projectPath('data', 'faq', 'default.json')),
    complaintQuietDays: 30,
    recsModel: () => recs,
    campaigns: options.campaigns?.(db) ?? null,
  });
  const nlu = await loadOrTrainNlu(modelsDir, {
    gazetteer: assistant.gazetteer(),
    referenceDate: () => assistant.referenceDate(),
  });
  return { dir, dbFile, db, assistant, nlu };
}
