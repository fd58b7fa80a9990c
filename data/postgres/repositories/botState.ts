import type { PgDb } from '../statement';
import type { BotStateRepository, StoredStateItem } from '../../repositories/botState';

/**
 * Conversation state shared by every instance: a conditional write is one statement (the row is
 * locked while its eTag is compared), so two instances writing the same conversation cannot both
 * win, exactly as two writers on one SQLite file cannot.
 */
export class PostgresBotStateRepository implements BotStateRepository {
  private readonly getStmt;
  private readonly putStmt;
  private readonly putIfStmt;
  private readonly deleteStmt;

  constructor(private readonly db: PgDb) {
    this.getStmt = db.prepare<StoredStateItem>(
      `SELECT key, etag, value_json AS "valueJson" FROM bot_state WHERE key = ?`,
    );
    this.putStmt = db.prepare(`
      INSERT INTO bot_state (key, etag, value_json, updated_at) VALUES (@key, @etag, @valueJson, @now)
      ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, value_json = excluded.value_json,
                                      updated_at = excluded.updated_at`);
    this.putIfStmt = db.prepare(`
      INSERT INTO bot_state (key, etag, value_json, updated_at) VALUES (@key, @etag, @valueJson, @now)
      ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, value_json = excluded.value_json,
                                      updated_at = excluded.updated_at
       WHERE bot_state.etag = @expectedEtag`);
    this.deleteStmt = db.prepare(`DELETE FROM bot_state WHERE key = ?`);
  }

  read(keys: string[]): StoredStateItem[] {
    return keys.map((k) => this.getStmt.get(k)).filter((x) => x !== undefined);
  }

  writeAll(
    items: Array<{ key: string; etag: string; valueJson: string; expectedEtag?: string }>,
    now = new Date(),
  ): { conflict?: string } {
    const at = now.toISOString();
    let conflict: string | undefined;
    try {
      this.db.transaction(() => {
        for (const item of items) {
          const params = { key: item.key, etag: item.etag, valueJson: item.valueJson, now: at };
          if (item.expectedEtag === undefined) this.putStmt.run(params);
          else if (this.putIfStmt.run({ ...params, expectedEtag: item.expectedEtag }).changes === 0) {
            conflict = item.key;
            throw new EtagConflict();
          }
        }
      });
    } catch (err) {
      if (!(err instanceof EtagConflict)) throw err;
    }
    return conflict ? { conflict } : {};
  }

  delete(keys: string[]): void {
    this.db.transaction(() => keys.forEach((k) => this.deleteStmt.run(k)));
  }
}

class EtagConflict extends Error {}
