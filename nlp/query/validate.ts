/**
 * A spec read back from conversation state may be from an older retain or simply damaged:
 * checked here before it is used, so that a bad one is dropped (the next question starts afresh)
 * instead of failing a query.
 */
import { z } from 'zod';
import { DIMENSIONS, MEASURES, type QuerySpec } from './spec';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const period = z.object({ from: isoDate, to: isoDate, text: z.string().max(200).optional() });
const product = z.object({ code: z.string().max(64), name: z.string().max(200) });
const amount = z.object({ min: z.number().finite().optional(), max: z.number().finite().optional() });
const names = z.array(z.string().max(100)).max(50);

const schema = z.object({
  measure: z.enum(MEASURES),
  shape: z.enum(['figure', 'ranking', 'breakdown', 'trend', 'comparison']),
  dimension: z.enum(DIMENSIONS).optional(),
  period: period.optional(),
  filters: z.object({
    countries: names.optional(),
    excludeCountries: names.optional(),
    segments: names.optional(),
    stages: names.optional(),
    products: z.array(product).max(50).optional(),
    productWords: names.optional(),
    customerKind: z.enum(['new', 'returning', 'guest', 'registered']).optional(),
    orderValue: amount.optional(),
    customerSpend: amount.optional(),
  }),
  comparison: z
    .discriminatedUnion('by', [
      z.object({ by: z.literal('period'), periods: z.array(period).min(2).max(12) }),
      z.object({ by: z.enum(['country', 'segment', 'stage', 'customerType']), members: names.min(2) }),
      z.object({ by: z.literal('product'), members: z.array(product).min(2).max(12) }),
    ])
    .optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  order: z.enum(['asc', 'desc']),
  sortBy: z.enum(MEASURES).optional(),
  page: z.number().int().min(0).max(100_000),
  share: z.boolean().optional(),
  notes: z.array(z.string().max(1000)).max(50),
});

/** The spec when the value is one (as JSON-parsed from conversation state), else null. */
export function readQuerySpec(value: unknown): QuerySpec | null {
  const parsed = schema.safeParse(value);
  return parsed.success ? (parsed.data as QuerySpec) : null;
}
