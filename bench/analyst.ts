/**
 * Marketers' questions about the shop's figures (tests/analyst/questions.json), asked of the
 * demo sample and of the shared Online Retail file (Dec 2010 - Jun 2011) with the models trained:
 *  - accuracy: answers equal to the question's own SQL (the expected answers never come from the
 *    code under test), the share of honest "I cannot answer that", of questions not taken (left
 *    to the intent router) and of wrong answers, overall and per question set;
 *  - latency of understanding and answering one message (p50, p99), against the same questions
 *    on a copy of the database without the covering indexes of migration 3, in the same run.
 *    Each pass starts a new analyst: a question's figures are never remembered from an earlier
 *    pass (follow-ups within a conversation do reuse the rows of the question before).
 * Usage: npm run bench:analyst [-- --db FILE] [-- --passes N] [-- --questions FILE]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import Database from 'better-sqlite3';
import { openStore } from '../data/store';
import { importOrders } from '../data/import/importOrders';
import { trainAndStore } from '../analytics/training';
import { projectPath } from '../lib/paths';
import { Analyst } from '../services/analyst';
import {
  expectedAnswers,
  grade,
  loadQuestions,
  summarise,
  type Graded,
  type Summary,
} from './analystGrading';

const program = new Command('bench:analyst')
  .option('--db <file>', 'a trained database of the Online Retail file instead of importing and training it')
  .option('--passes <n>', 'times every question is asked for the latency figures', '3')
  .option('--questions <file>', 'another question set in the same format (a new held-out round)')
  .parse();
const opts = program.opts<{ db?: string; passes: string; questions?: string }>();

const SHARED = projectPath('..', 'shared', 'data', 'online-retail', 'online_retail_2010-12_2011-06.csv.gz');
const DEMO = projectPath('data', 'demo', 'online-retail-sample.csv.gz');
const set = loadQuestions(opts.questions);

async function trainedShop(dir: string, orderFile: string): Promise<string> {
  const file = path.join(dir, `${path.basename(orderFile).replace(/\W+/g, '-')}.db`);
  const store = openStore(file);
  const t0 = Date.now();
  await importOrders(store, orderFile, { timeZone: 'Europe/London', actor: 'bench' });
  await trainAndStore(store);
  store.close();
  console.log(
    `  imported and trained ${path.basename(orderFile)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return file;
}

interface Asked {
  graded: Graded[];
  ms: number[];
}

/**
 * Every question of the set asked of each file, `passes` times, the files taking turns pass by
 * pass (so that a busy machine weighs on all of them alike).
 */
function ask(files: string[], passes: number): Asked[] {
  const shops = files.map((file) => ({
    store: openStore(file, { migrate: false }),
    expected: expectedAnswers(file, set.setup),
    result: { graded: [] as Graded[], ms: [] as number[] },
  }));
  for (let p = 0; p < passes; p++) {
    for (const shop of shops) {
      // A new analyst each pass: nothing remembered from the pass before. Building the vocabulary
      // and reading the English word list happen once, before the first question.
      const analyst = new Analyst(shop.store.facts);
      analyst.understand('hello');
      shop.result.graded = set.questions.map((q) => grade(q, analyst, shop.expected));
      shop.result.ms.push(...shop.result.graded.map((g) => g.ms));
    }
  }
  for (const shop of shops) {
    shop.expected.close();
    shop.store.close();
  }
  return shops.map((s) => s.result);
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '–');
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0;

function line(label: string, s: Summary): string {
  return `  ${label.padEnd(34)} ${String(s.questions).padStart(4)}   correct ${pct(s.correct, s.questions).padStart(6)}   cannot ${pct(s.cannot, s.questions).padStart(6)}   not taken ${pct(s.missed, s.questions).padStart(6)}   wrong ${pct(s.wrong, s.questions).padStart(6)}`;
}

function report(name: string, graded: Graded[], ms: number[]): void {
  console.log(`\n${name}`);
  const sets: Array<[string, (g: Graded) => boolean]> = [
    ['all questions', () => true],
    ['development set', (g) => !g.tags.some((t) => t.startsWith('holdout'))],
    ['held-out set 1', (g) => g.tags.includes('holdout')],
    ['held-out set 2', (g) => g.tags.includes('holdout2')],
    ['held-out set 3', (g) => g.tags.includes('holdout3')],
    ['held-out set 4', (g) => g.tags.includes('holdout4')],
    ['held-out set 5', (g) => g.tags.includes('holdout5')],
    ['about figures (answerable)', (g) => !g.tags.includes('not-facts') && !g.tags.includes('unsupported')],
    ['not about figures (router)', (g) => g.tags.includes('not-facts')],
    ['no data for it (must say so)', (g) => g.tags.includes('unsupported')],
    ['with typos', (g) => g.tags.includes('typo')],
    ['follow-ups', (g) => g.tags.includes('followup')],
  ];
  for (const [label, keep] of sets) console.log(line(label, summarise(graded.filter(keep))));
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(
    `  latency per message: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
  );
  for (const g of graded.filter((x) => x.verdict !== 'correct'))
    console.log(`  ${g.verdict.padEnd(7)} ${g.id}: ${g.detail.slice(0, 220)}`);
}

/**
 * Two compacted copies of the database, one without the facts indexes: what the questions cost
 * with and without migration 3, on files laid out alike.
 */
function copies(file: string, dir: string): [string, string] {
  const [withIndexes, without] = [path.join(dir, 'with-indexes.db'), path.join(dir, 'without-indexes.db')];
  const db = new Database(file);
  db.prepare('VACUUM INTO ?').run(withIndexes);
  db.prepare('VACUUM INTO ?').run(without);
  db.close();
  const c = new Database(without);
  c.exec('DROP INDEX orders_time_facts; DROP INDEX order_lines_facts;');
  c.close();
  return [withIndexes, without];
}

async function main(): Promise<void> {
  const passes = Math.max(1, Number(opts.passes));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'retain-bench-analyst-'));
  try {
    console.log(
      `${set.questions.length} questions (${opts.questions ?? 'tests/analyst/questions.json'}); ${passes} passes for latency`,
    );
    const [demo] = ask([await trainedShop(dir, DEMO)], passes);
    report('Demo sample (data/demo)', demo.graded, demo.ms);

    let shared = opts.db;
    if (!shared) {
      if (!fs.existsSync(SHARED)) {
        console.log(`\nOnline Retail file: skipped, ${SHARED} is missing`);
        return;
      }
      shared = await trainedShop(dir, SHARED);
    }
    const [full, baseline] = ask(copies(shared, dir), passes);
    report('Online Retail, Dec 2010 - Jun 2011 (shared data)', full.graded, full.ms);
    const sorted = (ms: number[]) => [...ms].sort((a, b) => a - b);
    const [withIdx, without] = [sorted(full.ms), sorted(baseline.ms)];
    console.log(
      `\nLatency on the Online Retail file, with the facts indexes vs without them (same questions, same run):\n` +
        `  p50 ${percentile(withIdx, 50).toFixed(1)} ms vs ${percentile(without, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(withIdx, 99).toFixed(1)} ms vs ${percentile(without, 99).toFixed(1)} ms`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
