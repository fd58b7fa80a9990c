/**
 * A real shop for bot and dialog tests: the bundled demo order history (real Online Retail
 * customers) plus one customer with an email address on file, imported into a fresh SQLite file,
 * with analytics and the recommender trained as `npm start` would, and the shipped NLP models.
 */
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { composeApp, type App } from '../../services/app';
import { loadConfig, type Config } from '../../lib/config';
import { projectPath } from '../../lib/paths';
import { writeCsv } from './files';

export const DEMO_DATA = projectPath('data', 'demo', 'online-retail-sample.csv.gz');
/** A demo customer with many orders (United Kingdom). */
export const REGULAR_CUSTOMER = '15061';
/** The customer the extra file adds, with an email on file for verification in chat. */
export const EMAIL_CUSTOMER = { id: '90001', email: 'ada@example.com', orders: ['900001', '900002'] };

export interface TestShop {
  dir: string;
  dbFile: string;
  store: Store;
  app: App;
  config: Config;
}

/** The configuration `npm start` would use, with the database and models in the test's folder. */
export function testConfig(dir: string, env: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    RETAIN_DB: path.join(dir, 'shop.db'),
    RETAIN_MODELS_DIR: path.join(dir, 'models'),
    RETAIN_LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface TestShopOptions {
  /**
   * More order lines in retain's generic format (order_id,customer_id,sku,description,quantity,
   * unit_price,ordered_at,country,customer_email), imported before the models are trained.
   */
  extraLines?: string[];
}

export async function openTestShop(
  dir: string,
  env: NodeJS.ProcessEnv = {},
  options: TestShopOptions = {},
): Promise<TestShop> {
  const config = testConfig(dir, env);
  const store = openStore(config.dbFile);
  await importOrders(store, DEMO_DATA, { timeZone: 'Europe/London', actor: 'test' });
  const extra = writeCsv(dir, 'email-customer.csv', [
    'order_id,customer_id,sku,description,quantity,unit_price,ordered_at,country,customer_email',
    `${EMAIL_CUSTOMER.orders[0]},${EMAIL_CUSTOMER.id},85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2.95,2011-05-02T10:00:00Z,United Kingdom,${EMAIL_CUSTOMER.email}`,
    `${EMAIL_CUSTOMER.orders[0]},${EMAIL_CUSTOMER.id},22423,REGENCY CAKESTAND 3 TIER,1,12.75,2011-05-02T10:00:00Z,United Kingdom,${EMAIL_CUSTOMER.email}`,
    `${EMAIL_CUSTOMER.orders[1]},${EMAIL_CUSTOMER.id},20725,LUNCH BAG RED RETROSPOT,10,1.65,2011-06-20T15:30:00Z,United Kingdom,${EMAIL_CUSTOMER.email}`,
    ...(options.extraLines ?? []),
  ]);
  await importOrders(store, extra, { timeZone: 'Europe/London', actor: 'test' });
  // As `npm start` does on a first start: train the analytics and the recommender, load the NLP models.
  const app = await composeApp(store, config, { trainIfMissing: true });
  return { dir, dbFile: config.dbFile, store, app, config };
}
