/**
 * The import boundaries (eslint.architecture.mjs, run by `npm run lint:arch` before the tests):
 * an import across a boundary fails the lint with a message saying which rule it breaks, and the
 * imports each folder needs still pass. Real ESLint with the real configuration, on snippets
 * placed at paths of the project.
 */
import { spawnSync } from 'node:child_process';
import { projectPath } from '../../lib/paths';

interface Case {
  file: string;
  from: string;
  /** The rule's message, or null where the import is allowed. */
  breaks: RegExp | null;
}

const LIB = /lib\/ is the bottom layer/;
const APP = /analytics\/, nlp\/, services\/ and reports\/ serve the bot, the jobs and the CLI/;
const SQLITE = /Only data\/ talks to SQLite/;
const HANDLE = /The SQLite handle stays inside data\//;
const BOT_FRAMEWORK = /Only bot\/ and dialogs\/ speak the Bot Framework/;
const TF = /lib\/tf.ts is the only module that loads TensorFlow.js/;

const CASES: Case[] = [
  // lib/ imports only lib/ and packages.
  { file: 'lib/config.ts', from: '../jobs/config', breaks: LIB },
  { file: 'lib/config.ts', from: '../analytics/asOf', breaks: LIB },
  { file: 'lib/config.ts', from: './timeZone', breaks: null },
  { file: 'lib/config.ts', from: '../lib/timeZone', breaks: null },
  { file: 'lib/config.ts', from: 'zod', breaks: null },
  { file: 'lib/more/deep.ts', from: '../paths', breaks: null },
  { file: 'lib/more/deep.ts', from: '../../analytics/asOf', breaks: LIB },
  // analytics/ and nlp/ never import the layers that use them.
  { file: 'analytics/recs/train.ts', from: '../../dialogs/assistant', breaks: APP },
  { file: 'analytics/asOf.ts', from: '../bot/index', breaks: APP },
  { file: 'analytics/churn/model.ts', from: '../../jobs/config', breaks: APP },
  { file: 'nlp/nlu.ts', from: '../cli/context', breaks: APP },
  { file: 'nlp/intents/classifier.ts', from: '../../lib/random', breaks: null },
  { file: 'analytics/recs/train.ts', from: '../rules/fpGrowth', breaks: null },
  { file: 'dialogs/mainDialog.ts', from: '../jobs/config', breaks: null },
  { file: 'services/app.ts', from: '../dialogs/turn', breaks: APP },
  { file: 'reports/builders/marketer.ts', from: '../../bot/index', breaks: APP },
  { file: 'services/app.ts', from: '../data/store', breaks: null },
  { file: 'services/reports.ts', from: '../data/db', breaks: HANDLE },
  { file: 'reports/adaptiveCard.ts', from: 'botbuilder', breaks: BOT_FRAMEWORK },
  // Only data/ talks to SQLite, and its handle stays there.
  { file: 'jobs/sender.ts', from: 'better-sqlite3', breaks: SQLITE },
  { file: 'analytics/pipeline.ts', from: 'better-sqlite3', breaks: SQLITE },
  { file: 'data/db.ts', from: 'better-sqlite3', breaks: null },
  { file: 'analytics/pipeline.ts', from: '../data/db', breaks: HANDLE },
  { file: 'dialogs/marketer/handlers.ts', from: '../../data/db', breaks: HANDLE },
  { file: 'analytics/pipeline.ts', from: '../data/repositories/orderHistory', breaks: null },
  { file: 'data/repositories/outbox.ts', from: '../db', breaks: null },
  { file: 'tests/data/new.test.ts', from: '../../data/db', breaks: null },
  // Only bot/ and dialogs/ (and their tests) speak the Bot Framework.
  { file: 'analytics/pipeline.ts', from: 'botbuilder', breaks: BOT_FRAMEWORK },
  { file: 'nlp/nlu.ts', from: 'botbuilder-dialogs', breaks: BOT_FRAMEWORK },
  { file: 'jobs/sender.ts', from: 'botframework-connector', breaks: BOT_FRAMEWORK },
  { file: 'data/repositories/botState.ts', from: 'botbuilder', breaks: BOT_FRAMEWORK },
  { file: 'bot/adapter.ts', from: 'botframework-connector', breaks: null },
  { file: 'dialogs/mainDialog.ts', from: 'botbuilder-dialogs', breaks: null },
  { file: 'tests/dialogs/new.test.ts', from: 'botbuilder-testing', breaks: null },
  // TensorFlow.js is loaded in one place.
  { file: 'analytics/churn/train.ts', from: '@tensorflow/tfjs', breaks: TF },
  { file: 'lib/tf.ts', from: '@tensorflow/tfjs', breaks: null },
];

/** The messages ESLint reports for each case's import, as a named and as a type-only import. */
function lint(cases: Case[], typeOnly: boolean): string[][] {
  const snippets = cases.map(({ file, from }) => ({
    file,
    code: typeOnly
      ? `import type { X } from '${from}';\nexport type Y = X;\n`
      : `import { x } from '${from}';\nexport const y = x;\n`,
  }));
  const run = spawnSync(process.execPath, [projectPath('tests', 'support', 'lint-text.js')], {
    input: JSON.stringify(snippets),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`lint-text.js failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

describe('import boundaries (npm run lint:arch)', () => {
  let named: string[][];
  let typeOnly: string[][];
  beforeAll(() => {
    named = lint(CASES, false);
    typeOnly = lint(CASES, true);
  }, 60_000);

  test.each(CASES.map((c, i) => [c.file, c.from, c.breaks ? 'fails' : 'passes', c.breaks, i] as const))(
    '%s importing %s %s',
    (_file, _from, _verdict, breaks, i) => {
      for (const messages of [named[i], typeOnly[i]]) {
        if (breaks === null) expect(messages).toEqual([]);
        else expect(messages).toEqual([expect.stringMatching(breaks)]);
      }
    },
  );
});
