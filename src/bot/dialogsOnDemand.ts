import Module, { createRequire } from 'node:module';

/** Loads a module synchronously, as a static import would, but when called. */
const load = createRequire(__filename);

/**
 * teams-ai's `Application` loads its sign-in module, and that loads botbuilder-dialogs' package
 * index: every prompt and, through them, the Recognizers-Text culture models (about 17 MB of heap
 * and a fifth of start-up) — for sign-in flows this bot never configures. The bot's own dialogs
 * import the few classes they use from their own modules (`botbuilder-dialogs/lib/…`), which do
 * not need the index.
 *
 * This puts a stand-in for the index into Node's module cache: `Dialog` (which a teams-ai sign-in
 * prompt extends as its module loads) comes from its own module, and any other use of the index
 * loads the real one then, which from that moment is what the cache and the stand-in hand out.
 * The classes are the same either way (the index re-exports those very modules), so nothing
 * behaves differently; the index is only loaded later, if ever.
 *
 * Called by the entry file before the bot's modules are loaded. Returns false when the index was
 * loaded already (then there is nothing to defer).
 */
export function loadDialogsIndexOnDemand(): boolean {
  const indexFile = load.resolve('botbuilder-dialogs');
  if (load.cache[indexFile]) return false;
  const early: Record<string, () => unknown> = {
    Dialog: () => (load('botbuilder-dialogs/lib/dialog') as { Dialog: unknown }).Dialog,
  };
  let index: Record<PropertyKey, unknown> | undefined;
  const realIndex = (): Record<PropertyKey, unknown> => {
    if (!index) {
      delete load.cache[indexFile];
      index = load(indexFile) as Record<PropertyKey, unknown>;
    }
    return index;
  };
  const standIn = new Proxy<Record<PropertyKey, unknown>>(
    {},
    {
      get: (_target, name) =>
        !index && typeof name === 'string' && early[name] ? early[name]() : realIndex()[name],
      has: (_target, name) => name in realIndex(),
      ownKeys: () => Reflect.ownKeys(realIndex()),
      // The index's exports are getters that cannot be reconfigured; the stand-in's copies can be.
      getOwnPropertyDescriptor: (_target, name) => {
        const found = Reflect.getOwnPropertyDescriptor(realIndex(), name);
        return found && { value: realIndex()[name], enumerable: found.enumerable, configurable: true };
      },
    },
  );
  const cached = new Module(indexFile);
  cached.filename = indexFile;
  cached.loaded = true;
  cached.exports = standIn;
  load.cache[indexFile] = cached;
  return true;
}
