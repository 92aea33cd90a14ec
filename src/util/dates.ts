import { BoundedMap } from './boundedMap';

/**
 * How one reader sees dates on cards: in their own time zone and their locale's format when Teams
 * told us (the clientInfo entity), otherwise in UTC. Every date on a card names its zone, so a
 * card forwarded to someone elsewhere, or a channel card read by a team spread over zones, is
 * never ambiguous.
 */
export interface DateFormatter {
  /** IANA zone the dates are shown in; 'UTC' when the reader's zone is unknown. */
  readonly timeZone: string;
  /** BCP 47 locale whose date format is used; undefined = the neutral `2026-12-05 14:03` form. */
  readonly locale?: string;
  /** Date and time to the minute, with the zone: `2026-12-05 14:03 UTC`, `05.12.2026, 15:03 (Europe/Berlin)`. */
  readonly dateTime: (at: string | Date | undefined) => string;
  /** The calendar date in the reader's zone: `2026-12-05`, `05.12.2026`. */
  readonly date: (at: string | Date | undefined) => string;
}

/** What a reader's client says about them; either may be missing or wrong. */
export interface ReaderPreferences {
  timeZone?: string;
  locale?: string;
}

/** True when this runtime knows the IANA time zone (e.g. Europe/Berlin). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** True when `value` is a well-formed locale this runtime can format dates for. */
export function isLocale(value: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([value]).length > 0;
  } catch {
    return false;
  }
}

function toDate(at: string | Date | undefined): Date | 'never' | 'unknown' {
  if (at === undefined || at === '') return 'never';
  const date = at instanceof Date ? at : new Date(at);
  return Number.isNaN(date.getTime()) ? 'unknown' : date;
}

type WallClock = Record<'year' | 'month' | 'day' | 'hour' | 'minute', string>;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** A wall clock in `timeZone`: UTC straight from the date, other zones through one Intl formatter. */
function wallClockIn(timeZone: string): (date: Date) => WallClock {
  if (timeZone === 'UTC') {
    return (date) => ({
      year: String(date.getUTCFullYear()),
      month: pad2(date.getUTCMonth() + 1),
      day: pad2(date.getUTCDate()),
      hour: pad2(date.getUTCHours()),
      minute: pad2(date.getUTCMinutes()),
    });
  }
  // Building an Intl.DateTimeFormat costs far more than formatting with one: made once per zone.
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (date) => {
    const parts = format.formatToParts(date);
    const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
    return {
      year: get('year'),
      month: get('month'),
      day: get('day'),
      hour: get('hour'),
      minute: get('minute'),
    };
  };
}

/**
 * A formatter for one reader. An unknown zone or locale is dropped (UTC, neutral format) rather
 * than failing: the caller decides whether to log it, see {@link readerPreferencesProblems}.
 */
export function createDateFormatter(preferences: ReaderPreferences = {}): DateFormatter {
  // Readers share a handful of zones and locales, and a formatter keeps no state between calls:
  // one per pair serves every turn (Intl formatters are costly to build). Bounded, as the
  // strings come from clients.
  const key = `${preferences.timeZone ?? ''}\u0000${preferences.locale ?? ''}`;
  let formatter = FORMATTERS.get(key);
  if (!formatter) {
    formatter = buildDateFormatter(preferences);
    FORMATTERS.set(key, formatter);
  }
  return formatter;
}

/** Formatters made, by the preferences they were made for. */
const FORMATTERS = new BoundedMap<string, DateFormatter>(256);

function buildDateFormatter(preferences: ReaderPreferences): DateFormatter {
  const timeZone =
    preferences.timeZone && isTimeZone(preferences.timeZone)
      ? new Intl.DateTimeFormat('en', { timeZone: preferences.timeZone }).resolvedOptions().timeZone
      : 'UTC';
  const utc = timeZone === 'UTC' || timeZone === 'Etc/UTC';
  const zone = utc ? 'UTC' : timeZone;
  const locale = preferences.locale && isLocale(preferences.locale) ? preferences.locale : undefined;
  const localDateTime = locale
    ? new Intl.DateTimeFormat(locale, { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })
    : undefined;
  const localDate = locale
    ? new Intl.DateTimeFormat(locale, { timeZone: zone, dateStyle: 'medium' })
    : undefined;
  const suffix = utc ? ' UTC' : ` (${zone})`;
  const wallClock = wallClockIn(zone);

  return {
    timeZone: zone,
    locale,
    dateTime: (at) => {
      const date = toDate(at);
      if (typeof date === 'string') return date;
      if (localDateTime) return `${localDateTime.format(date)}${suffix}`;
      const w = wallClock(date);
      return `${w.year}-${w.month}-${w.day} ${w.hour}:${w.minute}${suffix}`;
    },
    date: (at) => {
      const date = toDate(at);
      if (typeof date === 'string') return date;
      if (localDate) return localDate.format(date);
      const w = wallClock(date);
      return `${w.year}-${w.month}-${w.day}`;
    },
  };
}

/** What is wrong with a reader's preferences, one sentence each (for a log line); empty when fine. */
export function readerPreferencesProblems(preferences: ReaderPreferences): string[] {
  const problems: string[] = [];
  if (preferences.timeZone !== undefined && !isTimeZone(preferences.timeZone)) {
    problems.push(`unknown time zone "${preferences.timeZone.slice(0, 60)}"; dates are shown in UTC`);
  }
  if (preferences.locale !== undefined && !isLocale(preferences.locale)) {
    problems.push(`unknown locale "${preferences.locale.slice(0, 60)}"; dates use the neutral format`);
  }
  return problems;
}

/**
 * Dates for cards nobody in particular reads: proactive cards (the expiry digest to a channel,
 * notices) carry no client's time zone, so they are in UTC and say so.
 */
export const UTC_DATES: DateFormatter = createDateFormatter();
