/**
 * What customers tell the shop, with the sentiment the language model gave it: stored for
 * marketers' summaries, and read by the promotion rules (a customer who just complained is not
 * sent offers for a while). What marketers say about retain itself is kept apart (bot feedback):
 * it is neither a customer's complaint nor part of the customer feedback summary.
 */
import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { PublicApi } from '../publicApi';

export type FeedbackLabel = 'positive' | 'neutral' | 'negative';

export interface NewFeedback {
  customerId: number | null;
  chatIdentityId: number | null;
  text: string;
  sentimentScore: number;
  sentimentLabel: FeedbackLabel;
}

export interface NewBotFeedback {
  chatIdentityId: number | null;
  text: string;
  sentimentScore: number;
  sentimentLabel: FeedbackLabel;
}

export interface BotFeedbackEntry extends NewBotFeedback {
  id: number;
  createdAt: string;
}

export interface FeedbackEntry extends NewFeedback {
  id: number;
  createdAt: string;
}

export interface FeedbackSummary {
  since: string;
  total: number;
  byLabel: Record<FeedbackLabel, number>;
  meanScore: number | null;
}

const COLUMNS = `id, customer_id AS "customerId", chat_identity_id AS "chatIdentityId", text,
  sentiment_score AS "sentimentScore", sentiment_label AS "sentimentLabel", created_at AS "createdAt"`;

/** What the rest of retain sees of the repository (any engine's implementation). */
export type FeedbackRepository = PublicApi<SqlFeedbackRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, the label cast where PostgreSQL
 * cannot infer its type), so the PostgreSQL store uses this class as it is.
 */
export class SqlFeedbackRepository {
  private readonly insertStmt;
  private readonly lastNegativeStmt;
  private readonly summaryStmt;
  private readonly recentStmt;
  private readonly insertBotStmt;
  private readonly recentBotStmt;

  constructor(db: PortableDb) {
    this.insertStmt = db.prepare(`
      INSERT INTO feedback (customer_id, chat_identity_id, text, sentiment_score, sentiment_label, created_at)
      VALUES (@customerId, @chatIdentityId, @text, @sentimentScore, @sentimentLabel, @createdAt)
      RETURNING id`);
    this.lastNegativeStmt = db.prepare(
      `SELECT MAX(created_at) AS at FROM feedback WHERE customer_id = ? AND sentiment_label = 'negative'`,
    );
    this.summaryStmt = db.prepare(`
      SELECT sentiment_label AS label, COUNT(*) AS n, AVG(sentiment_score) AS mean, SUM(sentiment_score) AS total
        FROM feedback WHERE created_at >= ? GROUP BY sentiment_label`);
    this.recentStmt = db.prepare(`
      SELECT ${COLUMNS} FROM feedback
       WHERE created_at >= @since AND (CAST(@label AS TEXT) IS NULL OR sentiment_label = CAST(@label AS TEXT))
       ORDER BY created_at DESC, id DESC LIMIT @limit`);
    this.insertBotStmt = db.prepare(`
      INSERT INTO bot_feedback (chat_identity_id, text, sentiment_score, sentiment_label, created_at)
      VALUES (@chatIdentityId, @text, @sentimentScore, @sentimentLabel, @createdAt)
      RETURNING id`);
    this.recentBotStmt = db.prepare(`
      SELECT id, chat_identity_id AS "chatIdentityId", text, sentiment_score AS "sentimentScore",
             sentiment_label AS "sentimentLabel", created_at AS "createdAt"
        FROM bot_feedback WHERE created_at >= ? ORDER BY created_at DESC, id DESC LIMIT ?`);
  }

  record(entry: NewFeedback, at = new Date()): number {
    return (this.insertStmt.get({ ...entry, createdAt: at.toISOString() }) as { id: number }).id;
  }

  /** When the customer last said something clearly negative (null: never). */
  lastNegativeAt(customerId: number): string | null {
    return (this.lastNegativeStmt.get(customerId) as { at: string | null }).at;
  }

  summary(since: Date): FeedbackSummary {
    const rows = this.summaryStmt.all(since.toISOString()) as Array<{
      label: FeedbackLabel;
      n: number;
      total: number;
    }>;
    const byLabel: Record<FeedbackLabel, number> = { positive: 0, neutral: 0, negative: 0 };
    let total = 0;
    let sum = 0;
    for (const r of rows) {
      byLabel[r.label] = r.n;
      total += r.n;
      sum += r.total;
    }
    return { since: since.toISOString(), total, byLabel, meanScore: total ? sum / total : null };
  }

  recent(since: Date, limit = 10, label: FeedbackLabel | null = null): FeedbackEntry[] {
    return this.recentStmt.all({ since: since.toISOString(), label, limit }) as FeedbackEntry[];
  }

  /** Feedback about retain itself (from marketers), kept apart from customers' feedback. */
  recordAboutBot(entry: NewBotFeedback, at = new Date()): number {
    return (this.insertBotStmt.get({ ...entry, createdAt: at.toISOString() }) as { id: number }).id;
  }

  recentAboutBot(since: Date, limit = 10): BotFeedbackEntry[] {
    return this.recentBotStmt.all(since.toISOString(), limit) as BotFeedbackEntry[];
  }
}

export class SqliteFeedbackRepository extends SqlFeedbackRepository {
  constructor(db: Db) {
    super(db);
  }
}
