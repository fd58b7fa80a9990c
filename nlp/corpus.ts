/**
 * Reads labelled utterance files for training and evaluation: JSON lines
 * `{"text": ..., "intent": ...}` or CSV `text,intent` (a header row naming the columns is
 * recognised: text/utterance/sentence and intent/category/label, in any order).
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { LabelledText } from './intents/classifier';

export function readLabelledFile(file: string): LabelledText[] {
  let content = fs.readFileSync(file);
  if (file.endsWith('.gz')) content = zlib.gunzipSync(content);
  const text = content.toString('utf8').replace(/^\uFEFF/, '');
  const plain = file.replace(/\.gz$/, '');
  const firstChar = text.trimStart()[0];
  if (
    plain.endsWith('.jsonl') ||
    plain.endsWith('.ndjson') ||
    (plain.endsWith('.json') && firstChar === '{')
  ) {
    return parseJsonLines(text, file);
  }
  return parseCsv(text, file);
}

function parseJsonLines(text: string, file: string): LabelledText[] {
  const out: LabelledText[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('//')) return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
    const t = row.text;
    const intent = row.intent ?? row.label ?? row.category;
    if (typeof t !== 'string' || typeof intent !== 'string') {
      throw new Error(`${file}:${i + 1}: expected {"text": string, "intent": string}`);
    }
    out.push({ text: t, intent });
  });
  return out;
}

const TEXT_COLUMNS = ['text', 'utterance', 'sentence', 'query'];
const LABEL_COLUMNS = ['intent', 'category', 'label'];

function parseCsv(text: string, file: string): LabelledText[] {
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
  if (rows.length === 0) return [];
  const header = rows[0].map((h) => h.trim().toLowerCase());
  // Columns are looked up in order of preference: Bitext has both "category" and "intent".
  let textCol = firstPresent(header, TEXT_COLUMNS);
  let labelCol = firstPresent(header, LABEL_COLUMNS);
  let body = rows;
  if (textCol >= 0 && labelCol >= 0) body = rows.slice(1);
  else [textCol, labelCol] = [0, 1];
  return body.map((r, i) => {
    const t = r[textCol];
    const intent = r[labelCol];
    if (t === undefined || intent === undefined)
      throw new Error(`${file}: row ${i + 1} has fewer than 2 columns`);
    return { text: t, intent: intent.trim() };
  });
}

function firstPresent(header: string[], names: string[]): number {
  for (const name of names) {
    const i = header.indexOf(name);
    if (i >= 0) return i;
  }
  return -1;
}
