/**
 * Runs `run` once, `ms` from now. The port through which caches that shrink when traffic stops
 * schedule their own clean-up; tests hand in one they fire by hand.
 */
export type Later = (ms: number, run: () => void) => void;

/** A timer that does not keep the process alive: a bot that is stopping need not wait for a cache. */
export const unrefLater: Later = (ms, run) => {
  setTimeout(run, ms).unref();
};
