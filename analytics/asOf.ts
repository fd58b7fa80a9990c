/**
 * Everything in analytics/ is computed "as of" a date: only orders strictly before it are used.
 * The default is the day after the newest order, so that the newest order counts.
 */
import { DAY_MS } from './history';

/** UTC midnight at or before `t`. */
export function startOfUtcDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** The default as-of date for data whose newest order is at `lastOrderAt`: the next UTC midnight. */
export function defaultAsOf(lastOrderAt: string | number | null): Date {
  if (lastOrderAt === null) throw new Error('there are no orders yet: import orders first');
  const t = typeof lastOrderAt === 'number' ? lastOrderAt : Date.parse(lastOrderAt);
  return new Date(startOfUtcDay(t) + DAY_MS);
}
