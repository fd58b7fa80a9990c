import type { ProductKind } from '../repositories/orderHistory';

/**
 * Stock codes that are not goods. They stay in the order history (so revenue and cancellations
 * add up) but are marked, so models never recommend "POSTAGE" or count a bank charge as a product.
 */
const NON_PRODUCT_CODES: Record<string, ProductKind> = {
  POST: 'postage',
  DOT: 'postage',
  C2: 'postage',
  M: 'manual',
  D: 'discount',
  S: 'other',
  B: 'other',
  PADS: 'other',
  CRUK: 'fee',
  AMAZONFEE: 'fee',
  'BANK CHARGES': 'fee',
};

export function classifyStockCode(sku: string): ProductKind {
  const code = sku.trim().toUpperCase();
  const known = NON_PRODUCT_CODES[code];
  if (known) return known;
  if (code.startsWith('GIFT_')) return 'voucher';
  return 'product';
}
