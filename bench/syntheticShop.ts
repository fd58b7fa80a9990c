/**
 * A synthetic shop where every customer is due a win-back (bench:jobs, and the job crash test):
 * catalogue, orders, scores and linked chat accounts with saved references, all written through
 * the repositories.
 */
import type { Store } from '../data/store';
import { DEFAULT_JOBS_CONFIG } from '../jobs/config';
import { seededRandom } from '../lib/random';

const DAY_MS = 86_400_000;
/** Scores are as of this date; the jobs run an hour later. */
export const AS_OF = '2026-03-01T02:30:00.000Z';
export const NOW = new Date('2026-03-01T10:00:00.000Z');
const CATEGORIES = 40;
const NOUNS = ['mug', 'candle', 'lantern', 'cushion', 'frame', 'bag', 'clock', 'vase', 'bowl', 'tin'];
const COLOURS = ['red', 'blue', 'white', 'pink', 'green', 'black', 'ivory', 'gold'];
const STYLES = ['vintage', 'retro', 'heart', 'star', 'floral', 'spotty', 'regency', 'rustic'];

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

export interface ShopSpec {
  customers: number;
  products: number;
  /** Where the customers' saved conversation references point. */
  serviceUrl: string;
  seed: number;
  /** Link a chat account with a saved reference to every customer (default true). */
  chat?: boolean;
}

/**
 * A shop whose every customer is due a win-back, written through the repositories: catalogue,
 * customers and orders (as an import), scores above the churn threshold (as `retain train` stores
 * them), and (unless `chat` is false) a chat account per customer linked to their record with a
 * saved reference. Customers have taste: most of their lines come from two favourite categories,
 * with a popularity skew. Consent is left 'unknown', which chat allows (only denied/withdrawn block);
 * email needs it granted (bench:email imports it).
 */
export function buildShop(store: Store, spec: ShopSpec): { purchaseLines: number } {
  const rand = seededRandom(spec.seed);
  const imports = store.imports;
  const nowIso = new Date(Date.parse(AS_OF) - 400 * DAY_MS).toISOString();
  const asOfMs = Date.parse(AS_OF);
  let lines = 0;
  const customerIds: number[] = [];

  imports.begin();
  try {
    const importId = imports.beginImport({
      file: 'bench:jobs synthetic',
      format: 'generic',
      startedAt: nowIso,
    });
    const byCategory: Array<Array<{ id: number; sku: string; description: string; price: number }>> =
      Array.from({ length: CATEGORIES }, () => []);
    for (let p = 0; p < spec.products; p++) {
      const cat = p % CATEGORIES;
      const style = STYLES[Math.floor(rand() * STYLES.length)];
      const colour = COLOURS[Math.floor(rand() * COLOURS.length)];
      // Catalogue descriptions in capitals, as in the Online Retail file; the noun is the category.
      const description =
        `${style} ${colour} ${NOUNS[cat % NOUNS.length]} ${Math.floor(cat / NOUNS.length) + 1}`.toUpperCase();
      const price = round(1 + rand() * 29, 2);
      const sku = `SKU${String(p).padStart(5, '0')}`;
      const id = imports.upsertProduct({ sku, description, kind: 'product', price, seenAt: nowIso });
      byCategory[cat].push({ id, sku, description, price });
    }
    // Popular items first within a category: rand()^2 picks low indexes more often.
    const pick = (cat: number) => {
      const items = byCategory[cat];
      return items[Math.floor(rand() * rand() * items.length)];
    };
    for (let c = 0; c < spec.customers; c++) {
      const customerId = imports.upsertCustomer({
        externalId: `c${c}`,
        email: null,
        country: 'United Kingdom',
        timeZone: 'Europe/London',
        now: nowIso,
      });
      customerIds.push(customerId);
      const favourites = [Math.floor(rand() * CATEGORIES), Math.floor(rand() * CATEGORIES)];
      const orders = 1 + Math.floor(rand() * 4);
      for (let o = 0; o < orders; o++) {
        // Two years up to two months before the score date: they have gone quiet.
        const at = asOfMs - (60 + Math.floor(rand() * 670)) * DAY_MS - Math.floor(rand() * DAY_MS);
        const orderId = imports.upsertOrder({
          externalId: `o${c}-${o}`,
          customerId,
          kind: 'purchase',
          orderedAt: new Date(at).toISOString(),
          country: 'United Kingdom',
          importId,
        });
        const n = 1 + Math.floor(rand() * 4);
        for (let l = 0; l < n; l++) {
          const cat = rand() < 0.8 ? favourites[l % 2] : Math.floor(rand() * CATEGORIES);
          const item = pick(cat);
          const fresh = imports.insertLine({
            orderId,
            lineKey: `${l}`,
            productId: item.id,
            description: item.description,
            quantity: 1 + Math.floor(rand() * 6),
            unitPrice: item.price,
          });
          if (fresh) lines++;
        }
      }
    }
    imports.finishImport(importId, nowIso, lines, lines, {});
    imports.commit();
  } catch (error) {
    imports.rollback();
    throw error;
  }

  store.scores.saveScores(
    AS_OF,
    null,
    customerIds.map((customerId) => {
      const churn = round(DEFAULT_JOBS_CONFIG.winback.churnThreshold + 0.01 + rand() * 0.35);
      return {
        customerId,
        recencyDays: 60 + Math.floor(rand() * 600),
        frequency: 1 + Math.floor(rand() * 4),
        monetary: round(10 + rand() * 300, 2),
        rfmScore: '211',
        segment: 'At risk',
        cluster: 0,
        churnProbability: churn,
        churnDrivers: [],
        pAlive: round(1 - churn),
        expectedPurchases: 0.1,
        clv: round(5 + rand() * 50, 2),
        stage: rand() < 0.5 ? 'at risk' : 'lapsed',
      };
    }),
  );

  if (spec.chat === false) return { purchaseLines: lines };
  const chats = store.identities;
  const seenAt = new Date(NOW.getTime() - 30 * DAY_MS);
  store.transaction(() => {
    customerIds.forEach((customerId, c) => {
      const conversationId = `conv-c${c}`;
      const identity = chats.seen(
        { channelId: 'msteams', channelUserId: `user-c${c}`, role: 'customer' },
        {
          conversationId,
          serviceUrl: spec.serviceUrl,
          tenantId: 'bench-tenant',
          reference: {
            channelId: 'msteams',
            serviceUrl: spec.serviceUrl,
            conversation: { id: conversationId, tenantId: 'bench-tenant' },
            user: { id: `user-c${c}` },
            bot: { id: 'retain-bot' },
          },
        },
        seenAt,
      );
      chats.linkCustomer(identity.id, customerId, seenAt);
    });
  });
  return { purchaseLines: lines };
}
