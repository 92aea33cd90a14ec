/** Which expiry notice is due, from the days left and EXPIRY_NOTICE_DAYS (pure arithmetic). */

/** The threshold number of the notice sent when a connector is deauthorized. */
export const DEAUTHORIZED_THRESHOLD = 0;

/**
 * The notice due for a connector with `daysLeft` days left: the smallest threshold it has
 * crossed (30, 14, 7, 1 by default). Several crossed at once (the bot was down) give only the
 * latest, so nobody gets a burst of stale notices. Undefined before the first threshold.
 */
export function dueThreshold(daysLeft: number, noticeDays: readonly number[]): number | undefined {
  const crossed = noticeDays.filter((t) => daysLeft <= t);
  return crossed.length > 0 ? Math.min(...crossed) : undefined;
}

/** The threshold after `current` (the one a snooze suppresses), or undefined after the last. */
export function nextThreshold(current: number, noticeDays: readonly number[]): number | undefined {
  const later = noticeDays.filter((t) => t < current);
  return later.length > 0 ? Math.max(...later) : undefined;
}
