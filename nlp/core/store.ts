/**
 * Saves a model as `<name>.json` (everything readable: labels, settings, metrics, feature
 * table) plus `<name>.bin` (its float32 weight arrays, laid out as the JSON describes).
 * Writes go through a temporary file and a rename so a crash never leaves half a model.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ArrayEntry {
  name: string;
  offset: number;
  length: number;
}

export function saveModelFiles(
  dir: string,
  name: string,
  meta: object,
  arrays: Record<string, Float32Array>,
): void {
  fs.mkdirSync(dir, { recursive: true });
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [key, a] of Object.entries(arrays)) {
    entries.push({ name: key, offset, length: a.length });
    offset += a.length;
  }
  const all = new Float32Array(offset);
  for (const e of entries) all.set(arrays[e.name], e.offset);
  const binFile = path.join(dir, `${name}.bin`);
  const jsonFile = path.join(dir, `${name}.json`);
  writeAtomic(binFile, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  writeAtomic(jsonFile, JSON.stringify({ ...meta, weightsFile: `${name}.bin`, arrays: entries }));
}

export function loadModelFiles<M>(
  dir: string,
  name: string,
): { meta: M; arrays: Record<string, Float32Array> } {
  const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as M & {
    weightsFile: string;
    arrays: ArrayEntry[];
  };
  const buf = fs.readFileSync(path.join(dir, meta.weightsFile));
  // Copy into an aligned buffer: Node may hand back a pooled Buffer at any byte offset.
  const all = new Float32Array(new Uint8Array(buf).buffer);
  const arrays: Record<string, Float32Array> = {};
  for (const e of meta.arrays) arrays[e.name] = all.slice(e.offset, e.offset + e.length);
  return { meta, arrays };
}

export function modelFilesExist(dir: string, name: string): boolean {
  return fs.existsSync(path.join(dir, `${name}.json`)) && fs.existsSync(path.join(dir, `${name}.bin`));
}

function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
