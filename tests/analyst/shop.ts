/**
 * Shops for the analyst's tests: an order file imported into a fresh SQLite file and the
 * analytics trained on it (segments, stages, churn, CLV), as `retain import` and `retain train` do.
 */
import path from 'node:path';
import { openDatabase, type Db } from '../../data/db';
import { importOrders } from '../../data/import/importOrders';
import { trainAndStore } from '../../analytics/store';
import { ShopFactsRepository } from '../../data/repositories/shopFacts';
import { Analyst } from '../../services/analyst';

export interface AnalystShop {
  file: string;
  db: Db;
  analyst: Analyst;
}

export async function openAnalystShop(dir: string, orderFile: string, train = true): Promise<AnalystShop> {
  const file = path.join(dir, 'shop.db');
  const db = openDatabase(file);
  await importOrders(db, orderFile, { timeZone: 'Europe/London', actor: 'test' });
  if (train) await trainAndStore(db);
  return { file, db, analyst: new Analyst(new ShopFactsRepository(db)) };
}
