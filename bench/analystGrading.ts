/**
 * Grading the analyst on a set of marketers' questions whose expected answers are direct SQL
 * queries over the order history (tests/analyst/questions.json). Shared by the test suite and
 * bench:analyst. The expected answers run on their own read-only connection, over temporary
 * tables the question set defines itself: nothing of the code under test computes them.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { projectPath } from '../lib/paths';
import type { Analyst, AnalystAnswer } from '../services/analyst';
import type { QuerySpec, Understanding } from '../nlp/query/spec';

export type Expectation =
  'figure' | 'table' | 'comparison' | 'drivers' | 'csv' | 'nodata' | 'unsupported' | 'null';

export interface Question {
  id: string;
  ask: string | string[];
  expect: Expectation;
  sql?: string;
  /** Trend buckets: compared by key, buckets the SQL has no row for must be empty. */
  keyed?: boolean;
  /** Only the order of the keys is checked. */
  keysOnly?: boolean;
  /** For "drivers": the dimension whose biggest mover is checked. */
  dimension?: string;
  tags?: string[];
}

export interface QuestionSet {
  setup: string[];
  questions: Question[];
}

/**
 * correct; cannot: retain said it cannot answer (honest, but not an answer); missed: not taken
 * as a question about figures (the intent router would get it); wrong: a wrong figure or reading.
 */
export type Verdict = 'correct' | 'cannot' | 'missed' | 'wrong';

export interface Graded {
  id: string;
  verdict: Verdict;
  detail: string;
  /** Understanding and answering the last message, in milliseconds. */
  ms: number;
  tags: string[];
}

export function loadQuestions(file = projectPath('tests', 'analyst', 'questions.json')): QuestionSet {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as QuestionSet;
}

/** A read-only connection to the shop's file with the question set's own tables of expected facts. */
export function expectedAnswers(dbFile: string, setup: string[]): Database.Database {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  for (const sql of setup) db.exec(sql);
  return db;
}

type Row = { key?: string; value?: number | null };

const close = (a: number | null | undefined, b: number | null | undefined) => {
  const x = a ?? 0;
  const y = b ?? 0;
  return Math.abs(x - y) <= 0.005 + 1e-6 * Math.max(1, Math.abs(y));
};
const sameKey = (a: string, b: string | undefined) => a.toLowerCase() === String(b ?? '').toLowerCase();

export function grade(q: Question, analyst: Analyst, expected: Database.Database): Graded {
  const asks = Array.isArray(q.ask) ? q.ask : [q.ask];
  let previous: QuerySpec | null = null;
  let understood: Understanding | null = null;
  let answer: AnalystAnswer | null = null;
  let ms = 0;
  for (const [i, text] of asks.entries()) {
    const t0 = process.hrtime.bigint();
    understood = analyst.understand(text, previous);
    answer = understood ? analyst.respond(understood) : null;
    if (i === asks.length - 1) ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (understood && understood.kind !== 'unsupported') previous = understood.spec;
  }
  const result = (verdict: Verdict, detail = ''): Graded => ({
    id: q.id,
    verdict,
    detail,
    ms,
    tags: q.tags ?? [],
  });
  if (q.expect === 'null')
    return understood === null
      ? result('correct')
      : result('wrong', `taken as ${understood.kind}: ${answer?.statement}`);
  if (q.expect === 'unsupported') {
    if (understood === null) return result('missed', 'left to the intent router');
    return understood.kind === 'unsupported' || answer?.kind === 'cannot'
      ? result('correct')
      : result('wrong', `answered: ${answer?.statement}`);
  }
  if (!understood || !answer) return result('missed', 'not taken as a question about figures');
  if (answer.kind === 'cannot') return result('cannot', answer.statement);
  if (q.expect === 'nodata')
    return answer.kind === 'nodata' ? result('correct') : result('wrong', `answered: ${answer.statement}`);
  const rows = expected.prepare(q.sql!).all() as Row[];
  const wrong = (detail: string) => result('wrong', `${detail} | ${answer!.statement}`);
  switch (q.expect) {
    case 'figure': {
      if (answer.kind !== 'figure') return wrong(`expected a figure, got ${answer.kind}`);
      const want = rows[0]?.value ?? 0;
      return close(answer.value, want) ? result('correct') : wrong(`expected ${want}, got ${answer.value}`);
    }
    case 'table':
    case 'comparison': {
      if (answer.kind !== 'table' && answer.kind !== 'comparison')
        return wrong(`expected rows, got ${answer.kind}`);
      if (q.keyed) {
        const byKey = new Map(answer.rows.map((r) => [r.key.toLowerCase(), r]));
        for (const r of rows) {
          const got = byKey.get(String(r.key).toLowerCase());
          if (!got) return wrong(`no row ${r.key}`);
          if (!close(got.value, r.value)) return wrong(`${r.key}: expected ${r.value}, got ${got.value}`);
        }
        const extra = answer.rows.find((r) => !rows.some((x) => sameKey(r.key, x.key)) && r.value);
        return extra ? wrong(`unexpected row ${extra.key} = ${extra.value}`) : result('correct');
      }
      const got = q.expect === 'comparison' ? answer.rows : answer.page.rows;
      if (got.length < rows.length) return wrong(`expected ${rows.length} rows, got ${got.length}`);
      for (const [i, r] of rows.entries()) {
        if (q.expect === 'table' && !sameKey(got[i].key, r.key))
          return wrong(`row ${i + 1}: expected ${r.key}, got ${got[i].key}`);
        if (!q.keysOnly && !close(got[i].value, r.value))
          return wrong(`row ${i + 1} (${r.key}): expected ${r.value}, got ${got[i].value}`);
      }
      return result('correct');
    }
    case 'drivers': {
      if (answer.kind !== 'drivers') return wrong(`expected drivers, got ${answer.kind}`);
      const group = answer.drivers?.find((g) => g.dimension === q.dimension);
      const top = group?.items[0];
      if (!top) return wrong(`no drivers by ${q.dimension}`);
      if (!sameKey(top.key, rows[0]?.key))
        return wrong(`biggest mover: expected ${rows[0]?.key}, got ${top.key}`);
      return close(top.change, rows[0]?.value)
        ? result('correct')
        : wrong(`change: expected ${rows[0]?.value}, got ${top.change}`);
    }
    case 'csv': {
      if (understood.kind !== 'followup' || understood.action !== 'export')
        return wrong('not read as an export');
      const lines = answer.csv().trim().split('\n');
      if (lines.length !== rows.length + 1)
        return wrong(`expected ${rows.length} CSV rows, got ${lines.length - 1}`);
      for (const [i, r] of rows.entries()) {
        if (!sameKey(answer.rows[i].key, r.key) || !close(answer.rows[i].value, r.value))
          return wrong(
            `row ${i + 1}: expected ${r.key} ${r.value}, got ${answer.rows[i].key} ${answer.rows[i].value}`,
          );
      }
      return result('correct');
    }
  }
  return wrong(`unknown expectation ${q.expect}`);
}

export interface Summary {
  questions: number;
  correct: number;
  cannot: number;
  missed: number;
  wrong: number;
  p50: number;
  p99: number;
}

export function summarise(graded: Graded[]): Summary {
  const count = (v: Verdict) => graded.filter((g) => g.verdict === v).length;
  const ms = graded.map((g) => g.ms).sort((a, b) => a - b);
  const at = (p: number) =>
    ms.length ? ms[Math.min(ms.length - 1, Math.ceil((p / 100) * ms.length) - 1)] : 0;
  return {
    questions: graded.length,
    correct: count('correct'),
    cannot: count('cannot'),
    missed: count('missed'),
    wrong: count('wrong'),
    p50: at(50),
    p99: at(99),
  };
}
