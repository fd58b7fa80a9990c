import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/** A fresh temporary directory, removed by the returned cleanup function. */
export function tempDir(prefix = 'retain-test-'): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function writeCsv(dir: string, name: string, lines: string[], gzip = false): string {
  const file = path.join(dir, name);
  const text = lines.join('\n') + '\n';
  fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text);
  return file;
}

/** A CSV field, quoted when it must be. */
export function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
