import type { PgDb } from '../statement';
import {
  toRun,
  type ModelRun,
  type ModelRunRepository,
  type ModelRunRow,
  type NewModelRun,
} from '../../repositories/modelRuns';

export class PostgresModelRunRepository implements ModelRunRepository {
  private readonly insert;
  private readonly latestStmt;
  private readonly allStmt;
  private readonly newestIdStmt;

  constructor(db: PgDb) {
    this.insert = db.prepare<ModelRunRow>(`
      INSERT INTO model_runs (model, version, as_of, trained_at, params_json, metrics_json, artifact_path, data_fingerprint)
      VALUES (@model, @version, @asOf, @trainedAt, @params, @metrics, @artifactPath, @dataFingerprint)
      RETURNING *`);
    this.latestStmt = db.prepare<ModelRunRow>(
      `SELECT * FROM model_runs WHERE model = ? ORDER BY trained_at DESC, id DESC LIMIT 1`,
    );
    this.allStmt = db.prepare<ModelRunRow>(`SELECT * FROM model_runs ORDER BY trained_at DESC, id DESC`);
    this.newestIdStmt = db.prepare<{ id: number | null }>(`SELECT MAX(id) AS id FROM model_runs`);
  }

  record(run: NewModelRun): ModelRun {
    const asOf = run.asOf instanceof Date ? run.asOf.toISOString() : (run.asOf ?? null);
    return toRun(
      this.insert.get({
        model: run.model,
        version: run.version,
        asOf,
        trainedAt: (run.trainedAt ?? new Date()).toISOString(),
        params: JSON.stringify(run.params ?? {}),
        metrics: JSON.stringify(run.metrics ?? {}),
        artifactPath: run.artifactPath ?? null,
        dataFingerprint: run.dataFingerprint ?? null,
      })!,
    );
  }

  latest(model: string): ModelRun | undefined {
    const row = this.latestStmt.get(model);
    return row ? toRun(row) : undefined;
  }

  list(): ModelRun[] {
    return this.allStmt.all().map(toRun);
  }

  newestId(): number | null {
    return this.newestIdStmt.get()!.id;
  }
}
