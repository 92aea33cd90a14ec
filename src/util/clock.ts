/** The one source of "now": tests hand in a clock they can move forward. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Milliseconds in a day, for expiry arithmetic. */
export const DAY_MS = 24 * 60 * 60 * 1000;
