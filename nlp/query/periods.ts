/**
 * Periods as [from, to) ISO dates: the period before another one, the same period a year earlier,
 * and how to name a period in words ("June 2011", "Q2 2011", "2011-03-01 to 2011-06-30").
 */
import type { Period } from './spec';

const DAY = 86_400_000;
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

export function parseIsoDate(iso: string): Date {
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`);
}

export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function addMonths(iso: string, n: number): string {
  const d = parseIsoDate(iso);
  return isoDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate())));
}

function addDays(iso: string, n: number): string {
  return isoDate(new Date(parseIsoDate(iso).getTime() + n * DAY));
}

/** Whole calendar months from `from` to `to` (0 when the period is not made of whole months). */
function wholeMonths(p: Period): number {
  if (!p.from.endsWith('-01') || !p.to.endsWith('-01')) return 0;
  const [fy, fm] = p.from.split('-').map(Number);
  const [ty, tm] = p.to.split('-').map(Number);
  return (ty - fy) * 12 + (tm - fm);
}

function days(p: Period): number {
  return Math.round((parseIsoDate(p.to).getTime() - parseIsoDate(p.from).getTime()) / DAY);
}

/** The period of the same length just before: the month before a month, the 30 days before 30 days. */
export function previousPeriod(p: Period): Period {
  const months = wholeMonths(p);
  if (months > 0) return { from: addMonths(p.from, -months), to: p.from };
  return { from: addDays(p.from, -days(p)), to: p.from };
}

export function yearEarlier(p: Period): Period {
  return { from: addMonths(p.from, -12), to: addMonths(p.to, -12) };
}

/** The most recent occurrence of a month (0-11) on or before the reference date's month. */
export function latestMonth(reference: Date, month: number, year?: number): Period {
  const y =
    year ?? (month <= reference.getUTCMonth() ? reference.getUTCFullYear() : reference.getUTCFullYear() - 1);
  const from = isoDate(new Date(Date.UTC(y, month, 1)));
  return { from, to: addMonths(from, 1) };
}

/** The calendar month before the reference date's month. */
export function lastFullMonth(reference: Date): Period {
  const from = isoDate(new Date(Date.UTC(reference.getUTCFullYear(), reference.getUTCMonth() - 1, 1)));
  return { from, to: addMonths(from, 1) };
}

/** A period in words: "June 2011", "Q2 2011", "2011", "2011-06-15", "2011-03-01 to 2011-06-30". */
export function describePeriod(p: Period): string {
  const from = parseIsoDate(p.from);
  const months = wholeMonths(p);
  if (months === 1) return `${MONTH_NAMES[from.getUTCMonth()]} ${from.getUTCFullYear()}`;
  if (months === 3 && from.getUTCMonth() % 3 === 0)
    return `Q${from.getUTCMonth() / 3 + 1} ${from.getUTCFullYear()}`;
  if (months === 12 && from.getUTCMonth() === 0) return String(from.getUTCFullYear());
  if (days(p) === 1) return p.from;
  return `${p.from} to ${addDays(p.to, -1)}`;
}

/** The period cut to [first, end) (the data's extent); null when they do not overlap. */
export function clampPeriod(p: Period, first: string, end: string): Period | null {
  const from = p.from > first ? p.from : first;
  const to = p.to < end ? p.to : end;
  return from < to ? { from, to } : null;
}

export { addDays as addDaysIso, addMonths as addMonthsIso };
