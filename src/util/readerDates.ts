import type { TurnContext } from 'botbuilder';
import {
  createDateFormatter,
  readerPreferencesProblems,
  type DateFormatter,
  type ReaderPreferences,
} from './dates';
import type { Logger } from './logger';

const CACHE_KEY = Symbol('readerDates');

/**
 * The time zone and locale the person's Teams client reports in the activity's clientInfo entity
 * (`{ type: 'clientInfo', timezone: 'Europe/Berlin', locale: 'de-DE' }`). Only clientInfo counts:
 * the activity's own `locale` is the bot channel's, not necessarily the reader's.
 */
export function readerPreferencesOf(context: TurnContext): ReaderPreferences {
  const entities: unknown[] = Array.isArray(context.activity.entities) ? context.activity.entities : [];
  const info = entities.find(
    (e): e is Record<string, unknown> =>
      !!e && typeof e === 'object' && (e as { type?: unknown }).type === 'clientInfo',
  );
  if (!info) return {};
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  return { timeZone: text(info.timezone), locale: text(info.locale) };
}

/**
 * How this turn's reader sees dates: their zone and locale, or UTC (which every date then says).
 * Computed once per turn; a zone or locale this runtime does not know is logged and ignored.
 */
export function readerDates(context: TurnContext, logger: Logger): DateFormatter {
  const cached = context.turnState.get(CACHE_KEY) as DateFormatter | undefined;
  if (cached) return cached;
  const preferences = readerPreferencesOf(context);
  const problems = readerPreferencesProblems(preferences);
  if (problems.length > 0) logger.warn('clientInfo ignored', { problems });
  const formatter = createDateFormatter(preferences);
  context.turnState.set(CACHE_KEY, formatter);
  return formatter;
}
