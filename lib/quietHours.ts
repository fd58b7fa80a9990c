/**
 * The quiet-hours setting (RETAIN_QUIET_HOURS): a daily window in the customer's local time,
 * e.g. 21:00-08:00, that may wrap midnight. jobs/quietHours.ts applies it.
 */

export interface QuietHours {
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
}

/** Parses 'HH:MM-HH:MM'; an empty string means no quiet hours. */
export function parseQuietHours(text: string): QuietHours | null {
  if (text.trim() === '') return null;
  const m = /^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) throw new Error(`quiet hours must look like 21:00-08:00, got '${text}'`);
  const [h1, m1, h2, m2] = [m[1], m[2], m[3], m[4]].map(Number);
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) throw new Error(`quiet hours out of range: '${text}'`);
  const q = { startMinute: h1 * 60 + m1, endMinute: h2 * 60 + m2 };
  if (q.startMinute === q.endMinute) return null;
  return q;
}
