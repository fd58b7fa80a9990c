import { ZonedTimestampParser } from '../../data/import/timestamps';

describe('timestamps in order exports', () => {
  const london = new ZonedTimestampParser('Europe/London');

  it.each([
    ['12/1/2010 8:26', '2010-12-01T08:26:00.000Z'], // UCI month/day/year, winter (GMT)
    ['6/9/2011 13:05', '2011-06-09T12:05:00.000Z'], // summer (BST = UTC+1)
    ['2011-06-09 13:05:00', '2011-06-09T12:05:00.000Z'],
    ['2011-06-09T13:05', '2011-06-09T12:05:00.000Z'],
    ['2011-06-09', '2011-06-08T23:00:00.000Z'],
    ['2011-06-09T13:05:00+02:00', '2011-06-09T11:05:00.000Z'], // explicit offsets win over the zone
    ['2011-06-09T13:05:00Z', '2011-06-09T13:05:00.000Z'],
  ])('%s -> %s', (text, iso) => expect(london.parse(text)).toBe(iso));

  it('gets the hours around daylight-saving changes right', () => {
    // Clocks went forward at 01:00 UTC on 27 March 2011 and back at 01:00 UTC on 30 October 2011.
    expect(london.parse('3/27/2011 0:30')).toBe('2011-03-27T00:30:00.000Z');
    expect(london.parse('3/27/2011 2:30')).toBe('2011-03-27T01:30:00.000Z');
    expect(london.parse('10/30/2011 2:30')).toBe('2011-10-30T02:30:00.000Z');
    const ny = new ZonedTimestampParser('America/New_York');
    expect(ny.parse('2011-07-04 12:00')).toBe('2011-07-04T16:00:00.000Z');
    expect(ny.parse('2011-01-04 12:00')).toBe('2011-01-04T17:00:00.000Z');
  });

  it.each([
    '',
    'yesterday',
    '13/1/2010 8:26',
    '2/30/2011 10:00',
    '2011-04-31',
    '2011-06-09 25:00',
    '2011-06-09T13:05:00+99:00',
  ])('rejects %j', (text) => expect(london.parse(text)).toBeUndefined());
});
