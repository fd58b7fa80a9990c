/**
 * "Why?": where a change happened. The figure of the period is set against the one before (or
 * the two sides of a comparison against each other), and the change is split between the groups
 * of each dimension (countries, products, segments, new vs returning customers) so that the
 * parts add up to the whole:
 *  - sums (revenue, orders, units...): each group's own change;
 *  - ratios (average order value, rates...): R_A - R_B = sum over groups of
 *    (n_A,g - R_B d_A,g) / D_A - (n_B,g - R_B d_B,g) / D_B, which counts both a group's own
 *    ratio and its weight in the mix.
 * This says where the figure moved, not why customers behaved so, and the answer says so.
 */
import type { FactsFilter, FactsGrouping, SalesFacts } from '../../data/repositories/shopFacts';
import { describePeriod, lastFullMonth, previousPeriod, addDaysIso } from '../../nlp/query/periods';
import type { Dimension, Period, QuerySpec } from '../../nlp/query/spec';
import { MEASURE_DEFINITIONS, type SalesMeasure } from './measures';
import { present } from './present';
import type { AnalystAnswer, DataContext, DriverGroup, DriverItem } from './types';
import { DIMENSION_LABEL, describeFilters, formatChange, formatValue, keyLabel, listWords } from './words';

interface Side {
  label: string;
  filter: FactsFilter;
}

export interface DriverDeps {
  sales: (filter: FactsFilter, grouping: FactsGrouping) => SalesFacts[];
  cannot: (reason: string) => AnalystAnswer;
  pageSize: number;
}

const TOP = 5;

export function explainChange(spec: QuerySpec, ctx: DataContext, deps: DriverDeps): AnalystAnswer {
  const def = MEASURE_DEFINITIONS[spec.measure];
  if (def.source === 'scores')
    return deps.cannot(
      `${def.label} is a score of each customer as of the latest training, so there is no earlier figure to compare it with. Ask me about a figure over a period (revenue, orders, customers...) and then "why?".`,
    );
  if (def.source === 'lost')
    return deps.cannot(
      'Lost customers already compare two periods. To see where they were lost, ask for lost customers by segment or by country.',
    );
  const notes: string[] = [...spec.notes];
  const sides = sidesOf(spec, ctx, notes);
  if ('reason' in sides) return deps.cannot(sides.reason);
  const [after, before] = sides.sides;
  const whole = (side: Side) => deps.sales(side.filter, 'none')[0];
  const a = whole(after);
  const b = whole(before);
  const valueA = a ? def.value(a) : 0;
  const valueB = b ? def.value(b) : 0;
  const totalChange = (valueA ?? 0) - (valueB ?? 0);
  const dims = (['country', 'product', 'segment', 'customerType'] as Dimension[]).filter((d) => {
    if (d === 'country' && (spec.filters.countries?.length === 1 || spec.comparison?.by === 'country'))
      return false;
    if (d === 'product' && (spec.filters.products?.length === 1 || !productsAddUp(def))) return false;
    if (
      d === 'segment' &&
      (spec.filters.segments?.length || !ctx.scoresAsOf || spec.comparison?.by === 'segment')
    )
      return false;
    if (d === 'customerType' && spec.filters.customerKind) return false;
    return true;
  });
  const drivers: DriverGroup[] = dims.map((dimension) => ({
    dimension,
    items: split(
      def,
      dimension,
      deps.sales(after.filter, dimension as FactsGrouping),
      deps.sales(before.filter, dimension as FactsGrouping),
      a,
      b,
      totalChange,
    ),
  }));
  const direction = totalChange > 0 ? 'rose' : totalChange < 0 ? 'fell' : 'did not change';
  const relative = valueB ? totalChange / Math.abs(valueB) : null;
  const scope = describeFilters(spec.filters);
  const moverWords = drivers
    .filter((g) => g.items.length)
    .map((g) => {
      const top = g.items.slice(0, 2).map((i) => `${i.label} ${signed(i.change, def.format)}`);
      return `by ${DIMENSION_LABEL[g.dimension].toLowerCase()}, ${listWords(top)}`;
    });
  const statement =
    `${def.label}${scope ? ` ${scope}` : ''} ${direction} from ${formatValue(valueB, def.format)} (${before.label}) to ${formatValue(valueA, def.format)} (${after.label})` +
    `${relative !== null && totalChange !== 0 ? `, ${formatChange(relative)}` : ''}. ` +
    (moverWords.length ? `Biggest moves: ${moverWords.join('; ')}. ` : '') +
    'These show where the change happened, not why customers behaved so.' +
    notes
      .filter((n) => n.endsWith('is incomplete.'))
      .map((n) => ` ${n}`)
      .join('');
  notes.unshift(
    def.definition,
    def.ratio
      ? "Each group's part combines its own change and its weight in the mix; the parts add up to the whole change."
      : "Each group's part is its own change; the parts add up to the whole change" +
          (def.additive ? '.' : ' only roughly, as a customer can be in several groups.'),
  );
  const columns = [
    { header: 'By' },
    { header: 'Group' },
    { header: before.label, kind: def.format, format: def.format },
    { header: after.label, kind: def.format, format: def.format },
    { header: 'Part of the change', kind: def.format, format: def.format },
    { header: 'Share of the change', kind: 'percent' as const, format: 'percent' as const },
  ];
  const rows = drivers.flatMap((g) =>
    g.items.map((i) => [DIMENSION_LABEL[g.dimension], i.label, i.before, i.after, i.change, i.share]),
  );
  return present({
    spec,
    kind: 'drivers',
    title: `Why ${def.words} ${direction === 'did not change' ? 'held' : direction}`,
    subtitle: '',
    statement,
    measure: def,
    rows: [],
    columns: [],
    notes,
    pageSize: Math.max(deps.pageSize, rows.length),
    drivers,
    customTable: { columns, rows },
  });
}

/** The two sides to set against each other: later first. */
function sidesOf(
  spec: QuerySpec,
  ctx: DataContext,
  notes: string[],
): { sides: [Side, Side] } | { reason: string } {
  const base: FactsFilter = filterOf(spec);
  const cmp = spec.comparison;
  if (cmp?.by === 'period' && cmp.periods.length === 2) {
    const [p, q] = cmp.periods[0].from > cmp.periods[1].from ? cmp.periods : [cmp.periods[1], cmp.periods[0]];
    // A period the data has not reached yet has no orders to explain: the fall would be the calendar's.
    const unreached = [p, q].find((x) => x.from >= ctx.end);
    if (unreached)
      return {
        reason: `${describePeriod(unreached)} has no orders yet (the data ends on ${addDaysIso(ctx.end, -1)}), so there is no change to explain. Compare two periods the data covers, e.g. "revenue last month vs the month before".`,
      };
    return { sides: [periodSide(base, p), periodSide(base, q)] };
  }
  if (cmp && cmp.by !== 'period' && cmp.members.length === 2) {
    const names =
      cmp.by === 'product' ? cmp.members.map((m) => `${m.name} (${m.code})`) : (cmp.members as string[]);
    const member = (i: number): FactsFilter => {
      const f = { ...base, ...(spec.period ? { from: spec.period.from, to: spec.period.to } : {}) };
      if (cmp.by === 'country') f.countries = [cmp.members[i] as string];
      if (cmp.by === 'segment') f.segments = [cmp.members[i] as string];
      if (cmp.by === 'stage') f.stages = [cmp.members[i] as string];
      if (cmp.by === 'product') f.skus = [(cmp.members[i] as { code: string }).code];
      if (cmp.by === 'customerType') f.customerKind = cmp.members[i] as FactsFilter['customerKind'];
      return f;
    };
    return {
      sides: [
        { label: names[0], filter: member(0) },
        { label: names[1], filter: member(1) },
      ],
    };
  }
  let period = spec.period;
  if (!period) {
    period = lastFullMonth(ctx.reference);
    notes.push(
      `The question covered all the data, so there is nothing before it: I set ${describePeriod(period)} against the month before.`,
    );
  }
  const before = previousPeriod(period);
  if (before.to <= ctx.first)
    return {
      reason: `There are no orders before ${describePeriod(period)} (the data starts on ${ctx.first}), so there is nothing to compare it with.`,
    };
  if (before.from < ctx.first)
    notes.push(`The data starts on ${ctx.first}, so ${describePeriod(before)} is incomplete.`);
  if (period.to > ctx.end)
    notes.push(`The data ends on ${addDaysIso(ctx.end, -1)}, so ${describePeriod(period)} is incomplete.`);
  return { sides: [periodSide(base, period), periodSide(base, before)] };
}

function periodSide(base: FactsFilter, p: Period): Side {
  return { label: describePeriod(p), filter: { ...base, from: p.from, to: p.to } };
}

/** The spec's filters as the facts repository takes them (no period). */
export function filterOf(spec: QuerySpec): FactsFilter {
  const f = spec.filters;
  return {
    ...(f.countries?.length ? { countries: f.countries } : {}),
    ...(f.excludeCountries?.length ? { excludeCountries: f.excludeCountries } : {}),
    ...(f.products?.length ? { skus: f.products.map((p) => p.code) } : {}),
    ...(f.productWords?.length ? { nameWords: f.productWords } : {}),
    ...(f.segments?.length ? { segments: f.segments } : {}),
    ...(f.stages?.length ? { stages: f.stages } : {}),
    ...(f.customerKind ? { customerKind: f.customerKind } : {}),
    ...(f.orderValue ? { orderValue: f.orderValue } : {}),
    ...(f.customerSpend ? { customerSpend: f.customerSpend } : {}),
  };
}

/** Products split sums of order lines; customers and orders span several products. */
function productsAddUp(def: SalesMeasure): boolean {
  return def.additive && def.label !== 'Orders' && def.label !== 'Cancellations and returns';
}

/** Each group's part of the change, biggest first (by size), at most TOP per dimension. */
function split(
  def: SalesMeasure,
  dimension: Dimension,
  after: SalesFacts[],
  before: SalesFacts[],
  wholeAfter: SalesFacts | undefined,
  wholeBefore: SalesFacts | undefined,
  totalChange: number,
): DriverItem[] {
  const keys = new Map<string, string>();
  for (const f of [...after, ...before]) keys.set(f.key, keyLabel(dimension, f.key, f.label));
  const a = new Map(after.map((f) => [f.key, f]));
  const b = new Map(before.map((f) => [f.key, f]));
  const items: DriverItem[] = [];
  for (const [key, label] of keys) {
    const fa = a.get(key);
    const fb = b.get(key);
    let change: number;
    if (def.ratio && wholeAfter && wholeBefore) {
      const rb = def.value(wholeBefore) ?? 0;
      const da = def.ratio.denominator(wholeAfter);
      const db = def.ratio.denominator(wholeBefore);
      const part = (f: SalesFacts | undefined, d: number) =>
        f && d ? (def.ratio!.numerator(f) - rb * def.ratio!.denominator(f)) / d : 0;
      change = part(fa, da) - part(fb, db);
    } else {
      change = (fa ? (def.value(fa) ?? 0) : 0) - (fb ? (def.value(fb) ?? 0) : 0);
    }
    items.push({
      key,
      label,
      before: fb ? def.value(fb) : def.additive ? 0 : null,
      after: fa ? def.value(fa) : def.additive ? 0 : null,
      change,
      share: totalChange ? change / totalChange : null,
    });
  }
  return items
    .filter((i) => Math.abs(i.change) > 1e-9)
    .sort((x, y) => Math.abs(y.change) - Math.abs(x.change) || (x.key < y.key ? -1 : 1))
    .slice(0, TOP);
}

function signed(v: number, format: SalesMeasure['format']): string {
  return `${v >= 0 ? '+' : '-'}${formatValue(Math.abs(v), format)}`;
}
