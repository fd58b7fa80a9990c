/**
 * Everything the dialogs can ask of retain, in one place: reports from the stored analytics,
 * recommendations from the loaded model, and the customer-care records (orders, feedback,
 * hand-offs, opt-outs, erasure). Dialogs call these methods and never see SQL or train models;
 * the composition root builds one Assistant per database.
 */
import type { Db } from '../data/db';
import { OrderHistoryRepository, type CustomerRecord } from '../data/repositories/orderHistory';
import { CustomerScoreRepository, type StoredScore } from '../data/repositories/customerScores';
import { ModelRunRepository, type ModelRun } from '../data/repositories/modelRuns';
import {
  CustomerOrdersRepository,
  type OrderSummary,
  type OrderLineSummary,
} from '../data/repositories/customerOrders';
import {
  SalesInsightsRepository,
  type SalesFilter,
  type TopProduct,
} from '../data/repositories/salesInsights';
import { FeedbackRepository, type FeedbackEntry, type FeedbackSummary } from '../data/repositories/feedback';
import { HandoffRepository, type Handoff } from '../data/repositories/handoffs';
import { OptOutRepository } from '../data/repositories/optOuts';
import { ErasureRepository, type ErasureResult } from '../data/repositories/erasure';
import { ChatIdentityRepository, type ChatIdentity } from '../data/repositories/chatIdentities';
import { AuditLogRepository } from '../data/repositories/auditLog';
import { RecsDataRepository } from '../data/repositories/recsData';
import { OutboxRepository } from '../data/repositories/outbox';
import {
  customerReport,
  segmentReport,
  NotTrainedError,
  type CustomerReport,
  type SegmentReport,
} from '../analytics/store';
import type { SegmentProfile } from '../analytics/segments/profiles';
import { defaultAsOf } from '../analytics/asOf';
import { DEFAULT_SEGMENT_RULES } from '../analytics/rfm/rfm';
import { STAGES } from '../analytics/stage/stage';
import {
  recommend,
  similarItems,
  type RecsModel,
  type RecommendResult,
  type SimilarItem,
} from '../analytics/recs';
import { mineRules, completeBasket, type AssociationRule } from '../analytics/rules/associationRules';
import { basketsFromPurchases } from '../analytics/rules/orderBaskets';
import type { Gazetteer } from '../nlp/entities/extract';
import type { SentimentResult } from '../nlp/sentiment/model';
import type { CampaignService } from './marketer/campaignService';
import { shopGazetteer } from './gazetteer';
import { answerFaq, type FaqEntry, type FaqTopic } from './faq';

export { NotTrainedError };

export interface AssistantOptions {
  faq: FaqEntry[];
  /** Days a customer who complained is left out of promotions. */
  complaintQuietDays: number;
  /** The recommender, once loaded (null while it is not available). */
  recsModel: () => RecsModel | null;
  /** The campaign engine (null where it is not set up). */
  campaigns?: CampaignService | null;
  now?: () => Date;
}

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

export interface ModelStatus {
  model: string;
  version: string;
  asOf: string | null;
  trainedAt: string;
  metrics: Record<string, unknown>;
}

export type VerifyResult = { linked: ChatIdentity } | { failure: 'no_match' | 'no_email_on_file' };

/**
 * A message a person would read as clearly unhappy: the model is confident of it and the words
 * themselves are negative. The model alone, trained on reviews, also frowns at plain questions
 * ("show me the churn report"), and an apology to a question is its own kind of bad service.
 */
export function isClearlyNegative(sentiment: SentimentResult): boolean {
  return sentiment.score <= -0.6 && sentiment.lexicon < 0;
}

export class Assistant {
  private readonly orders: OrderHistoryRepository;
  private readonly scores: CustomerScoreRepository;
  private readonly runs: ModelRunRepository;
  private readonly customerOrders: CustomerOrdersRepository;
  private readonly sales: SalesInsightsRepository;
  readonly feedback: FeedbackRepository;
  readonly handoffs: HandoffRepository;
  private readonly optOuts: OptOutRepository;
  private readonly erasure: ErasureRepository;
  private readonly identities: ChatIdentityRepository;
  private readonly audit: AuditLogRepository;
  private readonly recsData: RecsDataRepository;
  private readonly outbox: OutboxRepository;
  private readonly now: () => Date;
  /** Scores of the latest as-of date, read once per training run rather than per message. */
  private scoresCache: { asOf: string; all: StoredScore[] } | null = null;
  private readonly minuteCache = new Map<string, { at: number; value: unknown }>();
  private rulesCache: { fingerprint: string; rules: AssociationRule[] } | null = null;

  constructor(
    private readonly db: Db,
    private readonly options: AssistantOptions,
  ) {
    this.orders = new OrderHistoryRepository(db);
    this.scores = new CustomerScoreRepository(db);
    this.runs = new ModelRunRepository(db);
    this.customerOrders = new CustomerOrdersRepository(db);
    this.sales = new SalesInsightsRepository(db);
    this.feedback = new FeedbackRepository(db);
    this.handoffs = new HandoffRepository(db);
    this.optOuts = new OptOutRepository(db);
    this.erasure = new ErasureRepository(db);
    this.identities = new ChatIdentityRepository(db);
    this.audit = new AuditLogRepository(db);
    this.recsData = new RecsDataRepository(db);
    this.outbox = new OutboxRepository(db);
    this.now = options.now ?? (() => new Date());
  }

  // ---------------------------------------------------------------------------------------------
  // What the language model should recognise

  /** Segment names, countries, customer ids and products of this shop, for entity extraction. */
  gazetteer(): Gazetteer {
    return {
      ...shopGazetteer(this.orders),
      // Lifecycle stages a marketer names like segments; "at risk" is already an RFM segment name.
      segments: [...DEFAULT_SEGMENT_RULES.map((r) => r.name), ...STAGES.filter((s) => s === 'lapsed')],
    };
  }

  /**
   * "Today" for relative dates in marketers' questions: the day after the newest order, so that
   * "last month" means the last month of data even when the data is a historical export.
   */
  referenceDate(): Date {
    // Counting the order history is too slow for every message; a minute-old answer is fine.
    return this.fresh('referenceDate', () => {
      const last = this.orders.dataExtent().lastOrderAt;
      return last ? defaultAsOf(last) : this.now();
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Marketer reports

  private latestScores(): { asOf: string; all: StoredScore[] } {
    const asOf = this.scores.latestAsOf();
    if (!asOf) throw new NotTrainedError();
    if (this.scoresCache?.asOf !== asOf) this.scoresCache = { asOf, all: this.scores.allAt(asOf) };
    return this.scoresCache;
  }

  /** Scores of the customers the filter selects (country; a purchase inside the time range). */
  private filteredScores(filter: ReportFilter): { asOf: string; all: StoredScore[] } {
    const { asOf, all } = this.latestScores();
    let selected = filter.country ? all.filter((s) => s.country === filter.country) : all;
    if (filter.from || filter.before) {
      const active = this.sales.activeCustomers(filter);
      selected = selected.filter((s) => active.has(s.customerId));
    }
    return { asOf, all: selected };
  }

  segmentOverview(filter: ReportFilter = {}): SegmentOverview {
    const { asOf, all } = this.filteredScores(filter);
    const unfiltered = !filter.country && !filter.from && !filter.before;
    let clusters: SegmentOverview['clusters'] = [];
    if (unfiltered) {
      const stored: SegmentReport = segmentReport(this.db);
      clusters = stored.clusters.map((c) => ({ name: c.name, customers: c.customers }));
    }
    return {
      asOf,
      filter,
      customers: all.length,
      segments: summariseGroups(all, (s) => s.segment),
      clusters,
    };
  }

  /** One segment (or lifecycle stage, e.g. "at risk"), with its most valuable customers. */
  segmentDetail(name: string, filter: ReportFilter = {}): SegmentDetail {
    const { asOf, all } = this.filteredScores(filter);
    const lower = name.toLowerCase();
    const members = all.filter((s) => s.segment.toLowerCase() === lower || s.stage === lower);
    const summary = members.length ? summariseGroups(members, () => name)[0] : null;
    if (summary) {
      const revenueAll = all.reduce((s, c) => s + Math.max(0, c.monetary), 0);
      summary.customerShare = members.length / all.length;
      summary.revenueShare = revenueAll > 0 ? summary.revenue / revenueAll : 0;
    }
    // What a segment buys and where it lives is profiled at training time, for the whole base.
    const unfiltered = !filter.country && !filter.from && !filter.before;
    const profile = unfiltered
      ? segmentReport(this.db).segments.find((p) => p.name.toLowerCase() === lower)
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
      clvAtRisk: all.reduce((s, c) => s + c.churnProbability * Math.max(0, c.clv ?? 0), 0),
      byStage,
      top: [...all].sort((a, b) => b.churnProbability - a.churnProbability).slice(0, top),
      probabilities: all.map((s) => s.churnProbability),
    };
  }

  /** Monthly cohorts by first order month: the share ordering again 1..months months later. */
  cohortRetention(months = 6): CohortRetention {
    return this.fresh(`cohorts:${months}`, () => {
      const activity = this.sales.customerMonths();
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
   * Customers worth winning back: in the at-risk stage, or likely to churn, ranked by the value
   * that churn would lose (probability x lifetime value, spend when CLV is unknown).
   */
  atRisk(
    filter: ReportFilter = {},
    limit = 10,
    minProbability = 0.5,
  ): { asOf: string; total: number; top: StoredScore[] } {
    const { asOf, all } = this.filteredScores(filter);
    const risky = all.filter((s) => s.stage === 'at risk' || s.churnProbability >= minProbability);
    const value = (s: StoredScore) => s.churnProbability * Math.max(0, s.clv ?? s.monetary);
    return { asOf, total: risky.length, top: [...risky].sort((a, b) => value(b) - value(a)).slice(0, limit) };
  }

  clvOverview(filter: ReportFilter = {}, top = 10): ClvOverview {
    const { asOf, all } = this.filteredScores(filter);
    const groups = new Map<string, StoredScore[]>();
    for (const s of all) {
      const members = groups.get(s.segment);
      if (members) members.push(s);
      else groups.set(s.segment, [s]);
    }
    const clvOf = (s: StoredScore) => Math.max(0, s.clv ?? 0);
    const clvRun = this.runs.latest('clv');
    return {
      asOf,
      filter,
      customers: all.length,
      totalClv: all.reduce((s, c) => s + clvOf(c), 0),
      bySegment: [...groups.entries()]
        .map(([name, members]) => {
          const total = members.reduce((s, c) => s + clvOf(c), 0);
          return { name, customers: members.length, totalClv: total, meanClv: total / members.length };
        })
        .sort((a, b) => b.totalClv - a.totalClv),
      top: [...all].sort((a, b) => clvOf(b) - clvOf(a)).slice(0, top),
      warnings: ((clvRun?.metrics as { warnings?: string[] } | undefined)?.warnings ?? []).slice(0, 3),
    };
  }

  customer360(externalId: string): {
    report: CustomerReport;
    orders: OrderSummary[];
    recommendations: RecommendResult | null;
  } | null {
    const report = customerReport(this.db, externalId);
    if (!report) return null;
    const model = this.options.recsModel();
    return {
      report,
      orders: this.customerOrders.recent(report.customerId, 5),
      recommendations: model ? recommend(model, report.customer, { k: 3 }) : null,
    };
  }

  topProducts(filter: SalesFilter = {}, limit = 10): TopProduct[] {
    // An aggregate over the order lines: recomputed at most once a minute per question.
    const key = JSON.stringify([filter.from, filter.before, filter.country, limit]);
    return this.fresh(`topProducts:${key}`, () => this.sales.topProducts(filter, limit));
  }

  /** A value computed at most once per minute (reports may lag new orders by that much). */
  private fresh<T>(key: string, compute: () => T): T {
    const now = this.now().getTime();
    const hit = this.minuteCache.get(key);
    if (hit && now - hit.at < 60_000) return hit.value as T;
    if (this.minuteCache.size > 1000) this.minuteCache.clear();
    const value = compute();
    this.minuteCache.set(key, { at: now, value });
    return value;
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
    const fingerprint = this.fresh('fingerprint', () => this.recsData.dataFingerprint());
    if (this.rulesCache?.fingerprint !== fingerprint) {
      const baskets = basketsFromPurchases(this.recsData.purchases(), this.recsData.catalogue());
      // Support relative to the number of baskets keeps the same meaning for small and large shops.
      const rules = mineRules(baskets, { minSupport: 0.01, minConfidence: 0.3, maxLength: 3 }).rules;
      this.rulesCache = { fingerprint, rules };
    }
    return this.rulesCache.rules;
  }

  modelStatus(): ModelStatus[] {
    const names = ['segments', 'churn', 'clv', 'recs', 'intents', 'sentiment'];
    return names
      .map((name) => this.runs.latest(name))
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
      summary: this.feedback.summary(since),
      recentNegative: this.feedback.recent(since, 5, 'negative'),
    };
  }

  openHandoffs(limit = 20): Handoff[] {
    return this.handoffs.list('open', limit);
  }

  // ---------------------------------------------------------------------------------------------
  // Customers

  customerRecord(customerId: number): CustomerRecord | undefined {
    return this.orders.customer(customerId);
  }

  customerRecordByExternalId(externalId: string): CustomerRecord | undefined {
    return this.orders.customerByExternal(externalId);
  }

  /**
   * Failed verifications of a chat user in the last day. Counted from the audit log, so neither a
   * restart nor a new conversation resets the limit (it would otherwise allow guessing emails).
   */
  recentVerifyFailures(identityId: number): number {
    const since = new Date(this.now().getTime() - 86_400_000);
    return this.audit.count(`chat_identity:${identityId}`, 'verify_failed', since);
  }

  /** Links a chat user to a customer after checking an order number and the email on file. */
  verifyAndLink(identityId: number, invoice: string, email: string): VerifyResult {
    const result = this.customerOrders.verify(invoice, email);
    if ('failure' in result) {
      this.audit.write(`chat_identity:${identityId}`, 'verify_failed', null, { reason: result.failure });
      return result;
    }
    const linked = this.identities.linkCustomer(identityId, result.customerId, this.now());
    if (!linked) return { failure: 'no_match' };
    this.audit.write(`chat_identity:${identityId}`, 'customer_linked', `customer:${result.customerId}`, {
      by: 'order_and_email',
    });
    return { linked };
  }

  recommendationsFor(
    customer: CustomerRecord | undefined,
    options: { k?: number; minPrice?: number; maxPrice?: number } = {},
  ): RecommendResult | null {
    const model = this.options.recsModel();
    if (!model) return null;
    // Unknown visitors get the cold-start answer (popular and trending products).
    return recommend(model, customer?.externalId ?? '', {
      k: options.k ?? 5,
      minPrice: options.minPrice,
      maxPrice: options.maxPrice,
      country: customer?.country ?? null,
    });
  }

  similar(sku: string, k = 5): SimilarItem[] | null {
    const model = this.options.recsModel();
    return model ? similarItems(model, sku, k) : null;
  }

  recentOrders(customerId: number, limit = 3): OrderSummary[] {
    return this.customerOrders.recent(customerId, limit);
  }

  ownOrder(customerId: number, invoice: string): { order: OrderSummary; lines: OrderLineSummary[] } | null {
    const order = this.customerOrders.ownOrder(customerId, invoice);
    return order ? { order, lines: this.customerOrders.ownOrderLines(customerId, invoice) } : null;
  }

  faq(topics: FaqTopic[], text: string): FaqEntry[] {
    return answerFaq(this.options.faq, topics, text);
  }

  recordFeedback(identity: ChatIdentity | undefined, text: string, sentiment: SentimentResult): number {
    return this.feedback.record({
      customerId: identity?.customerId ?? null,
      chatIdentityId: identity?.id ?? null,
      text: text.slice(0, 2000),
      sentimentScore: sentiment.score,
      sentimentLabel: sentiment.label,
    });
  }

  get campaigns(): CampaignService | null {
    return this.options.campaigns ?? null;
  }

  get complaintQuietDays(): number {
    return this.options.complaintQuietDays;
  }

  requestPerson(identity: ChatIdentity | undefined, reason: string): { id: number; created: boolean } {
    return this.handoffs.open(identity?.id ?? null, identity?.customerId ?? null, reason, this.now());
  }

  /** Returns false when the customer was already opted out. */
  optOut(customerId: number, channel: string | null = null): boolean {
    const changed = this.optOuts.optOut(customerId, 'customer said stop in chat', channel, this.now());
    if (changed) {
      // Queued messages show as skipped at once (the sender would skip them anyway).
      this.outbox.skipPendingFor(customerId, 'opted_out', this.now());
      this.audit.write(`customer:${customerId}`, 'opt_out', `customer:${customerId}`, { channel });
    }
    return changed;
  }

  isOptedOut(customerId: number): boolean {
    return this.optOuts.isOptedOut(customerId);
  }

  resubscribe(customerId: number): boolean {
    const changed = this.optOuts.resubscribe(customerId, this.now());
    if (changed) this.audit.write(`customer:${customerId}`, 'resubscribe', `customer:${customerId}`);
    return changed;
  }

  forget(identityId: number): ErasureResult {
    this.scoresCache = null;
    return this.erasure.forgetIdentity(identityId, this.now());
  }

  /** Marketers' actions that change things are written to the audit log. */
  recordMarketerAction(
    identity: ChatIdentity | undefined,
    action: string,
    subject: string,
    details = {},
  ): void {
    this.audit.write(`marketer:${identity?.id ?? 'unknown'}`, action, subject, details, this.now());
  }
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
