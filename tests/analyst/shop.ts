/**
 * Shops for the analyst's tests: an order file imported into a fresh SQLite file and the
 * analytics trained on it (segments, stages, churn, CLV), as `retain import` and `retain train` do.
 */
import path from 'node:path';
import { openStore, type Store } from '../../data/store';
import { importOrders } from '../../data/import/importOrders';
import { trainAndStore } from '../../analytics/training';
import { Analyst } from '../../services/analyst';

export interface AnalystShop {
  file: string;
  store: Store;
  analyst: Analyst;
}

export async function openAnalystShop(dir: string, orderFile: string, train = true): Promise<AnalystShop> {
  const file = path.join(dir, 'shop.db');
  const store = openStore(file);
  await importOrders(store, orderFile, { timeZone: 'Europe/London', actor: 'test' });
  if (train) await trainAndStore(store);
  return { file, store, analyst: new Analyst(store.facts) };
}
