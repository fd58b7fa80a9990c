/**
 * Conversation and user state of the bot (botbuilder Storage semantics: items with an eTag for
 * optimistic concurrency). The bot/ layer adapts this to the SDK's Storage interface.
 */
import type { Db } from '../db';
import type { PortableDb, RunInTransaction } from '../portableDb';
import type { PublicApi } from '../publicApi';

export interface StoredStateItem {
  key: string;
  etag: string;
  valueJson: string;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type BotStateRepository = PublicApi<SqlBotStateRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted), so the PostgreSQL store uses this
 * class as it is. State is shared by every instance on the database: a conditional write is one
 * statement (on PostgreSQL the row is locked while its eTag is compared), so two instances writing
 * the same conversation cannot both win, exactly as two writers on one SQLite file cannot.
 */
export class SqlBotStateRepository {
  private readonly getStmt;
  private readonly putStmt;
  private readonly putIfStmt;
  private readonly deleteStmt;

  constructor(
    db: PortableDb,
    private readonly inTransaction: RunInTransaction,
  ) {
    this.getStmt = db.prepare(`SELECT key, etag, value_json AS "valueJson" FROM bot_state WHERE key = ?`);
    this.putStmt = db.prepare(`
      INSERT INTO bot_state (key, etag, value_json, updated_at) VALUES (@key, @etag, @valueJson, @now)
      ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, value_json = excluded.value_json,
                                      updated_at = excluded.updated_at`);
    // Writes only when the stored eTag is the one the caller read (or there is no row yet).
    this.putIfStmt = db.prepare(`
      INSERT INTO bot_state (key, etag, value_json, updated_at) VALUES (@key, @etag, @valueJson, @now)
      ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, value_json = excluded.value_json,
                                      updated_at = excluded.updated_at
       WHERE bot_state.etag = @expectedEtag`);
    this.deleteStmt = db.prepare(`DELETE FROM bot_state WHERE key = ?`);
  }

  read(keys: string[]): StoredStateItem[] {
    return keys.map((k) => this.getStmt.get(k) as StoredStateItem | undefined).filter((x) => x !== undefined);
  }

  /**
   * Writes every item in one transaction. An item with `expectedEtag` is written only if the stored
   * eTag still matches; on the first mismatch nothing is written and the conflicting key is returned.
   */
  writeAll(
    items: Array<{ key: string; etag: string; valueJson: string; expectedEtag?: string }>,
    now = new Date(),
  ): { conflict?: string } {
    const at = now.toISOString();
    let conflict: string | undefined;
    try {
      this.inTransaction(() => {
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
    this.inTransaction(() => keys.forEach((k) => this.deleteStmt.run(k)));
  }
}

export class SqliteBotStateRepository extends SqlBotStateRepository {
  constructor(db: Db) {
    super(db, (fn) => db.transaction(fn)());
  }
}

class EtagConflict extends Error {}
