import type { PgDb } from '../statement';
import {
  toScore,
  type CustomerScoreRepository,
  type NewScore,
  type ScoreRow,
  type StageHistoryEntry,
  type StoredScore,
} from '../../repositories/customerScores';

const SELECT = `SELECT s.*, c.external_id, c.country FROM customer_scores s JOIN customers c ON c.id = s.customer_id`;

export class PostgresCustomerScoreRepository implements CustomerScoreRepository {
  private readonly upsert;
  private readonly latestAsOfStmt;
  private readonly forCustomerStmt;
  private readonly topChurnStmt;
  private readonly allAtStmt;
  private readonly latestStagesStmt;
  private readonly insertStage;
  private readonly historyStmt;

  constructor(private readonly db: PgDb) {
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
    this.latestAsOfStmt = db.prepare<{ asOf: string | null }>(
      `SELECT MAX(as_of) AS "asOf" FROM customer_scores`,
    );
    this.forCustomerStmt = db.prepare<ScoreRow>(
      `${SELECT} WHERE s.customer_id = ? ORDER BY s.as_of DESC LIMIT 1`,
    );
    // SQLite sorts NULL below every value: last in descending order.
    this.topChurnStmt = db.prepare<ScoreRow>(
      `${SELECT} WHERE s.as_of = ? AND c.forgotten_at IS NULL
        ORDER BY s.churn_probability DESC NULLS LAST, s.clv DESC NULLS LAST, s.customer_id LIMIT ?`,
    );
    this.allAtStmt = db.prepare<ScoreRow>(`${SELECT} WHERE s.as_of = ? ORDER BY s.customer_id`);
    this.latestStagesStmt = db.prepare<{ customerId: number; stage: string }>(`
      SELECT DISTINCT ON (customer_id) customer_id AS "customerId", stage FROM customer_stage_history
       ORDER BY customer_id, id DESC`);
    this.insertStage = db.prepare(`
      INSERT INTO customer_stage_history (customer_id, stage, previous_stage, changed_at, as_of)
      VALUES (?, ?, ?, ?, ?)`);
    this.historyStmt = db.prepare<StageHistoryEntry>(`
      SELECT stage, previous_stage AS "previousStage", changed_at AS "changedAt", as_of AS "asOf"
        FROM customer_stage_history WHERE customer_id = ? ORDER BY id`);
  }

  saveScores(asOf: string, modelRunId: number | null, scores: NewScore[]): void {
    this.db.transaction(() => {
      for (const s of scores) {
        this.upsert.run({ ...s, asOf, modelRunId, churnDrivers: JSON.stringify(s.churnDrivers) });
      }
      // A run's scores are a large write read at once by reports: plan those reads on fresh statistics.
      if (scores.length >= 100) this.db.exec('ANALYZE customer_scores');
    });
  }

  latestAsOf(): string | null {
    return this.latestAsOfStmt.get()!.asOf;
  }

  forCustomer(customerId: number): StoredScore | undefined {
    const row = this.forCustomerStmt.get(customerId);
    return row ? toScore(row) : undefined;
  }

  topChurn(asOf: string, limit: number): StoredScore[] {
    return this.topChurnStmt.all(asOf, limit).map(toScore);
  }

  allAt(asOf: string): StoredScore[] {
    return this.allAtStmt.all(asOf).map(toScore);
  }

  latestStages(): Map<number, string> {
    return new Map(this.latestStagesStmt.all().map((r) => [r.customerId, r.stage]));
  }

  recordStageChanges(
    changes: { customerId: number; stage: string; previousStage: string | null }[],
    changedAt: string,
    asOf: string,
  ): void {
    this.db.transaction(() => {
      for (const c of changes) this.insertStage.run(c.customerId, c.stage, c.previousStage, changedAt, asOf);
    });
  }

  stageHistory(customerId: number): StageHistoryEntry[] {
    return this.historyStmt.all(customerId);
  }
}
