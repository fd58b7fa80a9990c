import type { PgDb } from '../statement';
import type { ModelFileRepository } from '../../repositories/modelFiles';

/** Model files in the database, under the names model_runs.artifact_path gives them. */
export class PostgresModelFileRepository implements ModelFileRepository {
  private readonly writeStmt;
  private readonly readStmt;
  private readonly existsStmt;

  constructor(db: PgDb) {
    this.writeStmt = db.prepare(`
      INSERT INTO model_files (path, content, updated_at) VALUES (@path, @content, @now)
      ON CONFLICT (path) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`);
    this.readStmt = db.prepare<{ content: string }>(`SELECT content FROM model_files WHERE path = ?`);
    this.existsStmt = db.prepare(`SELECT 1 FROM model_files WHERE path = ?`);
  }

  write(location: string, content: string): void {
    this.writeStmt.run({ path: location, content, now: new Date().toISOString() });
  }

  read(location: string): string | undefined {
    return this.readStmt.get(location)?.content;
  }

  exists(location: string): boolean {
    return this.existsStmt.get(location) !== undefined;
  }
}
