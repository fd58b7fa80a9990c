import type { PgDb } from '../statement';
import { ShopFactsReader, type FactsDialect } from '../../repositories/shopFacts';

/**
 * The fragments PostgreSQL spells differently from SQLite; the statements themselves are the
 * SQLite repository's (data/repositories/shopFacts.ts), so both engines answer with the same
 * definitions.
 */
export const POSTGRES: FactsDialect = {
  jsonValues: (param) => `SELECT json_array_elements_text(${param}::json)`,
  namedProducts: `SELECT p.id FROM products p WHERE NOT EXISTS (
    SELECT 1 FROM json_array_elements_text(@nameWords::json) AS w(value)
     WHERE strpos(lower(COALESCE(p.description, '')), w.value) = 0)`,
  // Weeks start on Monday, as date_trunc's do.
  week: `to_char(date_trunc('week', substr(o.ordered_at, 1, 10)::timestamp), 'YYYY-MM-DD')`,
  quarter: `substr(o.ordered_at, 1, 5) || lpad((((substr(o.ordered_at, 6, 2)::integer - 1) / 3) * 3 + 1)::text, 2, '0')`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  linesJoin: 'JOIN',
  always: 'TRUE',
  // Exact decimal sums, as SQLite's compensated summation of the same amounts comes out.
  money: (expr) => `(${expr})::numeric`,
  name: (camel) => `"${camel}"`,
};

export class PostgresShopFactsRepository extends ShopFactsReader {
  constructor(db: PgDb) {
    super(db, POSTGRES);
  }
}
