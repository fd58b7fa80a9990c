import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
import type { PublicApi } from '../publicApi';

export interface ModelRun {
  id: number;
  model: string;
  version: string;
  asOf: string | null;
  trainedAt: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  artifactPath: string | null;
  dataFingerprint: string | null;
}

export interface NewModelRun {
  model: string;
  version: string;
  asOf?: Date | string | null;
  trainedAt?: Date;
  params?: Record<string, unknown>;
  metrics?: Record<string, unknown>;
  artifactPath?: string | null;
  dataFingerprint?: string | null;
}

export interface ModelRunRow {
  id: number;
  model: string;
  version: string;
  as_of: string | null;
  trained_at: string;
  params_json: string;
  metrics_json: string;
  artifact_path: string | null;
  data_fingerprint: string | null;
}

export function toRun(r: ModelRunRow): ModelRun {
  return {
    id: r.id,
    model: r.model,
    version: r.version,
    asOf: r.as_of,
    trainedAt: r.trained_at,
    params: JSON.parse(r.params_json),
    metrics: JSON.parse(r.metrics_json),
    artifactPath: r.artifact_path,
    dataFingerprint: r.data_fingerprint,
  };
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type ModelRunRepository = PublicApi<SqlModelRunRepository>;

/**
 * Which model versions were trained when, on what, and how well they did. Written in SQL both
 * engines speak (the insert returns the stored row), so the PostgreSQL store uses this class as it is.
 */
export class SqlModelRunRepository {
  private readonly insert;
  private readonly latestStmt;
  private readonly allStmt;
  private readonly newestIdStmt;

  constructor(db: PortableDb) {
    this.insert = db.prepare(`
      INSERT INTO model_runs (model, version, as_of, trained_at, params_json, metrics_json, artifact_path, data_fingerprint)
      VALUES (@model, @version, @asOf, @trainedAt, @params, @metrics, @artifactPath, @dataFingerprint)
      RETURNING *`);
    this.latestStmt = db.prepare(
      `SELECT * FROM model_runs WHERE model = ? ORDER BY trained_at DESC, id DESC LIMIT 1`,
    );
    this.allStmt = db.prepare(`SELECT * FROM model_runs ORDER BY trained_at DESC, id DESC`);
    this.newestIdStmt = db.prepare(`SELECT MAX(id) AS id FROM model_runs`);
  }

  record(run: NewModelRun): ModelRun {
    const asOf = run.asOf instanceof Date ? run.asOf.toISOString() : (run.asOf ?? null);
    const row = this.insert.get({
      model: run.model,
      version: run.version,
      asOf,
      trainedAt: (run.trainedAt ?? new Date()).toISOString(),
      params: JSON.stringify(run.params ?? {}),
      metrics: JSON.stringify(run.metrics ?? {}),
      artifactPath: run.artifactPath ?? null,
      dataFingerprint: run.dataFingerprint ?? null,
    }) as ModelRunRow;
    return toRun(row);
  }

  latest(model: string): ModelRun | undefined {
    const row = this.latestStmt.get(model) as ModelRunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  list(): ModelRun[] {
    return (this.allStmt.all() as ModelRunRow[]).map(toRun);
  }

  /**
   * The id of the run recorded last (null: none yet): it changes whenever any process sharing the
   * database records a model, so a running bot can notice models trained elsewhere.
   */
  newestId(): number | null {
    return (this.newestIdStmt.get() as { id: number | null }).id;
  }
}

export class SqliteModelRunRepository extends SqlModelRunRepository {
  constructor(db: Db) {
    super(db);
  }
}
