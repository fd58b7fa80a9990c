/**
 * Turns one CSV record into an order line, or says why it is skipped or rejected.
 * The rules for dirty data live here, each one deliberate (see docs/import.md):
 *
 * - Invoice starting with "C": a cancellation. Kept, with the quantity negative.
 * - Invoice starting with "A" (Online Retail's "Adjust bad debt" entries): not a customer
 *   transaction; skipped as `accounting_adjustment`.
 * - Negative quantity on an ordinary invoice: a return when a customer is named (kept); without a
 *   customer it is a stock write-off ("damaged", "?"), skipped as `stock_adjustment`.
 * - Unit price 0 without a customer: stock-keeping notes, skipped as `no_price_no_customer`.
 *   With a customer it is a free item and kept.
 * - Empty customer id: a guest checkout; the order is kept with no customer.
 * - Customer ids like "17850.0" (spreadsheet floats) are normalised to "17850".
 * - Empty description: kept as no description; the catalogue keeps the last one seen.
 * - Non-product stock codes (POST, M, D, BANK CHARGES, ...): kept, marked by product kind.
 * - Online Retail stock codes are upper-cased: the export spells some codes both ways (85123a).
 * - Anything that does not parse (date, number, missing id) is an error with its line number.
 */
import type { ProductKind } from '../repositories/orderHistory';
import type { DetectedFormat, Field } from './formats';
import { classifyStockCode } from './stockCodes';
import type { ZonedTimestampParser } from './timestamps';
import { isEmailAddress } from '../../lib/email';

export type OrderKind = 'purchase' | 'cancellation' | 'return';

export interface ParsedLine {
  orderExternalId: string;
  orderKind: OrderKind;
  customerExternalId: string | null;
  sku: string;
  productKind: ProductKind;
  description: string | null;
  quantity: number;
  unitPrice: number;
  orderedAt: string;
  country: string | null;
  customerEmail: string | null;
  customerTimeZone: string | null;
}

export type SkipReason = 'accounting_adjustment' | 'stock_adjustment' | 'no_price_no_customer';

export type RowOutcome =
  | { kind: 'line'; line: ParsedLine }
  | { kind: 'skip'; reason: SkipReason }
  | { kind: 'error'; reason: string };

const INTEGER = /^[+-]?\d+(\.0+)?$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const FLOAT_ID = /^(\d+)\.0+$/;

export function normaliseCustomerId(raw: string): string | null {
  const id = raw.trim();
  if (id === '' || id.toLowerCase() === 'nan' || id.toLowerCase() === 'null') return null;
  const float = FLOAT_ID.exec(id);
  return float ? float[1] : id;
}

export function interpretRow(
  record: string[],
  format: DetectedFormat,
  timestamps: ZonedTimestampParser,
  isValidTimeZone: (tz: string) => boolean,
): RowOutcome {
  const get = (f: Field): string => {
    const i = format.columns[f];
    return i === undefined ? '' : (record[i] ?? '').trim();
  };
  if (record.length < Object.keys(format.columns).length) {
    return {
      kind: 'error',
      reason: `expected ${Object.keys(format.columns).length} fields, found ${record.length}`,
    };
  }

  const orderExternalId = get('orderId');
  if (!orderExternalId) return { kind: 'error', reason: 'missing order id' };
  // Online Retail writes some codes in both cases (85123A / 85123a): one product, one code.
  const sku = format.name === 'online-retail' ? get('sku').toUpperCase() : get('sku');
  if (!sku) return { kind: 'error', reason: 'missing stock code / sku' };

  const quantityText = get('quantity');
  if (!INTEGER.test(quantityText))
    return { kind: 'error', reason: `quantity '${quantityText}' is not a whole number` };
  let quantity = Math.trunc(Number(quantityText));
  if (quantity === 0) return { kind: 'error', reason: 'quantity is zero' };

  const priceText = get('unitPrice');
  if (!DECIMAL.test(priceText)) return { kind: 'error', reason: `unit price '${priceText}' is not a number` };
  const unitPrice = Number(priceText);

  const orderedAtText = get('orderedAt');
  const orderedAt = timestamps.parse(orderedAtText);
  if (!orderedAt) return { kind: 'error', reason: `date '${orderedAtText}' is not a date we can read` };

  const customerExternalId = normaliseCustomerId(get('customerId'));
  const isOnlineRetail = format.name === 'online-retail';
  const prefix = orderExternalId[0].toUpperCase();

  if (isOnlineRetail && prefix === 'A') return { kind: 'skip', reason: 'accounting_adjustment' };
  if (unitPrice < 0) return { kind: 'error', reason: `unit price ${unitPrice} is negative` };

  let orderKind: OrderKind = 'purchase';
  if (isOnlineRetail && prefix === 'C') {
    orderKind = 'cancellation';
    quantity = -Math.abs(quantity);
  } else if (quantity < 0) {
    if (!customerExternalId) return { kind: 'skip', reason: 'stock_adjustment' };
    orderKind = 'return';
  }
  if (unitPrice === 0 && !customerExternalId) return { kind: 'skip', reason: 'no_price_no_customer' };

  const email = get('customerEmail');
  if (email && !isEmailAddress(email))
    return { kind: 'error', reason: `customer email '${email}' is not an email address` };
  const tz = get('customerTimeZone');
  if (tz && !isValidTimeZone(tz))
    return { kind: 'error', reason: `time zone '${tz}' is not an IANA time zone` };

  const country = get('country');
  const description = get('description');
  return {
    kind: 'line',
    line: {
      orderExternalId,
      orderKind,
      customerExternalId,
      sku,
      productKind: classifyStockCode(sku),
      description: description || null,
      quantity,
      unitPrice,
      orderedAt,
      country: country && country.toLowerCase() !== 'unspecified' ? country : null,
      customerEmail: email ? email.toLowerCase() : null,
      customerTimeZone: tz || null,
    },
  };
}
