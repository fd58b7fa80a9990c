/**
 * The architecture (README "Architecture") as lint rules: which folder may import what.
 * `npm run lint:arch` runs only these rules (and knip), before every `npm test`;
 * `npm run lint` runs them with the rest of the lint (eslint.config.mjs).
 *
 * Each folder (a "zone") lists the restrictions that apply to its files. ESLint keeps one set of
 * options per rule and file, so every file gets exactly one generated `no-restricted-imports`
 * entry holding all of its zone's restrictions; more specific zones come later and win.
 */
import tseslint from 'typescript-eslint';

/**
 * What may not be imported, as a regular expression over the import as written. `depth` is how
 * many `../` lead from the file to the project root, so relative imports are matched exactly.
 */
const RESTRICTIONS = {
  outsideLib: (depth) => ({
    regex: `^(\\.\\./){${depth}}(?!lib/)`,
    message: 'lib/ is the bottom layer: it imports only lib/ and packages.',
  }),
  appLayers: (depth) => ({
    regex: `^(\\.\\./){${depth}}(dialogs|bot|jobs|cli)(/|$)`,
    message:
      'analytics/, nlp/, services/ and reports/ serve the bot, the jobs and the CLI, and never import them.',
  }),
  sqlite: () => ({
    regex: '^better-sqlite3(/|$)',
    message: 'Only data/ talks to SQLite (better-sqlite3).',
  }),
  dbHandle: () => ({
    regex: '(^|/)data/db$',
    message: 'The SQLite handle stays inside data/: use a repository from data/ instead of data/db.',
  }),
  botFramework: () => ({
    regex: '^(botbuilder|botframework)(-[\\w-]+)?(/|$)',
    message: 'Only bot/ and dialogs/ speak the Bot Framework (botbuilder, botframework-*).',
  }),
  tensorflow: () => ({
    regex: '^@tensorflow/',
    message: 'lib/tf.ts is the only module that loads TensorFlow.js: get `tf` from it.',
  }),
};

const EVERYWHERE = ['sqlite', 'dbHandle', 'botFramework', 'tensorflow'];
const except = (...allowed) => EVERYWHERE.filter((r) => !allowed.includes(r));

/** Folders (or single files) and their restrictions; a later, more specific entry wins. */
const ZONES = [
  { zone: 'lib', restrict: ['outsideLib', ...EVERYWHERE] },
  { zone: 'lib/tf.ts', restrict: ['outsideLib', ...except('tensorflow')] },
  { zone: 'data', restrict: except('sqlite', 'dbHandle') },
  { zone: 'analytics', restrict: ['appLayers', ...EVERYWHERE] },
  { zone: 'nlp', restrict: ['appLayers', ...EVERYWHERE] },
  { zone: 'services', restrict: ['appLayers', ...EVERYWHERE] },
  { zone: 'reports', restrict: ['appLayers', ...EVERYWHERE] },
  { zone: 'bot', restrict: except('botFramework') },
  { zone: 'dialogs', restrict: except('botFramework') },
  { zone: 'jobs', restrict: EVERYWHERE },
  { zone: 'cli', restrict: EVERYWHERE },
  { zone: 'bench', restrict: EVERYWHERE },
  // Measures the bot server against bare botbuilder bots on the same stack.
  { zone: 'bench/server.ts', restrict: except('botFramework') },
  // The analyst's grader answers every question with its own SQL, independently of the code it
  // grades (and the benchmark copies databases to compare indexes); the tests use its answers.
  { zone: 'bench/analystGrading.ts', restrict: except('sqlite') },
  { zone: 'bench/analyst.ts', restrict: except('sqlite') },
  { zone: 'scripts', restrict: EVERYWHERE },
  { zone: 'tests', restrict: EVERYWHERE },
  // The tests of a folder may use what the folder may use.
  { zone: 'tests/data', restrict: except('dbHandle') },
  { zone: 'tests/analyst/questions.test.ts', restrict: except('sqlite') },
  // Tests check what was written with their own SQL, through this one helper.
  { zone: 'tests/support/sql.ts', restrict: except('dbHandle') },
  { zone: 'tests/bot', restrict: except('botFramework') },
  { zone: 'tests/dialogs', restrict: except('botFramework') },
  { zone: 'tests/e2e', restrict: except('botFramework') },
];

const SOURCES = '*.{ts,mts,cts,js,mjs,cjs}';
const MAX_NESTING = 6;

function rule(restrictions, depth) {
  return {
    'no-restricted-imports': ['error', { patterns: restrictions.map((name) => RESTRICTIONS[name](depth)) }],
  };
}

const segments = (p) => p.split('/').length;
const isFile = (zone) => /\.[cm]?[jt]s$/.test(zone);

/** One entry per zone and nesting depth (the depth fixes how many `../` reach the root). */
function zoneEntries({ zone, restrict }) {
  if (isFile(zone)) return [{ files: [zone], rules: rule(restrict, segments(zone) - 1) }];
  return Array.from({ length: MAX_NESTING }, (_, extra) => ({
    files: [`${zone}/${'*/'.repeat(extra)}${SOURCES}`],
    rules: rule(restrict, segments(zone) + extra),
  }));
}

export const ignores = {
  ignores: [
    'dist/**',
    'node_modules/**',
    'var/**',
    'coverage/**',
    'bin/**',
    'tests/support/*.js',
    'jest.config.js',
  ],
};

/** The boundary rules, to be combined with any other configuration. */
export const boundaries = [...ZONES.flatMap(zoneEntries)];

// `npm run lint:arch`: the boundaries alone (TypeScript parser, no other rules).
export default [
  ignores,
  tseslint.configs.base,
  // Comments that switch off the full lint's rules are for that lint, not for this one.
  { linterOptions: { reportUnusedDisableDirectives: 'off' } },
  ...boundaries,
];
