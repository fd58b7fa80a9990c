/**
 * Per-customer scores (segment, cluster, churn, CLV, stage) as of a date, and the history of
 * lifecycle stage changes. Written by `retain train`, read by reports, the bot and scheduled jobs.
 */
import type { Db } from '../db';
import type { PortableDb, RunInTransaction } from '../portableDb';
import type { PublicApi } from '../publicApi';

export interface NewScore {
  customerId: number;
  recencyDays: number;
  frequency: number;
  monetary: number;
  rfmScore: string;
  segment: string;
  cluster: number;
  churnProbability: number;
  churnDrivers: unknown[];
  pAlive: number;
  expectedPurchases: number;
  clv: number | null;
  stage: string;
}

/** A stored score: what was computed, plus who it is about and as of when. */
export interface StoredScore extends NewScore {
  externalId: string;
  country: string | null;
  asOf: string;
  modelRunId: number | null;
}

export interface StageHistoryEntry {
  stage: string;
  previousStage: string | null;
  changedAt: string;
  asOf: string;
}

export interface ScoreRow {
  customer_id: number;
  external_id: string;
  country: string | null;
  as_of: string;
  model_run_id: number | null;
  recency_days: number;
  frequency: number;
  monetary: number;
  rfm_score: string;
  segment: string;
  cluster: number;
  churn_probability: number;
  churn_drivers_json: string | null;
  p_alive: number;
  expected_purchases: number;
  clv: number | null;
  stage: string;
}

export function toScore(r: ScoreRow): StoredScore {
  return {
    customerId: r.customer_id,
    externalId: r.external_id,
    country: r.country,
    asOf: r.as_of,
    modelRunId: r.model_run_id,
    recencyDays: r.recency_days,
    frequency: r.frequency,
    monetary: r.monetary,
    rfmScore: r.rfm_score,
    segment: r.segment,
    cluster: r.cluster,
    churnProbability: r.churn_probability,
    churnDrivers: r.churn_drivers_json ? JSON.parse(r.churn_drivers_json) : [],
    pAlive: r.p_alive,
    expectedPurchases: r.expected_purchases,
    clv: r.clv,
    stage: r.stage,
  };
}

const SELECT = `SELECT s.*, c.external_id, c.country FROM customer_scores s JOIN customers c ON c.id = s.customer_id`;

/** What the rest of retain sees of the repository (any engine's implementation). */
export type CustomerScoreRepository = PublicApi<SqlCustomerScoreRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, ON CONFLICT for the upsert), so the
 * PostgreSQL store uses this class as it is.
 */
export class SqlCustomerScoreRepository {
  private readonly upsert;
  private readonly latestAsOfStmt;
  private readonly forCustomerStmt;
  private readonly topChurnStmt;
  private readonly allAtStmt;
  private readonly latestStagesStmt;
  private readonly insertStage;
  private readonly historyStmt;

  /**
   * `refreshStatistics`: run after a large write of scores, which reports then read at once, so
   * that those reads are planned on fresh statistics (PostgreSQL: ANALYZE; SQLite: nothing).
   */
  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
    private readonly refreshStatistics: () => void = () => {},
  ) {
    this.upsert = db.prepare(`
      INSERT INTO customer_scores (customer_id, as_of, model_run_id, recency_days, frequency, monetary,
        rfm_score, segment, cluster, churn_probability, churn_drivers_json, p_alive, expected_purchases, clv, stage)
      VALUES (@customerId, @asOf, @modelRunId, @recencyDays, @frequency, @monetary, @rfmScore, @segment, @cluster,
        @churnProbability, @churnDrivers, @pAlive, @expectedPurchases, @clv, @stage)
      ON CONFLICT (customer_id, as_of) DO UPDATE SET model_run_id = excluded.model_run_id,
        recency_days = excluded.recency_days, frequency = excluded.frequency, monetary = excluded.monetary,
        rfm_score = excluded.rfm_score, segment = excluded.segment, cluster = excluded.cluster,
        churn_probability = excluded.churn_probability, churn_drivers_json = excluded.churn_drivers_json,
        p_alive = excluded.p_alive, expected_purchases = excluded.expected_purchases, clv = excluded.clv,
        stage = excluded.stage`);
    this.latestAsOfStmt = db.prepare(`SELECT MAX(as_of) AS "asOf" FROM customer_scores`);
    this.forCustomerStmt = db.prepare(`${SELECT} WHERE s.customer_id = ? ORDER BY s.as_of DESC LIMIT 1`);
    // NULLS LAST: where SQLite puts NULL in descending order anyway (below every value);
    // PostgreSQL would put it first.
    this.topChurnStmt = db.prepare(
      `${SELECT} WHERE s.as_of = ? AND c.forgotten_at IS NULL
        ORDER BY s.churn_probability DESC NULLS LAST, s.clv DESC NULLS LAST, s.customer_id LIMIT ?`,
    );
    this.allAtStmt = db.prepare(`${SELECT} WHERE s.as_of = ? ORDER BY s.customer_id`);
    this.latestStagesStmt = db.prepare(`
      SELECT h.customer_id AS "customerId", h.stage AS stage FROM customer_stage_history h
       WHERE h.id IN (SELECT MAX(id) FROM customer_stage_history GROUP BY customer_id)`);
    this.insertStage = db.prepare(`
      INSERT INTO customer_stage_history (customer_id, stage, previous_stage, changed_at, as_of)
      VALUES (?, ?, ?, ?, ?)`);
    this.historyStmt = db.prepare(`
      SELECT stage, previous_stage AS "previousStage", changed_at AS "changedAt", as_of AS "asOf"
        FROM customer_stage_history WHERE customer_id = ? ORDER BY id`);
  }

  /** Stores one run's scores (replacing scores stored earlier for the same date). */
  saveScores(asOf: string, modelRunId: number | null, scores: NewScore[]): void {
    this.inTransaction(() => {
      for (const s of scores) {
        this.upsert.run({ ...s, asOf, modelRunId, churnDrivers: JSON.stringify(s.churnDrivers) });
      }
      // A run's scores are a large write read at once by reports: plan those reads on fresh statistics.
      if (scores.length >= 100) this.refreshStatistics();
    });
  }

  latestAsOf(): string | null {
    return (this.latestAsOfStmt.get() as { asOf: string | null }).asOf;
  }

  /** The customer's most recent scores. */
  forCustomer(customerId: number): StoredScore | undefined {
    const row = this.forCustomerStmt.get(customerId) as ScoreRow | undefined;
    return row ? toScore(row) : undefined;
  }

  topChurn(asOf: string, limit: number): StoredScore[] {
    return (this.topChurnStmt.all(asOf, limit) as ScoreRow[]).map(toScore);
  }

  allAt(asOf: string): StoredScore[] {
    return (this.allAtStmt.all(asOf) as ScoreRow[]).map(toScore);
  }

  /** The last recorded stage of every customer that has one. */
  latestStages(): Map<number, string> {
    const rows = this.latestStagesStmt.all() as { customerId: number; stage: string }[];
    return new Map(rows.map((r) => [r.customerId, r.stage]));
  }

  recordStageChanges(
    changes: { customerId: number; stage: string; previousStage: string | null }[],
    changedAt: string,
    asOf: string,
  ): void {
    this.inTransaction(() => {
      for (const c of changes) this.insertStage.run(c.customerId, c.stage, c.previousStage, changedAt, asOf);
    });
  }

  stageHistory(customerId: number): StageHistoryEntry[] {
    return this.historyStmt.all(customerId) as StageHistoryEntry[];
  }
}

export class SqliteCustomerScoreRepository extends SqlCustomerScoreRepository {
  constructor(db: Db) {
    super(db, (fn) => db.transaction(fn)());
  }
}
