/**
 * Runs `run` once, `ms` from now. The port through which caches that shrink when traffic stops
 * schedule their own clean-up; tests hand in one they fire by hand.
 */
export type Later = (ms: number, run: () => void) => void;

/** A timer that does not keep the process alive: a bot that is stopping need not wait for a cache. */
export const unrefLater: Later = (ms, run) => {
  setTimeout(run, ms).unref();
};

/**
 * A clean-up that runs every `ms` while `holds()` says there is something to clean: call the
 * returned function after adding an entry. One timer is pending at most, and none once the
 * holder is empty, so an idle holder costs no wake-ups. Without `later`, it never runs.
 */
export function tidyWhileHolding(
  later: Later | undefined,
  ms: number,
  holds: () => boolean,
  tidy: () => void,
): () => void {
  let pending = false;
  const schedule = (): void => {
    if (!later || pending || !holds()) return;
    pending = true;
    later(ms, () => {
      pending = false;
      tidy();
      schedule();
    });
  };
  return schedule;
}
