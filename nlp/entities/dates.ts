/**
 * Date expressions in chat messages, resolved against a reference date (the "today" of the
 * data, passed in so that results are repeatable): "last quarter", "since March",
 * "in the past 30 days", "this month", "yesterday", "in 2011", "Q1 2011", "in March 2011",
 * "between March and May", "since 2011-03-05", "the second quarter of 2011", "on 15 June",
 * "November 2011", "month to date". A range is [from, to): `to` is exclusive,
 * both are ISO dates (YYYY-MM-DD, UTC).
 */
import { ONE_TO_TWELVE } from '../text/numberWords';
export interface DateRange {
  from: string;
  to: string;
}

export interface DateMatch extends DateRange {
  text: string;
  start: number;
  end: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORD =
  '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)';
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  ...ONE_TO_TWELVE,
  fourteen: 14,
  thirty: 30,
  sixty: 60,
  ninety: 90,
};

const DAY = 86_400_000;

function utc(y: number, m: number, d = 1): Date {
  return new Date(Date.UTC(y, m, d));
}

function iso(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function range(from: Date, to: Date): DateRange {
  return { from: iso(from), to: iso(to) };
}

function monthIndex(word: string): number {
  return MONTHS.indexOf(word.slice(0, 3));
}

function dayStart(d: Date): Date {
  return utc(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function amount(word: string): number {
  return /^\d+$/.test(word) ? Number(word) : (NUMBER_WORDS[word] ?? NaN);
}

function addMonths(d: Date, n: number): Date {
  return utc(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate());
}

function startOfWeek(d: Date): Date {
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(dayStart(d).getTime() - dow * DAY);
}

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

function unitOf(word: string): Unit {
  return word.replace(/s$/, '') as Unit;
}

/** The calendar period containing `d`, shifted by `offset` periods. */
function calendarPeriod(d: Date, unit: Unit, offset: number): DateRange {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case 'day': {
      const s = new Date(dayStart(d).getTime() + offset * DAY);
      return range(s, new Date(s.getTime() + DAY));
    }
    case 'week': {
      const s = new Date(startOfWeek(d).getTime() + offset * 7 * DAY);
      return range(s, new Date(s.getTime() + 7 * DAY));
    }
    case 'month':
      return range(utc(y, m + offset), utc(y, m + offset + 1));
    case 'quarter': {
      const q = Math.floor(m / 3) * 3 + offset * 3;
      return range(utc(y, q), utc(y, q + 3));
    }
    case 'year':
      return range(utc(y + offset, 0), utc(y + offset + 1, 0));
  }
}

/** Rolling window of n units ending at the start of the reference day (today excluded). */
function rolling(ref: Date, n: number, unit: Unit): DateRange {
  const end = dayStart(ref);
  let start: Date;
  if (unit === 'day') start = new Date(end.getTime() - n * DAY);
  else if (unit === 'week') start = new Date(end.getTime() - n * 7 * DAY);
  else if (unit === 'month') start = addMonths(end, -n);
  else if (unit === 'quarter') start = addMonths(end, -3 * n);
  else start = addMonths(end, -12 * n);
  return range(start, end);
}

/** The most recent occurrence of a month on or before the reference date's month. */
function latestMonth(ref: Date, month: number, year?: number): Date {
  if (year !== undefined) return utc(year, month);
  const y = ref.getUTCFullYear();
  return month <= ref.getUTCMonth() ? utc(y, month) : utc(y - 1, month);
}

function parseDay(text: string, ref: Date): Date | undefined {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) return utc(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  m = new RegExp(`^(\\d{1,2})(?:st|nd|rd|th)? (?:of )?${MONTH_WORD}(?: (\\d{4}))?$`).exec(text);
  if (m) {
    const base = latestMonth(ref, monthIndex(m[2]), m[3] ? Number(m[3]) : undefined);
    return utc(base.getUTCFullYear(), base.getUTCMonth(), Number(m[1]));
  }
  m = new RegExp(`^${MONTH_WORD} (\\d{1,2})(?:st|nd|rd|th)?(?: (\\d{4}))?$`).exec(text);
  if (m) {
    const base = latestMonth(ref, monthIndex(m[1]), m[3] ? Number(m[3]) : undefined);
    return utc(base.getUTCFullYear(), base.getUTCMonth(), Number(m[2]));
  }
  m = new RegExp(`^${MONTH_WORD}(?: (\\d{4}))?$`).exec(text);
  if (m) return latestMonth(ref, monthIndex(m[1]), m[2] ? Number(m[2]) : undefined);
  if (/^\d{4}$/.test(text)) return utc(Number(text), 0);
  return undefined;
}

const UNIT = '(day|days|week|weeks|month|months|quarter|quarters|year|years)';
const N =
  '(\\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|thirty|sixty|ninety)';
const MONTH_NC = MONTH_WORD.replace('(', '(?:');
/** "15 june", "15th of june 2011" or "june 15", "june 15th 2011": one day, no capture group. */
const DAY_OF_MONTH = `\\d{1,2}(?:st|nd|rd|th)? (?:of )?${MONTH_NC}(?: \\d{4})?|${MONTH_NC} \\d{1,2}(?:st|nd|rd|th)?(?!\\d)(?: \\d{4})?`;
/** One day, month or year as typed; a single capture group. */
const DAY_TEXT = `(\\d{4}-\\d{2}-\\d{2}|${DAY_OF_MONTH}|${MONTH_NC}(?: \\d{4})?|\\d{4})`;

const QUARTER_WORDS = [
  ['first', '1st'],
  ['second', '2nd'],
  ['third', '3rd'],
  ['fourth', '4th'],
];

interface Rule {
  pattern: RegExp;
  resolve: (m: RegExpExecArray, ref: Date) => DateRange | undefined;
}

/** Days of one month: "between 1 and 24 december", "from the 9th to the 15th of may", "9-15 may", "may 9-15". */
function daysOfMonth(
  first: string,
  last: string,
  month: string,
  year: string | undefined,
  ref: Date,
): DateRange | undefined {
  const [a, b] = [Number(first), Number(last)];
  const base = latestMonth(ref, monthIndex(month), year ? Number(year) : undefined);
  const [y, mo] = [base.getUTCFullYear(), base.getUTCMonth()];
  const daysInMonth = new Date(utc(y, mo + 1).getTime() - DAY).getUTCDate();
  // "31 february" is not a day of that month: say nothing rather than guess.
  if (a < 1 || b < a || b > daysInMonth) return undefined;
  return range(utc(y, mo, a), utc(y, mo, b + 1));
}

const ORDINAL = '(?:st|nd|rd|th)?';

const RULES: Rule[] = [
  {
    pattern: new RegExp(
      `\\b(?:(?:between|from) (?:the )?(\\d{1,2})${ORDINAL} (?:and|to|until|till|-) (?:the )?|(\\d{1,2})${ORDINAL} ?[-–] ?)(\\d{1,2})${ORDINAL} (?:of )?${MONTH_WORD}(?: (\\d{4}))?\\b`,
      'g',
    ),
    resolve: (m, ref) => daysOfMonth(m[1] ?? m[2], m[3], m[4], m[5], ref),
  },
  {
    pattern: new RegExp(
      `\\b(?:(?:between|from) )?${MONTH_WORD} (\\d{1,2})${ORDINAL} ?(?:[-–]|and|to|until|till) ?(\\d{1,2})${ORDINAL}(?: (\\d{4}))?\\b`,
      'g',
    ),
    resolve: (m, ref) => daysOfMonth(m[2], m[3], m[1], m[4], ref),
  },
  {
    pattern: new RegExp(`\\bbetween ${DAY_TEXT} and ${DAY_TEXT}`, 'g'),
    resolve: (m, ref) => {
      const a = parseDay(m[1], ref);
      const bText = m[2];
      const b = parseDay(bText, ref);
      if (!a || !b) return undefined;
      return range(a, exclusiveEnd(bText, b));
    },
  },
  {
    pattern: new RegExp(`\\b(?:from|since|after) ${DAY_TEXT}(?: (?:to|until|till) ${DAY_TEXT})?`, 'g'),
    resolve: (m, ref) => {
      const a = parseDay(m[1], ref);
      if (!a) return undefined;
      if (m[2]) {
        const b = parseDay(m[2], ref);
        return b ? range(a, exclusiveEnd(m[2], b)) : undefined;
      }
      return range(a, new Date(dayStart(ref).getTime() + DAY));
    },
  },
  {
    pattern: new RegExp(
      `\\b(?:in |over |during |for |within )?(?:the )?(?:past|last|previous|recent) ${N} ${UNIT}\\b`,
      'g',
    ),
    resolve: (m, ref) => {
      const n = amount(m[1]);
      return Number.isFinite(n) ? rolling(ref, n, unitOf(m[2])) : undefined;
    },
  },
  {
    pattern: /\b(?:the )?(last|previous|past|this|current|next) (day|week|month|quarter|year)\b/g,
    resolve: (m, ref) => {
      const offset = m[1] === 'this' || m[1] === 'current' ? 0 : m[1] === 'next' ? 1 : -1;
      return calendarPeriod(ref, m[2] as Unit, offset);
    },
  },
  { pattern: /\btoday\b/g, resolve: (_m, ref) => calendarPeriod(ref, 'day', 0) },
  { pattern: /\byesterday\b/g, resolve: (_m, ref) => calendarPeriod(ref, 'day', -1) },
  {
    pattern: /\b(?:ytd|year to date)\b/g,
    resolve: (_m, ref) => range(utc(ref.getUTCFullYear(), 0), new Date(dayStart(ref).getTime() + DAY)),
  },
  {
    pattern: /\bq([1-4])(?:\s*(\d{4}))?\b/g,
    resolve: (m, ref) => {
      const q = Number(m[1]) - 1;
      let year = m[2] ? Number(m[2]) : ref.getUTCFullYear();
      if (!m[2] && utc(year, q * 3) > ref) year -= 1;
      return range(utc(year, q * 3), utc(year, q * 3 + 3));
    },
  },
  {
    pattern: new RegExp(`\\b(?:in|during|for|of) ${MONTH_WORD}(?: (\\d{4}))?\\b`, 'g'),
    resolve: (m, ref) => {
      const s = latestMonth(ref, monthIndex(m[1]), m[2] ? Number(m[2]) : undefined);
      return range(s, addMonths(s, 1));
    },
  },
  {
    pattern: /\b(?:in|during|for) (\d{4})\b/g,
    resolve: (m) => {
      const y = Number(m[1]);
      return y >= 1990 && y <= 2100 ? range(utc(y, 0), utc(y + 1, 0)) : undefined;
    },
  },
  {
    pattern: /\b(?:the )?(first|second|third|fourth|1st|2nd|3rd|4th) quarter(?: of (\d{4}))?\b/g,
    resolve: (m, ref) => {
      const q = QUARTER_WORDS.findIndex((words) => words.includes(m[1]));
      let year = m[2] ? Number(m[2]) : ref.getUTCFullYear();
      if (!m[2] && utc(year, q * 3) > ref) year -= 1;
      return range(utc(year, q * 3), utc(year, q * 3 + 3));
    },
  },
  {
    pattern: new RegExp(`\\bon (\\d{4}-\\d{2}-\\d{2}|${DAY_OF_MONTH})`, 'g'),
    resolve: (m, ref) => {
      const d = parseDay(m[1], ref);
      return d ? range(d, new Date(d.getTime() + DAY)) : undefined;
    },
  },
  {
    pattern: /\b(?:since|from) the (?:start|beginning) of (?:the |this )?(week|month|quarter|year)\b/g,
    resolve: (m, ref) =>
      range(
        new Date(`${calendarPeriod(ref, m[1] as Unit, 0).from}T00:00:00Z`),
        new Date(dayStart(ref).getTime() + DAY),
      ),
  },
  {
    pattern: /\b(month|quarter) to date\b|\b(mtd|qtd)\b/g,
    resolve: (m, ref) =>
      range(
        utc(
          ref.getUTCFullYear(),
          (m[1] ?? m[2]).startsWith('q') ? Math.floor(ref.getUTCMonth() / 3) * 3 : ref.getUTCMonth(),
        ),
        new Date(dayStart(ref).getTime() + DAY),
      ),
  },
  // Written without a preposition: "revenue november 2011", "orders 2011-06-15".
  {
    pattern: new RegExp(`\\b${MONTH_WORD} (\\d{4})\\b`, 'g'),
    resolve: (m, ref) => {
      const s = latestMonth(ref, monthIndex(m[1]), Number(m[2]));
      return range(s, addMonths(s, 1));
    },
  },
  {
    pattern: /\b(\d{4}-\d{2}-\d{2})\b/g,
    resolve: (m, ref) => {
      const d = parseDay(m[1], ref);
      return d ? range(d, new Date(d.getTime() + DAY)) : undefined;
    },
  },
];

/** End (exclusive) of a period written as a day, a month or a year. */
function exclusiveEnd(text: string, start: Date): Date {
  if (/^\d{4}$/.test(text)) return utc(start.getUTCFullYear() + 1, 0);
  if (new RegExp(`^${MONTH_WORD}(?: \\d{4})?$`).test(text)) return addMonths(start, 1);
  return new Date(start.getTime() + DAY);
}

/**
 * All date ranges in a (lower-cased) message, leftmost-longest first, without overlaps.
 * Rules are tried in order, so "between March and May" wins over "in March".
 */
export function extractDateRanges(lowerText: string, reference: Date): DateMatch[] {
  const found: DateMatch[] = [];
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(lowerText); m; m = rule.pattern.exec(lowerText)) {
      const start = m.index;
      const end = start + m[0].length;
      if (found.some((f) => start < f.end && end > f.start)) continue;
      const r = rule.resolve(m, reference);
      if (r && r.from < r.to) found.push({ ...r, text: m[0], start, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
