/**
 * `retain eval uplift` as a user runs it (the built CLI) on CSV files shaped like a public
 * e-mail experiment: two mail variants and a control value, quoted categories, missing values,
 * columns to exclude. The customers are simulated, so who the offer changes is known.
 */
import { runCli } from '../support/cli';
import { tempDir, writeCsv } from '../support/files';
import { experimentCsvLines, simulateExperiment } from '../../analytics/uplift/simulate';

describe('retain eval uplift', () => {
  const tmp = tempDir();
  const train = writeCsv(
    tmp.dir,
    'train.csv',
    experimentCsvLines(simulateExperiment({ customers: 3000, seed: 21 }), 1),
  );
  const test = writeCsv(
    tmp.dir,
    'test.csv.gz',
    experimentCsvLines(simulateExperiment({ customers: 6000, seed: 22 }), 2),
    true,
  );
  const common = ['--train', train, '--test', test, '--treatment', 'segment', '--outcome', 'visit'];
  afterAll(() => tmp.cleanup());

  it('prints the documented JSON: the model beats the response model and random targeting', async () => {
    const r = await runCli([
      'eval',
      'uplift',
      ...common,
      '--control-value',
      'No E-Mail',
      '--exclude',
      'customer_id,conversion,spend',
      '--json',
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      qini: expect.any(Number),
      upliftAt30: expect.any(Number),
      auuc: expect.any(Number),
      n: 6000,
      ate: expect.any(Number),
      baselines: {
        random: { qini: expect.any(Number), upliftAt30: expect.any(Number) },
        response: { qini: expect.any(Number), upliftAt30: expect.any(Number) },
      },
      model: { usable: true },
    });
    expect(out.qini).toBeGreaterThan(out.baselines.response.qini + 0.02);
    expect(out.upliftAt30).toBeGreaterThan(out.baselines.response.upliftAt30);
    expect(Math.abs(out.baselines.random.qini)).toBeLessThan(3 * out.baselines.random.qiniSd + 0.01);
    // Random targeting of 30% reaches about the average effect; the model's 30% much more.
    expect(out.upliftAt30).toBeGreaterThan(out.ate + 0.08);
    // The excluded columns are not features; the drivers name the informative ones.
    expect(out.features.columns).toEqual(['engagement', 'loyalty', 'visits', 'noise1', 'noise2', 'region']);
    expect(
      out.drivers
        .slice(0, 2)
        .map((d: { column: string }) => d.column)
        .sort(),
    ).toEqual(['engagement', 'loyalty']);
    expect(out.warnings.join(' ')).not.toMatch(/gives the outcome away/);
  }, 120_000);

  it('reads one mail variant with --treatment-value, prints a readable summary, names a column that gives the outcome away', async () => {
    const r = await runCli([
      'eval',
      'uplift',
      ...common,
      '--control-value',
      'No E-Mail',
      '--treatment-value',
      'Womens E-Mail',
      '--outcome',
      'conversion',
      '--exclude',
      'customer_id',
    ]);
    expect(r.code).toBe(0);
    // spend is non-zero exactly when the customer converted: recorded after the mail.
    expect(r.stdout).toMatch(/warning: column 'spend' gives the outcome away on its own \(ROC-AUC 1\.000\)/);
    expect(r.stdout).not.toMatch(/column 'visit' gives/);
    expect(r.stdout).toMatch(/^Uplift on \d+ test customers \(\d+ treated, \d+ control\)/);
    expect(r.stdout).toMatch(/response model \(P\(outcome \| treated\)\): Qini/);
    expect(r.stdout).toMatch(/usable for targeting: (yes|no)/);
    expect(r.stdout).toMatch(/another treatment/); // the men's mail rows of the test file, left out
  }, 120_000);

  it('says what is wrong with the options, with exit code 2', async () => {
    const r = await runCli(['eval', 'uplift', ...common, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/values like .*--control-value/);
    const leak = await runCli([
      'eval',
      'uplift',
      ...common,
      '--control-value',
      'No E-Mail',
      '--outcome',
      'spend',
    ]);
    expect(leak.code).toBe(2);
    expect(leak.stderr).toMatch(/outcome column 'spend' is not binary/);
  }, 60_000);
});
