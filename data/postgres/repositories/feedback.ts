import type { PgDb } from '../statement';
import type {
  BotFeedbackEntry,
  FeedbackEntry,
  FeedbackLabel,
  FeedbackRepository,
  FeedbackSummary,
  NewBotFeedback,
  NewFeedback,
} from '../../repositories/feedback';

const COLUMNS = `id, customer_id AS "customerId", chat_identity_id AS "chatIdentityId", text,
  sentiment_score AS "sentimentScore", sentiment_label AS "sentimentLabel", created_at AS "createdAt"`;

export class PostgresFeedbackRepository implements FeedbackRepository {
  private readonly insertStmt;
  private readonly lastNegativeStmt;
  private readonly summaryStmt;
  private readonly recentStmt;
  private readonly insertBotStmt;
  private readonly recentBotStmt;

  constructor(db: PgDb) {
    this.insertStmt = db.prepare<{ id: number }>(`
      INSERT INTO feedback (customer_id, chat_identity_id, text, sentiment_score, sentiment_label, created_at)
      VALUES (@customerId, @chatIdentityId, @text, @sentimentScore, @sentimentLabel, @createdAt)
      RETURNING id`);
    this.lastNegativeStmt = db.prepare<{ at: string | null }>(
      `SELECT MAX(created_at) AS at FROM feedback WHERE customer_id = ? AND sentiment_label = 'negative'`,
    );
    this.summaryStmt = db.prepare<{ label: FeedbackLabel; n: number; total: number }>(`
      SELECT sentiment_label AS label, COUNT(*) AS n, AVG(sentiment_score) AS mean, SUM(sentiment_score) AS total
        FROM feedback WHERE created_at >= ? GROUP BY sentiment_label`);
    this.recentStmt = db.prepare<FeedbackEntry>(`
      SELECT ${COLUMNS} FROM feedback
       WHERE created_at >= @since AND (@label::text IS NULL OR sentiment_label = @label::text)
       ORDER BY created_at DESC, id DESC LIMIT @limit`);
    this.insertBotStmt = db.prepare<{ id: number }>(`
      INSERT INTO bot_feedback (chat_identity_id, text, sentiment_score, sentiment_label, created_at)
      VALUES (@chatIdentityId, @text, @sentimentScore, @sentimentLabel, @createdAt)
      RETURNING id`);
    this.recentBotStmt = db.prepare<BotFeedbackEntry>(`
      SELECT id, chat_identity_id AS "chatIdentityId", text, sentiment_score AS "sentimentScore",
             sentiment_label AS "sentimentLabel", created_at AS "createdAt"
        FROM bot_feedback WHERE created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?`);
  }

  record(entry: NewFeedback, at = new Date()): number {
    return this.insertStmt.get({ ...entry, createdAt: at.toISOString() })!.id;
  }

  lastNegativeAt(customerId: number): string | null {
    return this.lastNegativeStmt.get(customerId)!.at;
  }

  summary(since: Date): FeedbackSummary {
    const byLabel: Record<FeedbackLabel, number> = { positive: 0, neutral: 0, negative: 0 };
    let total = 0;
    let sum = 0;
    for (const r of this.summaryStmt.all(since.toISOString())) {
      byLabel[r.label] = r.n;
      total += r.n;
      sum += r.total;
    }
    return { since: since.toISOString(), total, byLabel, meanScore: total ? sum / total : null };
  }

  recent(since: Date, limit = 10, label: FeedbackLabel | null = null): FeedbackEntry[] {
    return this.recentStmt.all({ since: since.toISOString(), label, limit });
  }

  recordAboutBot(entry: NewBotFeedback, at = new Date()): number {
    return this.insertBotStmt.get({ ...entry, createdAt: at.toISOString() })!.id;
  }

  recentAboutBot(since: Date, limit = 10): BotFeedbackEntry[] {
    return this.recentBotStmt.all(since.toISOString(), limit);
  }
}
