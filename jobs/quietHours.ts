/**
 * Quiet hours in the customer's own time zone, e.g. 21:00-08:00: messages due then are held until
 * the quiet period ends, never dropped. A window may wrap midnight. Daylight-saving jumps can make
 * the computed end an hour early; the sender then simply finds it still quiet and holds again.
 * The setting itself (RETAIN_QUIET_HOURS) is parsed in lib/quietHours.ts.
 */

import type { QuietHours } from '../lib/quietHours';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Local wall-clock minute of the day (0..1439) and second in `timeZone`. */
export function localMinute(at: Date, timeZone: string): { minute: number; second: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { minute: get('hour') * 60 + get('minute'), second: get('second') };
}

/** When quiet hours end for someone in `timeZone`, or null if it is not quiet there now. */
export function quietUntil(at: Date, timeZone: string, quiet: QuietHours | null): Date | null {
  if (!quiet) return null;
  const { minute, second } = localMinute(at, timeZone);
  const { startMinute: s, endMinute: e } = quiet;
  const inQuiet = s < e ? minute >= s && minute < e : minute >= s || minute < e;
  if (!inQuiet) return null;
  const minutesLeft = (e - minute + 1440) % 1440;
  return new Date(at.getTime() + minutesLeft * 60_000 - second * 1000 - (at.getTime() % 1000));
}
