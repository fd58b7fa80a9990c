/**
 * The database handle behind a store, for tests that check what was written with their own SQL
 * (an independent answer, not the code under test). Only tests and data/ reach it.
 */
import { sqliteHandle, type Store } from '../../data/store';
import type { Db } from '../../data/db';

export function sql(store: Store): Db {
  return sqliteHandle(store);
}
