import type { StoreItems } from 'botbuilder';

/**
 * An empty result for a state read, keyed by storage keys. Without a prototype V8 keeps it as a
 * dictionary: a plain `{}` given a property named after a conversation makes V8 derive a new
 * hidden class from the empty object's, one per conversation, and every turn's read paid for
 * inserting it into a transition list thousands long (a perf profile of wizard steps at 50
 * conversations put 2–4% of the bot's CPU there).
 */
export function keyedItems(): StoreItems {
  return Object.create(null) as StoreItems;
}
