/**
 * Experiment files as real exports come: quoted fields, other separators, a byte-order mark,
 * gzip, missing values, a treatment column with several values, outcomes as yes/no, rare and
 * unseen categories, identifier columns, and files bigger than the training sample.
 */
import { tempDir, writeCsv } from '../support/files';
import { readExperimentSample, ExperimentFileError } from '../../analytics/uplift/experimentFile';
import { encodeSample, fitEncoder, recordEncoder } from '../../analytics/uplift/encoding';
import { columnIndex } from '../../analytics/uplift/experimentFile';

describe('experiment files', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  /** `n` rows of a mail experiment with two mail variants and a control value. */
  function mailRows(n: number, sep = ','): string[] {
    const lines = [['id', 'history', 'zip_code', 'channel', 'segment', 'visit', 'spend', 'client'].join(sep)];
    for (let i = 0; i < n; i++) {
      const segment = ['Mens E-Mail', 'Womens E-Mail', 'No E-Mail'][i % 3];
      const zip = ['"Urban, inner"', 'Suburban', 'Rural'][i % 3 === 0 ? 0 : (i >> 1) % 3];
      const channel = i === 7 ? 'Fax' : ['Web', 'Phone', 'Multichannel'][(i >> 2) % 3];
      const history = i % 11 === 0 ? 'NA' : String(10 + ((i * 37) % 500));
      const visit = ['yes', 'no', 'No', 'YES', 'no'][i % 5];
      const client = `c${(i * 7919).toString(16)}`;
      lines.push([String(1000 + i), history, zip, channel, segment, visit, (i % 5) * 9.5, client].join(sep));
    }
    return lines;
  }

  it('reads a semicolon file with a BOM and quotes: several mail variants against "No E-Mail"', async () => {
    const lines = mailRows(300, ';');
    lines[0] = '\uFEFF' + lines[0];
    const file = writeCsv(tmp.dir, 'mail.csv', lines);
    const s = await readExperimentSample(file, {
      treatment: 'segment',
      controlValue: 'No E-Mail',
      outcome: 'visit',
      exclude: ['id', 'spend', 'not_a_column'],
    });
    expect(s.rows).toBe(300);
    expect(s.columns.map((c) => c.name)).toEqual(['history', 'zip_code', 'channel', 'client']);
    const treated = s.t.reduce((a, b) => a + b, 0);
    expect(treated).toBe(200); // both mail variants count as treated
    expect(s.y.reduce((a, b) => a + b, 0)).toBe(120); // yes, YES
    expect(s.columns[1].levels).toContain('Urban, inner');
    expect(s.warnings.join(' ')).toMatch(/no column 'not_a_column'/);
  });

  it('--treatment-value keeps one mail variant and leaves the other out; gzip works', async () => {
    const file = writeCsv(tmp.dir, 'mail.csv.gz', mailRows(300), true);
    const s = await readExperimentSample(file, {
      treatment: 'segment',
      controlValue: 'No E-Mail',
      treatmentValue: 'Womens E-Mail',
      outcome: 'visit',
    });
    expect(s.rows).toBe(200);
    expect(s.skipped).toEqual({ 'another treatment': 100 });
    expect(s.t.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('says what to do when the treatment or the outcome cannot be read', async () => {
    const file = writeCsv(tmp.dir, 'mail.csv', mailRows(60));
    await expect(readExperimentSample(file, { treatment: 'segment', outcome: 'visit' })).rejects.toThrow(
      /values like 'Mens E-Mail'.*--control-value/,
    );
    await expect(
      readExperimentSample(file, { treatment: 'segment', controlValue: 'No E-Mail', outcome: 'spend' }),
    ).rejects.toThrow(/outcome column 'spend' is not binary: it has values like '9.5'/);
    await expect(
      readExperimentSample(file, { treatment: 'segment', controlValue: 'No E-Mail', outcome: 'conversion' }),
    ).rejects.toThrow(ExperimentFileError);
    await expect(
      readExperimentSample(file, { treatment: 'segment', controlValue: 'No E-Mail', outcome: 'conversion' }),
    ).rejects.toThrow(/no column 'conversion'.*columns are: id, history/);
  });

  it('binary treatment columns need no control value; rows without treatment or outcome are counted out', async () => {
    const file = writeCsv(tmp.dir, 'binary.csv', [
      'x,treated,converted',
      '1,1,0',
      '2,0,1',
      '3,true,false',
      '4,control,yes',
      '5,,1',
      '6,1,',
      '7,1,0,extra',
    ]);
    const s = await readExperimentSample(file, { treatment: 'treated', outcome: 'converted' });
    expect(Array.from(s.t)).toEqual([1, 0, 1, 0]);
    expect(Array.from(s.y)).toEqual([0, 1, 0, 1]);
    expect(s.skipped).toEqual({
      'no treatment value': 1,
      'no outcome value': 1,
      'wrong number of fields': 1,
    });
  });

  it('reads ISO dates as numbers (days), with or without a time', async () => {
    const file = writeCsv(tmp.dir, 'dates.csv', [
      'first_issue_date,t,y',
      '2018-03-15,1,0',
      '2018-03-16 12:00:00,0,1',
      '2018-03-17T00:00:00Z,1,1',
    ]);
    const s = await readExperimentSample(file, { treatment: 't', outcome: 'y' });
    const days = Array.from(s.columns[0].numbers).map((d) => d - 17605);
    expect(days).toEqual([0, 1.5, 2]);
  });

  it('samples a bigger file uniformly and says so', async () => {
    const file = writeCsv(tmp.dir, 'big.csv', mailRows(3000));
    const s = await readExperimentSample(
      file,
      { treatment: 'segment', controlValue: 'No E-Mail', outcome: 'visit' },
      { maxRows: 500 },
    );
    expect(s.rows).toBe(500);
    expect(s.usableRows).toBe(3000);
    // The sample spans the whole file, not its first 500 rows.
    const ids = Array.from(s.columns[0].numbers);
    expect(Math.max(...ids)).toBeGreaterThan(1000 + 2500);
    expect(s.warnings.join(' ')).toMatch(/3000 usable rows: a random 500 of them were used/);
  });

  it('encodes numbers (missing filled and flagged), categories (rare pooled, unseen as other) and drops identifiers', async () => {
    const file = writeCsv(tmp.dir, 'mail.csv', mailRows(3000));
    const s = await readExperimentSample(file, {
      treatment: 'segment',
      controlValue: 'No E-Mail',
      outcome: 'visit',
    });
    const enc = fitEncoder(s);
    expect(enc.dropped).toEqual([
      { name: 'id', why: expect.stringMatching(/looks like an identifier/) },
      { name: 'client', why: expect.stringMatching(/different value on almost every row/) },
    ]);
    const byName = Object.fromEntries(enc.columns.map((c) => [c.name, c]));
    expect(byName.history).toMatchObject({ kind: 'numeric', missingIndicator: true });
    expect(byName.spend).toMatchObject({ kind: 'numeric', missingIndicator: false });
    // Most common level first; 'Fax' occurs once: pooled into (other).
    expect(byName.channel).toMatchObject({
      kind: 'categorical',
      levels: ['Web', 'Multichannel', 'Phone'],
      other: true,
    });
    expect(enc.features).toEqual([
      'history',
      'history (missing)',
      'zip_code=Urban, inner',
      'zip_code=Rural',
      'zip_code=Suburban',
      'channel=Web',
      'channel=Multichannel',
      'channel=Phone',
      'channel=(other)',
      'spend',
    ]);
    const m = encodeSample(enc, s);
    expect(m.rows).toBe(3000);
    // Row 0: history NA -> filled with the median and flagged; zip "Urban, inner"; channel Web.
    const row0 = Array.from(m.x.subarray(0, m.cols));
    expect(row0[1]).toBe(1);
    expect(row0.slice(2, 5)).toEqual([1, 0, 0]);
    expect(row0.slice(5, 9)).toEqual([1, 0, 0, 0]);
    // A test file's row with an unseen channel and a column order of its own.
    const header = ['visit', 'segment', 'spend', 'channel', 'zip_code', 'history', 'id', 'client'];
    const encode = recordEncoder(enc, header, columnIndex);
    const out = new Float32Array(enc.features.length);
    encode(['yes', 'No E-Mail', '0', 'Carrier pigeon', 'Rural', '120', '5', 'c1'], out, 0);
    expect(Array.from(out.slice(0, 9))).toEqual([120, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(() => recordEncoder(enc, ['visit', 'segment'], columnIndex)).toThrow(
      /missing feature column\(s\): history/,
    );
  });
});
