/**
 * Answers a question spec from the shop's own order history: runs it through the facts
 * repository (the only place with SQL), shapes the rows (a figure, a ranking, a breakdown, a
 * trend or a comparison) and says in words what was computed: the measure's definition, the
 * period actually covered by the data, the filters and any assumption. It never guesses a
 * different report: what it cannot compute, it says.
 */
import type {
  CustomerGrouping,
  FactsFilter,
  FactsGrouping,
  LostFacts,
  SalesFacts,
  ScoreFacts,
  ShopFactsRepository,
} from '../../data/repositories/shopFacts';
import { DEFAULT_SEGMENT_RULES } from '../../analytics/rfm/rfm';
import { STAGES } from '../../analytics/stage/stage';
import { understandShopQuestion } from '../../nlp/query/understand';
import { readQuerySpec } from '../../nlp/query/validate';
import type { ShopVocabulary } from '../../nlp/query/vocabulary';
import {
  FLOW_MEASURES,
  unsupportedCombination,
  type Dimension,
  type Measure,
  type Period,
  type QuerySpec,
  type TimeDimension,
  type Understanding,
} from '../../nlp/query/spec';
import {
  addDaysIso,
  addMonthsIso,
  clampPeriod,
  describePeriod,
  isoDate,
  lastFullMonth,
  parseIsoDate,
  previousPeriod,
} from '../../nlp/query/periods';
import { companions, MEASURE_DEFINITIONS, type MeasureDefinition } from './measures';
import { describeFilters, formatChange, formatValue, keyLabel, DIMENSION_LABEL } from './words';
import { present } from './present';
import { explainChange, filterOf } from './drivers';
import type { AnalystAnswer, AnswerRow, DataContext } from './types';

export type { AnalystAnswer, AnswerRow } from './types';

export interface AnalystOptions {
  /** Rows per page of a table (default 10). */
  pageSize?: number;
}

type Facts = SalesFacts | LostFacts | ScoreFacts;

const COUNT_MEASURES: Measure[] = [
  'orders',
  'customers',
  'newCustomers',
  'returningCustomers',
  'repeatCustomers',
  'lostCustomers',
  'cancellations',
];

/** Figures kept per data version: "show me more", "sort by" and "export" ask for the same rows again. */
const REMEMBERED = 64;

export class Analyst {
  private vocabularyCache: { key: string; vocabulary: ShopVocabulary } | null = null;
  private remembered = { version: '', results: new Map<string, unknown>() };

  constructor(
    private readonly facts: ShopFactsRepository,
    private readonly options: AnalystOptions = {},
  ) {}

  /** "Today" for relative dates: the day after the newest order (UTC). */
  referenceDate(): Date {
    const last = this.facts.extent().lastOrderAt;
    return last ? parseIsoDate(addDaysIso(last.slice(0, 10), 1)) : new Date();
  }

  /** The shop's countries, segments, stages and products, for understanding questions. */
  vocabulary(): ShopVocabulary {
    const extent = this.facts.extent();
    const key = `${extent.lastOrderAt}|${this.facts.scoresAsOf()}`;
    if (this.vocabularyCache?.key !== key) {
      this.vocabularyCache = {
        key,
        vocabulary: {
          countries: this.facts.countries(),
          segments: DEFAULT_SEGMENT_RULES.map((r) => r.name),
          stages: [...STAGES],
          products: this.facts.products(),
        },
      };
    }
    return this.vocabularyCache.vocabulary;
  }

  /** Understands a message against this shop's vocabulary and data dates (see nlp/query). */
  understand(text: string, previous?: QuerySpec | null): Understanding | null {
    return understandShopQuestion(text, {
      vocabulary: this.vocabulary(),
      referenceDate: this.referenceDate(),
      previous,
    });
  }

  /** The answer to an understanding: the figures, the drivers for "why?", or why it cannot be answered. */
  respond(u: Understanding): AnalystAnswer {
    if (u.kind === 'unsupported') return this.cannot(null, u.reason);
    if (u.kind === 'followup' && u.action === 'why') return this.why(u.spec);
    return this.answer(u.spec);
  }

  answer(given: QuerySpec): AnalystAnswer {
    const ready = this.ready(given);
    if ('cannot' in ready) return ready.cannot;
    const { spec, ctx } = ready;
    switch (spec.shape) {
      case 'comparison':
        return this.comparison(spec, ctx);
      case 'trend':
        return this.trend(spec, ctx);
      case 'ranking':
      case 'breakdown':
        return this.table(spec, ctx);
      default:
        return this.figure(spec, ctx);
    }
  }

  /** What moved the figure: the groups that changed most between the period and the one before. */
  why(given: QuerySpec): AnalystAnswer {
    const ready = this.ready(given);
    if ('cannot' in ready) return ready.cannot;
    const { spec, ctx } = ready;
    return explainChange(spec, ctx, {
      sales: (filter, grouping) =>
        this.remember(['sales', filter, grouping], () => this.facts.sales(filter, grouping)),
      cannot: (reason) => this.cannot(spec, reason),
      pageSize: this.pageSize,
    });
  }

  /** The spec checked and the data's dates, or the answer saying why the question cannot be asked. */
  private ready(given: QuerySpec): { spec: QuerySpec; ctx: DataContext } | { cannot: AnalystAnswer } {
    const spec = readQuerySpec(given);
    if (!spec)
      return { cannot: this.cannot(null, 'That question is no longer readable: please ask it again.') };
    const ctx = this.context();
    if (!ctx)
      return { cannot: this.cannot(spec, 'There are no orders yet: import the order history first.') };
    const problem = this.problem(spec, ctx);
    if (problem) return { cannot: this.cannot(spec, problem) };
    return { spec, ctx };
  }

  private get pageSize(): number {
    return this.options.pageSize ?? 10;
  }

  private context(): DataContext | null {
    const extent = this.facts.extent();
    if (!extent.firstOrderAt || !extent.lastOrderAt) return null;
    const end = addDaysIso(extent.lastOrderAt.slice(0, 10), 1);
    return {
      first: extent.firstOrderAt.slice(0, 10),
      end,
      reference: parseIsoDate(end),
      scoresAsOf: this.facts.scoresAsOf(),
    };
  }

  private problem(spec: QuerySpec, ctx: DataContext): string | null {
    const combination = unsupportedCombination(spec);
    if (combination) return combination;
    const def = MEASURE_DEFINITIONS[spec.measure];
    const needsScores =
      def.source === 'scores' ||
      !!spec.filters.segments?.length ||
      !!spec.filters.stages?.length ||
      spec.dimension === 'segment' ||
      spec.dimension === 'stage' ||
      spec.comparison?.by === 'segment' ||
      spec.comparison?.by === 'stage';
    if (needsScores && !ctx.scoresAsOf)
      return 'Segments, lifecycle stages, churn risk and lifetime value come from the trained models, and they have not been trained on this data yet (run `retain train`).';
    return null;
  }

  // -----------------------------------------------------------------------------------------------
  // Periods

  /**
   * The period a spec covers: as asked (cut to the data, with a note), the measure's default when
   * none is given (flows of customers: the last full month), or all the data.
   */
  private period(
    spec: QuerySpec,
    ctx: DataContext,
    notes: string[],
    asked = spec.period,
  ): ResolvedPeriod | null {
    const def = MEASURE_DEFINITIONS[spec.measure];
    let period = asked;
    if (!period && FLOW_MEASURES.includes(spec.measure) && spec.shape !== 'trend') {
      period = lastFullMonth(ctx.reference);
      notes.push(
        `No period given: ${def.words} are counted per period, so I used the last full month, ${describePeriod(period)}.`,
      );
    }
    if (!period) {
      const all = { from: ctx.first, to: ctx.end };
      return {
        asked: undefined,
        covered: all,
        words: `all orders (${ctx.first} to ${addDaysIso(ctx.end, -1)})`,
      };
    }
    const covered = clampPeriod(period, ctx.first, ctx.end);
    if (!covered) return null;
    let words = describePeriod(period);
    if (period.to > ctx.end) words += ` (the data ends on ${addDaysIso(ctx.end, -1)})`;
    else if (period.from < ctx.first) words += ` (the data starts on ${ctx.first})`;
    return { asked: period, covered, words };
  }

  private noData(spec: QuerySpec, ctx: DataContext, period: Period): AnalystAnswer {
    const def = MEASURE_DEFINITIONS[spec.measure];
    const statement = `There are no orders in ${describePeriod(period)}: the order history covers ${ctx.first} to ${addDaysIso(ctx.end, -1)}.`;
    return present({
      spec,
      kind: 'nodata',
      title: def.label,
      subtitle: describePeriod(period),
      statement,
      value: null,
      measure: def,
      rows: [],
      columns: [],
      notes: [...spec.notes],
      pageSize: this.pageSize,
    });
  }

  // -----------------------------------------------------------------------------------------------
  // Shapes

  private figure(spec: QuerySpec, ctx: DataContext): AnalystAnswer {
    const notes = [...spec.notes];
    const period = this.period(spec, ctx, notes);
    if (!period) return this.noData(spec, ctx, spec.period!);
    const def = MEASURE_DEFINITIONS[spec.measure];
    const facts = this.fetch(spec, period, 'none')[0];
    const value = facts ? def.value(facts as never) : emptyValue(spec.measure);
    const scope = describeFilters(spec.filters);
    const where = [scope, this.populationWords(spec, period)].filter(Boolean).join(', ');
    let statement =
      `${def.label}${where ? ` ${where}` : ''}, ${period.words}: ${formatValue(value, def.format)}.` +
      (facts ? '' : ' No orders match.');
    if (spec.share) {
      const share = this.share(spec, period, value, notes);
      if (share) {
        statement = `${def.label}${where ? ` ${where}` : ''}, ${period.words}: ${formatValue(value, def.format)}, ${formatValue(share.share, 'percent')} of ${share.of} (${formatValue(share.total, def.format)}).`;
        return present({
          spec,
          kind: 'figure',
          title: `Share of ${def.words}`,
          subtitle: [period.words, scope].filter(Boolean).join(' · '),
          statement,
          value: share.share,
          measure: { ...def, label: `Share of ${def.words}`, format: 'percent' },
          rows: [
            { key: 'share', label: 'Share', value: share.share, values: {} },
            { key: 'part', label: scope || def.label, value, values: {} },
            { key: 'total', label: share.of, value: share.total, values: {} },
          ],
          columns: [],
          notes: this.notes(spec, ctx, period, notes),
          pageSize: this.pageSize,
        });
      }
    }
    return present({
      spec,
      kind: 'figure',
      title: def.label,
      subtitle: [period.words, scope].filter(Boolean).join(' · '),
      statement,
      value,
      measure: def,
      rows: [{ key: 'all', label: def.label, value, values: facts ? this.values(spec, facts) : {} }],
      columns: [],
      notes: this.notes(spec, ctx, period, notes),
      pageSize: this.pageSize,
    });
  }

  /** The figure against the same figure for everyone (the same period, no filter on who). */
  private share(
    spec: QuerySpec,
    period: ResolvedPeriod,
    value: number | null,
    notes: string[],
  ): { share: number | null; total: number | null; of: string } | null {
    const def = MEASURE_DEFINITIONS[spec.measure];
    const additive = def.source === 'sales' && (def.additive || COUNT_MEASURES.includes(spec.measure));
    if (!additive) {
      notes.push(`A share of ${def.words} would not mean much: ${def.words} is not a sum.`);
      return null;
    }
    const whole: QuerySpec = { ...spec, filters: {} };
    const facts = this.fetch(whole, period, 'none')[0];
    const total = facts ? def.value(facts as never) : null;
    return { share: value !== null && total ? value / total : null, total, of: `all ${def.words}` };
  }

  private table(spec: QuerySpec, ctx: DataContext): AnalystAnswer {
    const notes = [...spec.notes];
    const period = this.period(spec, ctx, notes);
    if (!period) return this.noData(spec, ctx, spec.period!);
    const dimension = spec.dimension!;
    const def = MEASURE_DEFINITIONS[spec.measure];
    const sortMeasure = spec.sortBy ?? spec.measure;
    const rows = this.rows(spec, this.fetch(spec, period, dimension), dimension)
      .filter((r) => keep(spec.measure, r))
      .sort(byValue(sortMeasure, spec.order));
    const scope = describeFilters(spec.filters);
    const total = rows.length;
    const shown = spec.limit ?? this.pageSize;
    const lead = rows[0];
    const by = DIMENSION_LABEL[dimension].toLowerCase().replace('week starting', 'week');
    const count = Math.min(shown, total);
    const title =
      spec.shape === 'ranking'
        ? `${spec.order === 'asc' ? 'Bottom' : 'Top'} ${count === 1 ? by : `${count || ''} ${pluralDimension(dimension)}`} by ${sortMeasure === spec.measure ? def.words : MEASURE_DEFINITIONS[sortMeasure].words}`.replace(
            / {2,}/g,
            ' ',
          )
        : `${def.label} by ${by}`;
    const statement = lead
      ? `${def.label} by ${by}${scope ? ` ${scope}` : ''}, ${period.words}: ${spec.order === 'asc' && spec.shape === 'ranking' ? 'lowest' : 'highest'} ${lead.label} with ${formatValue(lead.value, def.format)}${shareOfTotal(def, rows, lead)}; ${total} ${total === 1 ? by : pluralDimension(dimension)} in all.`
      : `No ${pluralDimension(dimension)} match${scope ? ` ${scope}` : ''} in ${period.words}.`;
    return this.tableAnswer(spec, ctx, period, notes, { title, statement, rows, dimension, pageSize: shown });
  }

  /** A table of rows by one dimension, under the period and filters asked for. */
  private tableAnswer(
    spec: QuerySpec,
    ctx: DataContext,
    period: ResolvedPeriod,
    notes: string[],
    table: { title: string; statement: string; rows: AnswerRow[]; dimension: Dimension; pageSize: number },
  ): AnalystAnswer {
    return present({
      spec,
      kind: 'table',
      subtitle: [period.words, describeFilters(spec.filters)].filter(Boolean).join(' · '),
      measure: MEASURE_DEFINITIONS[spec.measure],
      columns: this.columns(spec),
      notes: this.notes(spec, ctx, period, notes),
      ...table,
    });
  }

  private trend(spec: QuerySpec, ctx: DataContext): AnalystAnswer {
    const notes = [...spec.notes];
    const period = this.period(spec, ctx, notes);
    if (!period) return this.noData(spec, ctx, spec.period!);
    const dimension = spec.dimension as TimeDimension;
    const def = MEASURE_DEFINITIONS[spec.measure];
    const buckets = timeBuckets(dimension, period.covered);
    let rows: AnswerRow[];
    if (def.source === 'lost') {
      // Each bucket against the one before; the first bucket of the data has nothing before it.
      rows = [];
      for (const b of buckets) {
        const before = previousPeriod(b);
        if (before.from < ctx.first) {
          notes.push(
            `${keyLabel(dimension, b.key, b.key)} is left out: there are no orders before it to lose customers from.`,
          );
          continue;
        }
        const facts = this.lost(this.filter(spec, b), before, 'none')[0];
        rows.push({
          key: b.key,
          label: keyLabel(dimension, b.key, b.key),
          value: facts ? def.value(facts) : 0,
          values: facts ? this.values(spec, facts) : {},
        });
      }
    } else {
      const byKey = new Map(
        this.rows(spec, this.fetch(spec, period, dimension), dimension).map((r) => [r.key, r]),
      );
      rows = buckets.map(
        (b) =>
          byKey.get(b.key) ?? {
            key: b.key,
            label: keyLabel(dimension, b.key, b.key),
            value: emptyValue(spec.measure),
            values: {},
          },
      );
    }
    const scope = describeFilters(spec.filters);
    const withValues = rows.filter((r) => r.value !== null);
    const high = [...withValues].sort((a, b) => (b.value ?? 0) - (a.value ?? 0))[0];
    const first = withValues[0];
    const last = withValues[withValues.length - 1];
    // The average per day, week or month, for sums ("average revenue per day").
    const average =
      def.source === 'sales' && def.additive && rows.length
        ? `; average ${formatValue(rows.reduce((sum, r) => sum + (r.value ?? 0), 0) / rows.length, def.format)} per ${dimension}`
        : '';
    const statement = high
      ? `${def.label} per ${dimension}${scope ? ` ${scope}` : ''}, ${period.words}: from ${formatValue(first.value, def.format)} (${first.label}) to ${formatValue(last.value, def.format)} (${last.label}); highest ${formatValue(high.value, def.format)} in ${high.label}${average}.`
      : `No ${def.words} to show per ${dimension} in ${period.words}.`;
    if (buckets.length && buckets[buckets.length - 1].to > period.covered.to)
      notes.push(
        `The last ${dimension} is incomplete: the data ends on ${addDaysIso(period.covered.to, -1)}.`,
      );
    return this.tableAnswer(spec, ctx, period, notes, {
      title: `${def.label} per ${dimension}`,
      statement,
      rows,
      dimension,
      pageSize: Math.max(this.pageSize, 60),
    });
  }

  private comparison(spec: QuerySpec, ctx: DataContext): AnalystAnswer {
    const notes = [...spec.notes];
    const def = MEASURE_DEFINITIONS[spec.measure];
    const cmp = spec.comparison!;
    let rows: AnswerRow[] = [];
    let periodWords: string;
    let later: { first: boolean } | null = null;
    if (cmp.by === 'period') {
      const sides: string[] = [];
      for (const p of cmp.periods) {
        const period = this.period(spec, ctx, notes, p);
        sides.push(describePeriod(p));
        if (!period) {
          notes.push(
            `There are no orders in ${describePeriod(p)} (the data covers ${ctx.first} to ${addDaysIso(ctx.end, -1)}).`,
          );
          rows.push({ key: p.from, label: describePeriod(p), value: null, values: {} });
          continue;
        }
        if (period.words !== describePeriod(p)) notes.push(`${describePeriod(p)}: ${period.words}.`);
        const facts = this.fetch(spec, period, 'none')[0];
        rows.push({
          key: p.from,
          label: describePeriod(p),
          value: facts ? def.value(facts as never) : emptyValue(spec.measure),
          values: facts ? this.values(spec, facts) : {},
        });
      }
      periodWords = sides.join(' vs ');
      // A period the data does not cover to its end is not like for like: say so in the answer.
      const cut = cmp.periods.filter((p) => p.to > ctx.end && p.from < ctx.end);
      if (cut.length)
        notes.unshift(
          `${cut.map((p) => describePeriod(p)).join(' and ')} has data up to ${addDaysIso(ctx.end, -1)} only, so the comparison is not like for like.`,
        );
      if (rows.length === 2) later = { first: cmp.periods[0].from > cmp.periods[1].from };
    } else {
      const period = this.period(spec, ctx, notes);
      if (!period) return this.noData(spec, ctx, spec.period!);
      periodWords = period.words;
      const members = cmp.by === 'product' ? cmp.members.map((m) => m.code) : cmp.members;
      const names =
        cmp.by === 'product' ? cmp.members.map((m) => `${m.name} (${m.code})`) : (cmp.members as string[]);
      const filtered: QuerySpec = { ...spec, filters: { ...spec.filters } };
      if (cmp.by === 'country') filtered.filters.countries = members;
      if (cmp.by === 'segment') filtered.filters.segments = members;
      if (cmp.by === 'stage') filtered.filters.stages = members;
      if (cmp.by === 'product') filtered.filters.products = cmp.members as never;
      const grouping = cmp.by as Dimension;
      const byKey = new Map(
        this.rows(spec, this.fetch(filtered, period, grouping), grouping).map((r) => [
          r.key.toLowerCase(),
          r,
        ]),
      );
      const wanted = (m: string) =>
        cmp.by === 'customerType'
          ? m === 'new'
            ? 'new'
            : m === 'guest'
              ? 'guest checkouts'
              : m
          : m.toLowerCase();
      rows = members.map(
        (m, i) =>
          byKey.get(wanted(m)) ?? { key: m, label: names[i], value: emptyValue(spec.measure), values: {} },
      );
      rows = rows.map((r, i) => ({ ...r, label: names[i] }));
      later = { first: true };
    }
    const [a, b] = rows;
    let change: number | null = null;
    let relative: number | null = null;
    let comparisonWords = '';
    if (rows.length === 2 && later && a.value !== null && b.value !== null) {
      const [x, y] = later.first ? [a, b] : [b, a];
      change = x.value! - y.value!;
      relative = y.value !== 0 ? change / Math.abs(y.value!) : null;
      comparisonWords =
        cmp.by === 'period'
          ? ` ${x.label} is ${relative === null ? (change >= 0 ? 'up' : 'down') : formatChange(relative)} on ${y.label}${def.format === 'percent' ? ` (${change >= 0 ? '+' : '-'}${Math.abs(change * 100).toFixed(1)} points)` : ''}.`
          : ` ${x.label} is ${relative === null ? '' : `${formatChange(relative)} `}against ${y.label}.`;
    }
    const scope = describeFilters(spec.filters);
    const statement =
      `${def.label}${scope ? ` ${scope}` : ''}, ${cmp.by === 'period' ? periodWords : `${rows.map((r) => r.label).join(' vs ')}, ${periodWords}`}: ` +
      rows.map((r) => `${r.label} ${formatValue(r.value, def.format)}`).join(', ') +
      '.' +
      comparisonWords +
      (notes[0]?.endsWith('not like for like.') ? ` ${notes[0]}` : '');
    return present({
      spec,
      kind: 'comparison',
      title: `${def.label}: ${rows.map((r) => r.label).join(' vs ')}`,
      subtitle: [cmp.by === 'period' ? '' : periodWords, scope].filter(Boolean).join(' · '),
      statement,
      measure: def,
      rows,
      columns: this.columns(spec),
      notes: this.notes(spec, ctx, null, notes),
      pageSize: this.pageSize,
      comparison: { change, relativeChange: relative },
    });
  }

  // -----------------------------------------------------------------------------------------------
  // Data

  private filter(spec: QuerySpec, period: Period | undefined): FactsFilter {
    return { ...(period ? { from: period.from, to: period.to } : {}), ...filterOf(spec) };
  }

  private fetch(spec: QuerySpec, period: ResolvedPeriod, grouping: FactsGrouping): Facts[] {
    const def = MEASURE_DEFINITIONS[spec.measure];
    if (def.source === 'sales') {
      const filter = this.filter(spec, period.covered);
      return this.remember(['sales', filter, grouping], () => this.facts.sales(filter, grouping));
    }
    const customerGrouping = grouping as CustomerGrouping;
    if (def.source === 'lost') {
      const asked = period.asked ?? period.covered;
      return this.lost(this.filter(spec, asked), previousPeriod(asked), customerGrouping);
    }
    // Scores are as of one date: a period only chooses whose (customers who bought in it).
    const filter = this.filter(spec, period.asked ? period.covered : undefined);
    return this.remember(['scores', filter, customerGrouping], () =>
      this.facts.scores(filter, customerGrouping),
    );
  }

  private lost(filter: FactsFilter, previous: Period, grouping: CustomerGrouping): LostFacts[] {
    return this.remember(['lost', filter, previous, grouping], () =>
      this.facts.lost(filter, previous, grouping),
    );
  }

  /** A result computed at most once per data version (the repository's rows are never changed). */
  private remember<T>(key: unknown[], compute: () => T): T {
    const version = this.facts.dataVersion();
    if (this.remembered.version !== version) this.remembered = { version, results: new Map() };
    const id = JSON.stringify(key);
    const results = this.remembered.results;
    if (results.has(id)) {
      const hit = results.get(id) as T;
      // Most recently used last: the first key is the one to forget.
      results.delete(id);
      results.set(id, hit);
      return hit;
    }
    const value = compute();
    results.set(id, value);
    if (results.size > REMEMBERED) results.delete(results.keys().next().value!);
    return value;
  }

  private rows(spec: QuerySpec, facts: Facts[], dimension: Dimension): AnswerRow[] {
    const def = MEASURE_DEFINITIONS[spec.measure];
    return facts.map((f) => ({
      key: f.key,
      label: keyLabel(dimension, f.key, f.label),
      value: def.value(f as never),
      values: this.values(spec, f),
    }));
  }

  /** The asked measure, the measure sorted by and the companions, from one group's facts. */
  private values(spec: QuerySpec, f: Facts): Partial<Record<Measure, number | null>> {
    const def = MEASURE_DEFINITIONS[spec.measure];
    const out: Partial<Record<Measure, number | null>> = {};
    const wanted = [
      spec.measure,
      ...(spec.sortBy ? [spec.sortBy] : []),
      ...companions(spec.measure, spec.dimension),
    ];
    for (const m of wanted) {
      const other = MEASURE_DEFINITIONS[m];
      if (other.source === def.source) out[m] = other.value(f as never);
    }
    if (def.source === 'scores') out.customers = (f as ScoreFacts).customers;
    if (def.source === 'lost') out.customers = (f as LostFacts).previousCustomers;
    return out;
  }

  private columns(spec: QuerySpec): Measure[] {
    const def = MEASURE_DEFINITIONS[spec.measure];
    const columns = [spec.measure];
    if (spec.sortBy && spec.sortBy !== spec.measure && MEASURE_DEFINITIONS[spec.sortBy].source === def.source)
      columns.push(spec.sortBy);
    for (const m of companions(spec.measure, spec.dimension)) if (!columns.includes(m)) columns.push(m);
    if (def.source !== 'sales') columns.push('customers');
    return columns;
  }

  /** Whose figures these are, when the measure is about customers rather than orders. */
  private populationWords(spec: QuerySpec, period: ResolvedPeriod): string {
    const def = MEASURE_DEFINITIONS[spec.measure];
    if (def.source === 'scores')
      return period.asked ? 'customers who ordered in the period' : 'all scored customers';
    if (def.source === 'lost' && period.asked)
      return `against ${describePeriod(previousPeriod(period.asked))}`;
    return '';
  }

  private notes(spec: QuerySpec, ctx: DataContext, period: ResolvedPeriod | null, notes: string[]): string[] {
    const def = MEASURE_DEFINITIONS[spec.measure];
    const out = [def.definition];
    if (
      def.source === 'scores' ||
      spec.filters.segments?.length ||
      spec.filters.stages?.length ||
      spec.dimension === 'segment' ||
      spec.dimension === 'stage'
    )
      out.push(`Segments, stages and scores as of ${ctx.scoresAsOf?.slice(0, 10)} (the latest training).`);
    if (def.source === 'lost' && period?.asked)
      out.push(
        `Compared periods: ${describePeriod(previousPeriod(period.asked))} and ${describePeriod(period.asked)}.`,
      );
    if (spec.filters.orderValue && def.source === 'sales')
      out.push(
        'Amounts on orders are merchandise values as ordered; cancellations cannot be tied to the orders they undo, so they are left out.',
      );
    return [...out, ...notes];
  }

  private cannot(spec: QuerySpec | null, reason: string): AnalystAnswer {
    return present({
      spec,
      kind: 'cannot',
      title: 'I cannot answer that from the order history',
      subtitle: '',
      statement: reason,
      value: null,
      measure: null,
      rows: [],
      columns: [],
      notes: [],
      pageSize: this.pageSize,
    });
  }
}

interface ResolvedPeriod {
  /** As asked (absent: all the data). */
  asked: Period | undefined;
  /** The part the data covers. */
  covered: Period;
  words: string;
}

function emptyValue(measure: Measure): number | null {
  const def: MeasureDefinition = MEASURE_DEFINITIONS[measure];
  return def.source === 'sales' && !def.additive && !COUNT_MEASURES.includes(measure)
    ? null
    : def.format === 'percent'
      ? null
      : 0;
}

/**
 * Groups worth a row: every group with merchandise in the period (a purchase, a cancellation or
 * a return), so that the rows add up to the whole; counts of nothing are left out.
 */
function keep(measure: Measure, row: AnswerRow): boolean {
  if (row.value === null) return false;
  return !(COUNT_MEASURES.includes(measure) && row.value === 0);
}

function byValue(measure: Measure, order: 'asc' | 'desc') {
  return (a: AnswerRow, b: AnswerRow) => {
    const x = a.values[measure] ?? a.value;
    const y = b.values[measure] ?? b.value;
    if (x === null || x === undefined) return y === null || y === undefined ? a.key.localeCompare(b.key) : 1;
    if (y === null || y === undefined) return -1;
    return (order === 'asc' ? x - y : y - x) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  };
}

function pluralDimension(d: Dimension): string {
  switch (d) {
    case 'country':
      return 'countries';
    case 'customerType':
      return 'customer types';
    case 'stage':
      return 'stages';
    default:
      return `${d}s`;
  }
}

function shareOfTotal(def: MeasureDefinition, rows: AnswerRow[], lead: AnswerRow): string {
  if (def.source !== 'sales' || !def.additive || rows.length < 2) return '';
  const total = rows.reduce((s, r) => s + (r.value ?? 0), 0);
  return total > 0 && lead.value !== null
    ? ` (${((lead.value / total) * 100).toFixed(1)}% of the total)`
    : '';
}

/** The time buckets that overlap a period, keyed as the repository keys them. */
function timeBuckets(dimension: TimeDimension, period: Period): Array<Period & { key: string }> {
  const out: Array<Period & { key: string }> = [];
  let start: string;
  const from = parseIsoDate(period.from);
  switch (dimension) {
    case 'day':
      start = period.from;
      break;
    case 'week':
      start = addDaysIso(period.from, -((from.getUTCDay() + 6) % 7));
      break;
    case 'month':
      start = `${period.from.slice(0, 7)}-01`;
      break;
    case 'quarter':
      start = isoDate(new Date(Date.UTC(from.getUTCFullYear(), Math.floor(from.getUTCMonth() / 3) * 3, 1)));
      break;
    case 'year':
      start = `${period.from.slice(0, 4)}-01-01`;
      break;
  }
  while (start < period.to && out.length < 2000) {
    const next =
      dimension === 'day'
        ? addDaysIso(start, 1)
        : dimension === 'week'
          ? addDaysIso(start, 7)
          : addMonthsIso(start, dimension === 'month' ? 1 : dimension === 'quarter' ? 3 : 12);
    const key =
      dimension === 'month' || dimension === 'quarter'
        ? start.slice(0, 7)
        : dimension === 'year'
          ? start.slice(0, 4)
          : start;
    out.push({ key, from: start, to: next });
    start = next;
  }
  return out;
}
