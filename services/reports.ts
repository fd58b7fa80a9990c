/**
 * The marketers' read models: segments, churn, lifetime value, cohorts, products, one customer,
 * model status, feedback and hand-offs, read from the stored analytics and the order history.
 * The chat and the CLI's `report` commands both read them here, so a figure has one definition.
 */
import type { Store } from '../data/store';
import type { StoredScore, StageHistoryEntry } from '../data/repositories/customerScores';
import type { ModelRun } from '../data/repositories/modelRuns';
import type { SalesFilter, TopProduct } from '../data/repositories/salesInsights';
import type { FeedbackEntry, FeedbackSummary } from '../data/repositories/feedback';
import type { Handoff } from '../data/repositories/handoffs';
import type { SegmentProfile } from '../analytics/segments/profiles';
import type { Stage } from '../analytics/stage/stage';
import { defaultAsOf } from '../analytics/asOf';
import { mineRules, completeBasket, type AssociationRule } from '../analytics/rules/associationRules';
import { basketsFromPurchases } from '../analytics/rules/orderBaskets';
import { NotTrainedError } from './errors';
import { MinuteCache } from './minuteCache';

export interface ReportFilter {
  country?: string;
  from?: Date;
  before?: Date;
}

/** A segment's size, revenue and mean R/F/M, as the stored profiles have them. */
export type GroupSummary = Omit<SegmentProfile, 'topCountries' | 'topProducts'>;

export interface SegmentOverview {
  asOf: string;
  filter: ReportFilter;
  customers: number;
  segments: GroupSummary[];
  /** The clusters' descriptions in words, when the whole base is shown. */
  clusters: { name: string; customers: number }[];
}

export interface SegmentDetail {
  asOf: string;
  summary: GroupSummary | null;
  /** Highest spend first. */
  members: StoredScore[];
  topProducts: { name: string; customers: number }[];
  topCountries: { country: string; customers: number }[];
}

export interface ChurnOverview {
  asOf: string;
  filter: ReportFilter;
  customers: number;
  expectedChurners: number;
  meanChurnProbability: number;
  /** Sum over customers of churn probability x lifetime value (a negative CLV counts as none). */
  clvAtRisk: number;
  byStage: Record<string, number>;
  top: StoredScore[];
  /** Every customer's churn probability, for the distribution. */
  probabilities: number[];
}

export interface CohortRetention {
  asOf: string;
  /** Months after the first one that are shown. */
  months: number;
  /** retained[m]: share of the cohort with an order m + 1 months after its first month (null: not reached yet). */
  cohorts: Array<{ cohort: string; customers: number; retained: Array<number | null> }>;
}

export interface ClvOverview {
  asOf: string;
  filter: ReportFilter;
  customers: number;
  totalClv: number;
  bySegment: { name: string; customers: number; totalClv: number; meanClv: number }[];
  top: StoredScore[];
  warnings: string[];
}

export interface AtRiskList {
  asOf: string;
  filter: ReportFilter;
  /** Customers on the list (recent buyers not counted). */
  total: number;
  /** Customers who would qualify but bought in the last RECENT_BUYER_DAYS. */
  recentBuyersLeftOut: number;
  minProbability: number;
  /** Value at stake uses lifetime value (true) or, where that model is unreliable, spend so far. */
  valueIsClv: boolean;
  /** Sum of churn probability x value over the list. */
  stakeTotal: number;
  /** The whole list, ranked (for export); `top` is the first page. */
  all: StoredScore[];
  top: StoredScore[];
}

export interface ClvReliability {
  reliable: boolean;
  /** Why not, in plain words (null when reliable). */
  reason: string | null;
}

/** The RFM segment a win-back "for at-risk customers" means. */
export const AT_RISK_SEGMENT = 'at risk';
/** Customers who ordered this recently are welcomed, not won back. */
export const RECENT_BUYER_DAYS = 30;

/** A customer's value for ranking: predicted lifetime value when it can be trusted, else spend so far. */
function valueOf(s: StoredScore, clvReliable: boolean): number {
  return Math.max(0, clvReliable && s.clv !== null ? s.clv : s.monetary);
}

/** The lifetime-value model's warnings, as one sentence a marketer can act on. */
export function plainClvWarning(warnings: string[]): string | null {
  if (!warnings.length) return null;
  const few = warnings.map((w) => /only (\d+) (customers|repeat buyers)/.exec(w)).find(Boolean);
  if (few)
    return `Lifetime values are rough: only ${few[1]} ${few[2]} so far, too few for a reliable forecast.`;
  return (
    'Lifetime values are rough: the order history is too short for the model to tell how often ' +
    'customers stop buying, so predictions can be far off. Spend so far is the safer guide for now.'
  );
}

export interface ModelStatus {
  model: string;
  version: string;
  asOf: string | null;
  trainedAt: string;
  metrics: Record<string, unknown>;
}

export interface SegmentProfiles {
  asOf: string;
  version: string;
  segments: SegmentProfile[];
  clusters: SegmentProfile[];
}

export interface CustomerReport {
  customer: string;
  customerId: number;
  country: string | null;
  asOf: string;
  recencyDays: number;
  frequency: number;
  monetary: number;
  rfmScore: string;
  segment: string;
  cluster: { id: number; description: string | null };
  churn: { probability: number; drivers: unknown[] };
  pAlive: number;
  expectedPurchases: number;
  clv: number | null;
  /** Why p(alive), expected purchases and CLV should not be trusted (empty when the fit is sound). */
  clvWarnings: string[];
  stage: { current: Stage | string; since: string | null; history: StageHistoryEntry[] };
}

/** Lifetime value as the reports count it: a negative prediction (returns exceed spend) is none. */
export function clvValue(s: Pick<StoredScore, 'clv'>): number {
  return Math.max(0, s.clv ?? 0);
}

export class ReportService {
  /** Scores of the latest as-of date, read once per training run rather than per message. */
  private scoresCache: { asOf: string; all: StoredScore[] } | null = null;
  private rulesCache: { fingerprint: string; rules: AssociationRule[] } | null = null;
  private readonly fresh: MinuteCache;

  constructor(
    private readonly store: Store,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.fresh = new MinuteCache(now);
  }

  /** Forget cached scores and aggregates (after training, an import or an erasure). */
  invalidate(): void {
    this.scoresCache = null;
    this.rulesCache = null;
    this.fresh.clear();
  }

  /**
   * "Today" for relative dates in marketers' questions: the day after the newest order, so that
   * "last month" means the last month of data even when the data is a historical export.
   */
  referenceDate(): Date {
    // Counting the order history is too slow for every message; a minute-old answer is fine.
    return this.fresh.get('referenceDate', () => {
      const last = this.store.orders.dataExtent().lastOrderAt;
      return last ? defaultAsOf(last) : this.now();
    });
  }

  private latestScores(): { asOf: string; all: StoredScore[] } {
    const asOf = this.store.scores.latestAsOf();
    if (!asOf) throw new NotTrainedError();
    if (this.scoresCache?.asOf !== asOf) this.scoresCache = { asOf, all: this.store.scores.allAt(asOf) };
    return this.scoresCache;
  }

  /** Scores of the customers the filter selects (country; a purchase inside the time range). */
  private filteredScores(filter: ReportFilter): { asOf: string; all: StoredScore[] } {
    const { asOf, all } = this.latestScores();
    let selected = filter.country ? all.filter((s) => s.country === filter.country) : all;
    if (filter.from || filter.before) {
      const active = this.store.sales.activeCustomers(filter);
      selected = selected.filter((s) => active.has(s.customerId));
    }
    return { asOf, all: selected };
  }

  /** The segment and cluster profiles computed at training time, for the whole customer base. */
  segmentProfiles(): SegmentProfiles {
    const run = this.store.runs.latest('segments');
    if (!run) throw new NotTrainedError();
    const metrics = run.metrics as { segmentProfiles: SegmentProfile[]; clusterProfiles: SegmentProfile[] };
    return {
      asOf: run.asOf ?? '',
      version: run.version,
      segments: metrics.segmentProfiles,
      clusters: metrics.clusterProfiles,
    };
  }

  segmentOverview(filter: ReportFilter = {}): SegmentOverview {
    const { asOf, all } = this.filteredScores(filter);
    const clusters = isUnfiltered(filter)
      ? this.segmentProfiles().clusters.map((c) => ({ name: c.name, customers: c.customers }))
      : [];
    return {
      asOf,
      filter,
      customers: all.length,
      segments: summariseGroups(all, (s) => s.segment),
      clusters,
    };
  }

  /**
   * One RFM segment, with its most valuable customers; a lifecycle stage ("lapsed") when no segment
   * has the name. "At risk" names both: it means the segment, as on the overview it drills into.
   */
  segmentDetail(name: string, filter: ReportFilter = {}): SegmentDetail {
    const { asOf, all } = this.filteredScores(filter);
    const lower = name.toLowerCase();
    const isSegment = this.segmentProfiles().segments.some((p) => p.name.toLowerCase() === lower);
    const members = isSegment
      ? all.filter((s) => s.segment.toLowerCase() === lower)
      : all.filter((s) => s.stage === lower);
    const summary = members.length ? summariseGroups(members, () => name)[0] : null;
    if (summary) {
      const revenueAll = all.reduce((s, c) => s + Math.max(0, c.monetary), 0);
      summary.customerShare = members.length / all.length;
      summary.revenueShare = revenueAll > 0 ? summary.revenue / revenueAll : 0;
    }
    // What a segment buys and where it lives is profiled at training time, for the whole base.
    const profile = isUnfiltered(filter)
      ? this.segmentProfiles().segments.find((p) => p.name.toLowerCase() === lower)
      : undefined;
    return {
      asOf,
      summary,
      members: [...members].sort((a, b) => b.monetary - a.monetary),
      topProducts: profile?.topProducts.map((p) => ({ name: p.name, customers: p.customers })) ?? [],
      topCountries: profile?.topCountries ?? countCountries(members),
    };
  }

  churnOverview(filter: ReportFilter = {}, top = 10): ChurnOverview {
    const { asOf, all } = this.filteredScores(filter);
    const byStage: Record<string, number> = {};
    for (const s of all) byStage[s.stage] = (byStage[s.stage] ?? 0) + 1;
    const expected = all.reduce((s, c) => s + c.churnProbability, 0);
    return {
      asOf,
      filter,
      customers: all.length,
      expectedChurners: expected,
      meanChurnProbability: all.length ? expected / all.length : 0,
      clvAtRisk: all.reduce((s, c) => s + c.churnProbability * clvValue(c), 0),
      byStage,
      top: [...all].sort((a, b) => b.churnProbability - a.churnProbability).slice(0, top),
      probabilities: all.map((s) => s.churnProbability),
    };
  }

  /** Monthly cohorts by first order month: the share ordering again 1..months months later. */
  cohortRetention(months = 6): CohortRetention {
    return this.fresh.get(`cohorts:${months}`, () => {
      const activity = this.store.sales.customerMonths();
      const firstMonth = new Map<number, string>();
      const active = new Map<number, Set<string>>();
      for (const { customerId, month } of activity) {
        if (!firstMonth.has(customerId)) firstMonth.set(customerId, month);
        let set = active.get(customerId);
        if (!set) active.set(customerId, (set = new Set()));
        set.add(month);
      }
      const lastMonth = activity.reduce((m, a) => (a.month > m ? a.month : m), '');
      const cohorts = new Map<string, number[]>();
      for (const [customerId, first] of firstMonth) {
        const list = cohorts.get(first) ?? [];
        list.push(customerId);
        cohorts.set(first, list);
      }
      return {
        asOf: this.referenceDate().toISOString(),
        months,
        cohorts: [...cohorts.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([cohort, members]) => ({
            cohort,
            customers: members.length,
            retained: Array.from({ length: months }, (_, m) => {
              const month = addMonths(cohort, m + 1);
              if (month > lastMonth) return null;
              return members.filter((id) => active.get(id)!.has(month)).length / members.length;
            }),
          })),
      };
    });
  }

  /**
   * Customers worth winning back: in the RFM "At risk" segment or likely to churn, ranked by what
   * is at stake (churn probability x their value). Customers who bought in the last
   * RECENT_BUYER_DAYS are left out and counted: a win-back days after an order is not one.
   */
  atRisk(filter: ReportFilter = {}, limit = 10, minProbability = 0.5): AtRiskList {
    const { asOf, all } = this.filteredScores(filter);
    const candidates = all.filter(
      (s) => s.segment.toLowerCase() === AT_RISK_SEGMENT || s.churnProbability >= minProbability,
    );
    const recent = candidates.filter((s) => s.recencyDays < RECENT_BUYER_DAYS).length;
    const risky = candidates.filter((s) => s.recencyDays >= RECENT_BUYER_DAYS);
    const reliable = this.clvReliability().reliable;
    const stake = (s: StoredScore) => s.churnProbability * valueOf(s, reliable);
    const ranked = [...risky].sort((a, b) => stake(b) - stake(a) || a.customerId - b.customerId);
    return {
      asOf,
      filter,
      total: risky.length,
      recentBuyersLeftOut: recent,
      minProbability,
      valueIsClv: reliable,
      stakeTotal: risky.reduce((sum, s) => sum + stake(s), 0),
      all: ranked,
      top: ranked.slice(0, limit),
    };
  }

  /**
   * Whether the lifetime-value model can be trusted on this shop's data, and why not in words a
   * marketer reads (the model's own warnings are for `model status`).
   */
  clvReliability(): ClvReliability {
    const warnings = this.clvWarnings();
    return { reliable: warnings.length === 0, reason: plainClvWarning(warnings) };
  }

  /** A real customer of this shop to name in examples: the one who spent most (none before training). */
  exampleCustomer(): string | undefined {
    const asOf = this.store.scores.latestAsOf();
    if (!asOf) return undefined;
    const all = this.latestScores().all;
    return all.reduce<StoredScore | undefined>(
      (best, s) => (!best || s.monetary > best.monetary ? s : best),
      undefined,
    )?.externalId;
  }

  /** Product names by code, for answers that mention products by code (rules, rankings). */
  productName(sku: string): string {
    const names = this.fresh.get('productNames', () => {
      const map = new Map<string, string>();
      for (const p of this.store.orders.listProducts()) map.set(p.sku, p.description ?? p.sku);
      return map;
    });
    return names.get(sku) ?? sku;
  }

  clvOverview(filter: ReportFilter = {}, top = 10): ClvOverview {
    const { asOf, all } = this.filteredScores(filter);
    const groups = new Map<string, StoredScore[]>();
    for (const s of all) {
      const members = groups.get(s.segment);
      if (members) members.push(s);
      else groups.set(s.segment, [s]);
    }
    return {
      asOf,
      filter,
      customers: all.length,
      totalClv: all.reduce((s, c) => s + clvValue(c), 0),
      bySegment: [...groups.entries()]
        .map(([name, members]) => {
          const total = members.reduce((s, c) => s + clvValue(c), 0);
          return { name, customers: members.length, totalClv: total, meanClv: total / members.length };
        })
        .sort((a, b) => b.totalClv - a.totalClv),
      top: [...all].sort((a, b) => clvValue(b) - clvValue(a)).slice(0, top),
      warnings: this.clvWarnings().slice(0, 3),
    };
  }

  private clvWarnings(): string[] {
    const run = this.store.runs.latest('clv');
    return (run?.metrics as { warnings?: string[] } | undefined)?.warnings ?? [];
  }

  /** Everything known about one customer, by the shop's id (or the internal id as a fallback). */
  customer(id: string): CustomerReport | undefined {
    const { orders, runs, scores } = this.store;
    const customer =
      orders.customerByExternal(id) ?? (/^\d+$/.test(id) ? orders.customer(Number(id)) : undefined);
    if (!customer) return undefined;
    const s = scores.forCustomer(customer.id);
    if (!s) {
      if (!scores.latestAsOf()) throw new NotTrainedError();
      return undefined;
    }
    const segmentsRun: ModelRun | undefined = runs.latest('segments');
    const descriptions = (segmentsRun?.params as { clusterModel?: { descriptions?: string[] } } | undefined)
      ?.clusterModel?.descriptions;
    const history = scores.stageHistory(customer.id);
    const last = history[history.length - 1];
    return {
      customer: customer.externalId,
      customerId: customer.id,
      country: customer.country,
      asOf: s.asOf,
      recencyDays: s.recencyDays,
      frequency: s.frequency,
      monetary: s.monetary,
      rfmScore: s.rfmScore,
      segment: s.segment,
      cluster: { id: s.cluster, description: descriptions?.[s.cluster] ?? null },
      churn: { probability: s.churnProbability, drivers: s.churnDrivers },
      pAlive: s.pAlive,
      expectedPurchases: s.expectedPurchases,
      clv: s.clv,
      clvWarnings: this.clvWarnings(),
      stage: { current: s.stage, since: last && last.stage === s.stage ? last.changedAt : null, history },
    };
  }

  topProducts(filter: SalesFilter = {}, limit = 10): TopProduct[] {
    // An aggregate over the order lines: recomputed at most once a minute per question.
    const key = JSON.stringify([filter.from, filter.before, filter.country, limit]);
    return this.fresh.get(`topProducts:${key}`, () => this.store.sales.topProducts(filter, limit));
  }

  /** "Frequently bought together" with a product, from association rules mined on all orders. */
  boughtTogether(sku: string, k = 5): AssociationRule[] {
    return completeBasket(this.rules(), [sku], k);
  }

  /** The strongest rules in the shop (by lift, among rules with confidence of at least 30%). */
  strongestRules(k = 5): AssociationRule[] {
    return [...this.rules()].sort((a, b) => b.lift - a.lift || b.confidence - a.confidence).slice(0, k);
  }

  private rules(): AssociationRule[] {
    const fingerprint = this.fresh.get('fingerprint', () => this.store.recsData.dataFingerprint());
    if (this.rulesCache?.fingerprint !== fingerprint) {
      const baskets = basketsFromPurchases(this.store.recsData.purchases(), this.store.recsData.catalogue());
      // Support relative to the number of baskets keeps the same meaning for small and large shops.
      const rules = mineRules(baskets, { minSupport: 0.01, minConfidence: 0.3, maxLength: 3 }).rules;
      this.rulesCache = { fingerprint, rules };
    }
    return this.rulesCache.rules;
  }

  modelStatus(): ModelStatus[] {
    const names = ['segments', 'churn', 'clv', 'recs', 'uplift', 'intents', 'sentiment'];
    return names
      .map((name) => this.store.runs.latest(name))
      .filter((r): r is ModelRun => r !== undefined)
      .map((r) => ({
        model: r.model,
        version: r.version,
        asOf: r.asOf,
        trainedAt: r.trainedAt,
        metrics: r.metrics,
      }));
  }

  feedbackSummary(days = 30): { summary: FeedbackSummary; recentNegative: FeedbackEntry[] } {
    const since = new Date(this.now().getTime() - days * 86_400_000);
    return {
      summary: this.store.feedback.summary(since),
      recentNegative: this.store.feedback.recent(since, 5, 'negative'),
    };
  }

  openHandoffs(limit = 20): Handoff[] {
    return this.store.handoffs.list('open', limit);
  }
}

function isUnfiltered(filter: ReportFilter): boolean {
  return !filter.country && !filter.from && !filter.before;
}

/** Size, revenue and mean R/F/M per group, largest revenue first. */
export function summariseGroups(scores: StoredScore[], groupOf: (s: StoredScore) => string): GroupSummary[] {
  const groups = new Map<string, StoredScore[]>();
  for (const s of scores) {
    const key = groupOf(s);
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  const revenueAll = scores.reduce((s, c) => s + Math.max(0, c.monetary), 0);
  const mean = (xs: StoredScore[], f: (s: StoredScore) => number) =>
    xs.reduce((s, x) => s + f(x), 0) / xs.length;
  return [...groups.entries()]
    .map(([name, members]) => {
      const revenue = members.reduce((s, c) => s + Math.max(0, c.monetary), 0);
      return {
        name,
        customers: members.length,
        customerShare: members.length / scores.length,
        revenue,
        revenueShare: revenueAll > 0 ? revenue / revenueAll : 0,
        meanRecencyDays: mean(members, (s) => s.recencyDays),
        meanFrequency: mean(members, (s) => s.frequency),
        meanMonetary: mean(members, (s) => s.monetary),
      };
    })
    .sort((a, b) => b.revenue - a.revenue);
}

function countCountries(scores: StoredScore[], top = 5): { country: string; customers: number }[] {
  const counts = new Map<string, number>();
  for (const s of scores) if (s.country) counts.set(s.country, (counts.get(s.country) ?? 0) + 1);
  return [...counts.entries()]
    .map(([country, customers]) => ({ country, customers }))
    .sort((a, b) => b.customers - a.customers)
    .slice(0, top);
}

/** "2011-01" plus n months. */
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const total = y * 12 + (m - 1) + n;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`;
}
