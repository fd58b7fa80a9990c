/**
 * Turns the timestamps found in order exports into UTC instants.
 * Timestamps without an offset are wall-clock time in the shop's time zone; converting them
 * needs that zone's offset at that moment, which we cache per hour (a file has few distinct hours).
 */

const ISO_NAIVE = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
// The original UCI spreadsheet export: month/day/year.
const US_SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export class ZonedTimestampParser {
  private readonly offsetCache = new Map<string, number>();
  // Exports repeat each timestamp on every line of an order: remember recent texts.
  private readonly recent = new Map<string, string | undefined>();
  private readonly formatter: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    this.formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Returns the instant as an ISO UTC string, or undefined if the text is not a timestamp we read. */
  parse(text: string): string | undefined {
    if (this.recent.has(text)) return this.recent.get(text);
    const parsed = this.parseUncached(text);
    if (this.recent.size >= 10_000) this.recent.clear();
    this.recent.set(text, parsed);
    return parsed;
  }

  private parseUncached(text: string): string | undefined {
    const t = text.trim();
    if (ISO_WITH_OFFSET.test(t)) {
      const d = new Date(t);
      return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
    }
    let m = ISO_NAIVE.exec(t);
    if (m) return this.fromWallClock(+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
    m = US_SLASHED.exec(t);
    if (m) return this.fromWallClock(+m[3], +m[1], +m[2], +m[4], +m[5], m[6] ? +m[6] : 0);
    m = ISO_DATE.exec(t);
    if (m) return this.fromWallClock(+m[1], +m[2], +m[3], 0, 0, 0);
    return undefined;
  }

  private fromWallClock(
    y: number,
    mo: number,
    d: number,
    h: number,
    mi: number,
    s: number,
  ): string | undefined {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
    const asIfUtc = Date.UTC(y, mo - 1, d, h, mi, s);
    if (new Date(asIfUtc).getUTCDate() !== d) return undefined; // e.g. 31 April
    const key = `${y}-${mo}-${d}-${h}`;
    let offset = this.offsetCache.get(key);
    if (offset === undefined) {
      // Two passes handle the hours around a daylight-saving change.
      const first = this.offsetAt(asIfUtc);
      const second = this.offsetAt(asIfUtc - first);
      offset = second;
      this.offsetCache.set(key, offset);
    }
    return new Date(asIfUtc - offset).toISOString();
  }

  /** Milliseconds the zone is ahead of UTC at the given instant. */
  private offsetAt(instant: number): number {
    const parts = this.formatter.formatToParts(new Date(instant));
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    return wall - Math.floor(instant / 1000) * 1000;
  }
}
