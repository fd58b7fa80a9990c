/**
 * Where trained model files are kept (model_runs.artifact_path names them). A SQLite store keeps
 * them as files in the models folder, next to the database on the same machine; a PostgreSQL
 * store keeps them in the database (data/postgres/repositories/modelFiles.ts), so that every
 * instance loads the same model without a shared folder.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ModelFileRepository {
  /** Replaces the file whole: a reader never sees half a model. */
  write(location: string, content: string): void;
  /** The content, or undefined when there is no such file. */
  read(location: string): string | undefined;
  exists(location: string): boolean;
}

export class LocalModelFileRepository implements ModelFileRepository {
  write(location: string, content: string): void {
    fs.mkdirSync(path.dirname(location), { recursive: true });
    const tmp = `${location}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, location);
  }

  read(location: string): string | undefined {
    try {
      return fs.readFileSync(location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  exists(location: string): boolean {
    return fs.existsSync(location);
  }
}
