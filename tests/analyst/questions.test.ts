/**
 * Marketers' questions (tests/analyst/questions.json) asked of real shops, each answer checked
 * against a direct SQL query written with the question: the demo sample and the shared UCI Online
 * Retail file (December 2010 to June 2011). `npm run bench:analyst` prints the same as figures.
 */
import type Database from 'better-sqlite3';
import { expectedAnswers, grade, loadQuestions, type Question } from '../../bench/analystGrading';
import { DEMO_DATA } from '../support/shop';
import { tempDir } from '../support/files';
import { describeWithShared, onlineRetailFile } from '../support/sharedData';
import { openAnalystShop, type AnalystShop } from './shop';

const set = loadQuestions();

function askAll(name: string, orderFile: () => string, questions: Question[], train = true) {
  describe(name, () => {
    let tmp: ReturnType<typeof tempDir>;
    let shop: AnalystShop;
    let expected: Database.Database;

    beforeAll(async () => {
      tmp = tempDir('retain-analyst-');
      shop = await openAnalystShop(tmp.dir, orderFile(), train);
      expected = expectedAnswers(shop.file, set.setup);
    }, 120_000);

    afterAll(() => {
      expected?.close();
      shop?.store.close();
      tmp?.cleanup();
    });

    test.each(questions.map((q) => [q.id, q] as const))('%s', (_id, q) => {
      const graded = grade(q, shop.analyst, expected);
      expect({ verdict: graded.verdict, detail: graded.detail }).toEqual({ verdict: 'correct', detail: '' });
    });
  });
}

askAll('the demo shop answers every question as its SQL does', () => DEMO_DATA, set.questions);

// Training the models on the whole file takes a minute under jest: this variant asks the
// questions that need no segments or scores (every third one); bench:analyst asks them all.
describeWithShared([onlineRetailFile], 'the Online Retail file', () =>
  askAll(
    'answers as its SQL does',
    () => onlineRetailFile,
    set.questions
      .filter(
        (q) => !/\bsc\b/.test(q.sql ?? '') && !/segment|stage|churn-risk|clv/.test((q.tags ?? []).join(' ')),
      )
      .filter((_, i) => i % 3 === 0),
    false,
  ),
);
