/**
 * What the recommenders and association rules read from the database: purchases (by the shop's
 * customer ids, with guest orders kept for basket statistics), the product catalogue and each
 * customer's country. Built on the streaming order history; no model code here.
 */
import type { Db } from '../db';
import { SqliteOrderHistoryRepository, type OrderHistoryRepository, type ProductKind } from './orderHistory';
import type { PublicApi } from '../publicApi';

/** What the recommendation models are trained on: plain data, no database handles. */
export interface Purchase {
  /** The shop's customer id (e.g. '12347'); null for guest checkouts (used for baskets only). */
  customer: string | null;
  /** Order (invoice) the line belongs to: lines sharing it form one basket. */
  orderId: string;
  sku: string;
  /** Milliseconds since the epoch (UTC). */
  at: number;
  quantity: number;
}

export interface CatalogueItem {
  sku: string;
  description: string | null;
  kind: ProductKind;
  /** Price of the most recent sale, in the shop's currency; null when never sold at a price. */
  lastUnitPrice: number | null;
  /** Countries the product can be shipped to, when the shop knows; null or absent: everywhere. */
  availableIn?: string[] | null;
}

export interface TrainingData {
  /** Purchases (not cancellations or returns) strictly before `asOf`, in time order. */
  purchases: Purchase[];
  catalogue: CatalogueItem[];
  /** Country of each known customer, when known (used by the availability filter). */
  customerCountry?: Record<string, string | null>;
  /** End of the training period (ms since the epoch, exclusive). */
  asOf: number;
}

export interface PurchaseWindow {
  from?: Date;
  before?: Date;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type RecsDataRepository = PublicApi<RecsDataReader>;

/** What each engine gives the recommenders' data: its order history and one summary of the data. */
export interface RecsDataSource {
  history: OrderHistoryRepository;
  /** Orders, lines and products counted, the newest order's time and the newest line's id. */
  fingerprint(): { orders: number; lines: number; products: number; lastOrderAt: string; lastLineId: number };
}

/**
 * The recommenders' data on any engine (the queries are the order history's): built by each
 * engine's store from its own source.
 */
export class RecsDataReader {
  private readonly history: OrderHistoryRepository;

  constructor(private readonly source: RecsDataSource) {
    this.history = source.history;
  }

  /** Purchase lines (orders of kind purchase, positive quantity), in time order. */
  purchases(window: PurchaseWindow = {}): Purchase[] {
    const external = new Map<number, string>();
    for (const c of this.history.listCustomers()) external.set(c.id, c.externalId);
    const out: Purchase[] = [];
    for (const line of this.history.iterateLines({ from: window.from, before: window.before })) {
      if (line.orderKind !== 'purchase' || line.quantity <= 0) continue;
      out.push({
        customer: line.customerId === null ? null : (external.get(line.customerId) ?? null),
        orderId: line.orderExternalId,
        sku: line.sku,
        at: Date.parse(line.orderedAt),
        quantity: line.quantity,
      });
    }
    return out;
  }

  catalogue(): CatalogueItem[] {
    return this.history.listProducts().map((p) => ({
      sku: p.sku,
      description: p.description,
      kind: p.kind,
      lastUnitPrice: p.lastUnitPrice,
    }));
  }

  customerCountries(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const c of this.history.listCustomers()) out[c.externalId] = c.country;
    return out;
  }

  /** Everything a recommender trains on, strictly before `asOf` (default: after the last order). */
  trainingData(asOf?: Date): TrainingData {
    const purchases = this.purchases({ before: asOf });
    const end = asOf
      ? asOf.getTime()
      : purchases.length
        ? purchases[purchases.length - 1].at + 1
        : Date.now();
    return { purchases, catalogue: this.catalogue(), customerCountry: this.customerCountries(), asOf: end };
  }

  /** Changes whenever orders or products are added: a saved model older than this is stale. */
  dataFingerprint(): string {
    const f = this.source.fingerprint();
    return `orders=${f.orders};lines=${f.lines};products=${f.products};last=${f.lastOrderAt};lineId=${f.lastLineId}`;
  }

  /** Whether the shop knows this customer id at all. */
  hasCustomer(externalId: string): boolean {
    return this.history.customerByExternal(externalId) !== undefined;
  }
}

export class SqliteRecsDataRepository extends RecsDataReader {
  constructor(db: Db) {
    const fingerprint = db.prepare(`
      SELECT (SELECT COUNT(*) FROM orders) AS orders,
             (SELECT COUNT(*) FROM order_lines) AS lines,
             (SELECT COUNT(*) FROM products) AS products,
             (SELECT COALESCE(MAX(ordered_at), '') FROM orders) AS lastOrderAt,
             (SELECT COALESCE(MAX(id), 0) FROM order_lines) AS lastLineId`);
    super({
      history: new SqliteOrderHistoryRepository(db),
      fingerprint: () => fingerprint.get() as ReturnType<RecsDataSource['fingerprint']>,
    });
  }
}
