import { createDateFormatter, readerPreferencesProblems, UTC_DATES } from '../../../src/util/dates';

const AT = '2026-03-02T09:05:00.000Z';

describe('date formatter', () => {
  test('without preferences: UTC in the neutral form, and it says UTC', () => {
    expect(UTC_DATES.dateTime(AT)).toBe('2026-03-02 09:05 UTC');
    expect(UTC_DATES.date(AT)).toBe('2026-03-02');
    expect(UTC_DATES.timeZone).toBe('UTC');
  });

  test("a reader's zone and locale: their wall clock in their locale's format, naming the zone", () => {
    const berlin = createDateFormatter({ timeZone: 'Europe/Berlin', locale: 'de-DE' });
    expect(berlin.dateTime(AT)).toBe('02.03.2026, 10:05 (Europe/Berlin)');
    expect(berlin.date(AT)).toBe('02.03.2026');
    const seattle = createDateFormatter({ timeZone: 'America/Los_Angeles', locale: 'en-US' });
    // Eight hours behind; ICU versions differ on the space before AM.
    expect(seattle.dateTime(AT)).toMatch(/^Mar 2, 2026, 1:05\sAM \(America\/Los_Angeles\)$/);
    expect(createDateFormatter({ timeZone: 'Asia/Tokyo' }).dateTime('2026-03-02T20:00:00Z')).toBe(
      '2026-03-03 05:00 (Asia/Tokyo)',
    );
  });

  test('a locale without a zone formats in UTC and says UTC', () => {
    expect(createDateFormatter({ locale: 'en-GB' }).dateTime(AT)).toBe('2 Mar 2026, 09:05 UTC');
  });

  test('an unknown zone or locale is dropped (UTC, neutral form) and reported', () => {
    const bad = { timeZone: 'Mars/Olympus_Mons', locale: 'not a locale!' };
    expect(createDateFormatter(bad).dateTime(AT)).toBe('2026-03-02 09:05 UTC');
    expect(readerPreferencesProblems(bad)).toEqual([
      'unknown time zone "Mars/Olympus_Mons"; dates are shown in UTC',
      'unknown locale "not a locale!"; dates use the neutral format',
    ]);
    expect(readerPreferencesProblems({ timeZone: 'Europe/Berlin', locale: 'de-DE' })).toEqual([]);
  });

  test('missing and unreadable dates say so', () => {
    expect(UTC_DATES.dateTime(undefined)).toBe('never');
    expect(UTC_DATES.dateTime('yesterday-ish')).toBe('unknown');
    expect(UTC_DATES.dateTime(new Date(AT))).toBe('2026-03-02 09:05 UTC');
  });
});
