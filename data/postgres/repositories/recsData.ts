import type { PgDb } from '../statement';
import { RecsDataReader, type RecsDataSource } from '../../repositories/recsData';
import { SqlOrderHistoryRepository } from '../../repositories/orderHistory';

export class PostgresRecsDataRepository extends RecsDataReader {
  constructor(db: PgDb) {
    const fingerprint = db.prepare<ReturnType<RecsDataSource['fingerprint']>>(`
      SELECT (SELECT COUNT(*) FROM orders) AS orders,
             (SELECT COUNT(*) FROM order_lines) AS lines,
             (SELECT COUNT(*) FROM products) AS products,
             (SELECT COALESCE(MAX(ordered_at), '') FROM orders) AS "lastOrderAt",
             (SELECT COALESCE(MAX(id), 0) FROM order_lines) AS "lastLineId"`);
    super({ history: new SqlOrderHistoryRepository(db), fingerprint: () => fingerprint.get()! });
  }
}
