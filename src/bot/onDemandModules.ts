import Module, { createRequire } from 'node:module';
import * as path from 'node:path';

/** Loads a module synchronously, as a static import would, but when called. */
const load = createRequire(__filename);

type Exports = Record<PropertyKey, unknown>;

/**
 * Puts a stand-in for the module at `file` into Node's module cache: the names in `early` come
 * from where they are defined (for code that uses them as it loads), and any other use of the
 * module loads the real one, which from then on is what the cache and the stand-in hand out. The
 * values are the same either way, so nothing behaves differently; the module is only loaded
 * later, if ever. False when the module was loaded already (then there is nothing to defer).
 */
export function loadOnDemand(
  file: string,
  early: Record<string, () => unknown> = {},
  callable = false,
): boolean {
  if (load.cache[file]) return false;
  let real: Exports | undefined;
  const loaded = (): Exports => {
    if (!real) {
      delete load.cache[file];
      real = load(file) as Exports;
    }
    return real;
  };
  // A module whose export is a function (called, never constructed) needs a stand-in that can be called.
  const target: Exports = callable ? ((() => undefined) as unknown as Exports) : {};
  const standIn = new Proxy<Exports>(target, {
    apply: (_target, self, args) =>
      Reflect.apply(loaded() as unknown as (...a: unknown[]) => unknown, self, args),
    get: (_target, name) =>
      !real && typeof name === 'string' && early[name] ? early[name]() : loaded()[name],
    has: (_target, name) => name in loaded(),
    ownKeys: () => Reflect.ownKeys(loaded()),
    // A module's exports may be getters that cannot be reconfigured; the stand-in's copies can be.
    getOwnPropertyDescriptor: (_target, name) => {
      const found = Reflect.getOwnPropertyDescriptor(loaded(), name);
      return found && { value: loaded()[name], enumerable: found.enumerable, configurable: true };
    },
  });
  const cached = new Module(file);
  cached.filename = file;
  cached.loaded = true;
  cached.exports = standIn;
  load.cache[file] = cached;
  return true;
}

/**
 * teams-ai's `Application` loads, as it loads, modules this bot never uses, since it configures
 * neither sign-in nor AI:
 * - its sign-in module loads botbuilder-dialogs' package index, with every prompt and the
 *   Recognizers-Text culture models (about 17 MB of heap and a fifth of start-up), and its own
 *   copy of MSAL. A sign-in prompt extends `Dialog` as its module loads, so that one name comes
 *   from its own module; the bot's wizard imports what it uses from the dialog modules directly.
 * - its AI module loads the planners' actions and the content-safety moderators.
 * These wait for their first use instead. Called by the entry file before the bot's modules load;
 * returns the modules deferred (none when they were loaded already).
 */
export function deferUnusedTeamsAiModules(): string[] {
  const signIn = createRequire(load.resolve('@microsoft/teams-ai/lib/authentication/Authentication'));
  const deferred = [
    {
      file: load.resolve('botbuilder-dialogs'),
      early: {
        Dialog: () => (load('botbuilder-dialogs/lib/dialog') as { Dialog: unknown }).Dialog,
      },
    },
    { file: signIn.resolve('@azure/msal-node') },
    { file: load.resolve('@microsoft/teams-ai/lib/AI') },
  ].filter(({ file, early }) => loadOnDemand(file, early));
  return deferred.map(({ file }) => path.relative(process.cwd(), file));
}

/**
 * The Bot Framework SDK and restify load, as they load, modules for features this bot does not
 * use or uses only in some configurations:
 * - botframework-connector: MSAL (for an app id with a password or certificate: the first
 *   token), Azure Identity with its own MSAL (managed identity only), axios (bot-to-bot calls
 *   only), node-fetch (token validation's OpenID metadata) and cross-fetch (the Emulator);
 * - botbuilder: the streaming transport with its WebSocket server (Direct Line ASE and named
 *   pipes; its CloudAdapter extends the request handler class as it loads, which comes from its
 *   own module) and the HTML parser of the speak middleware;
 * - restify: SPDY (HTTP/2 when the server is made with `spdy` options) and HTTP Signature
 *   parsing (an Authorization header of that scheme).
 * About 10 MB of live heap that a local bot never uses, and V8 lets the old generation grow to up
 * to four times the live heap before a full collection, so it weighs on the peak memory several
 * times. They load when first used instead. Called with {@link deferUnusedTeamsAiModules}.
 */
export function deferUnusedFrameworkModules(): string[] {
  const auth = createRequire(load.resolve('botframework-connector/lib/auth/index'));
  const connector = createRequire(load.resolve('botframework-connector/lib/emulatorApiClient'));
  const botbuilder = createRequire(load.resolve('botbuilder'));
  const restify = createRequire(load.resolve('restify'));
  const plugins = createRequire(restify.resolve('./plugins/authorization'));
  const deferred: { file: string; early?: Record<string, () => unknown> }[] = [
    { file: auth.resolve('@azure/msal-node') },
    { file: auth.resolve('@azure/identity') },
    // `__importDefault` asks whether axios is an ES module as it loads; it is not.
    { file: auth.resolve('axios'), early: { __esModule: () => undefined } },
    // node-fetch (with its URL parser and Unicode tables) serves the OpenID metadata of token
    // validation, with an app id; cross-fetch, which loads it, only the Emulator's OAuth cards.
    // Both are read through `default`, so `__importDefault` must take each for an ES module.
    { file: auth.resolve('node-fetch'), early: { __esModule: () => true } },
    { file: connector.resolve('cross-fetch'), early: { __esModule: () => true } },
    {
      file: botbuilder.resolve('botframework-streaming'),
      early: {
        RequestHandler: () =>
          (botbuilder('botframework-streaming/lib/requestHandler') as { RequestHandler: unknown })
            .RequestHandler,
      },
    },
    { file: botbuilder.resolve('htmlparser2') },
    { file: restify.resolve('spdy') },
    { file: plugins.resolve('http-signature') },
  ];
  return deferred
    .filter(({ file, early }) => loadOnDemand(file, early))
    .map(({ file }) => path.relative(process.cwd(), file));
}

/**
 * adaptive-expressions, which the templating engine loads with the first card, loads as it
 * loads the libraries of expression functions the bot's card templates do not call (about 1.4 MB
 * of live heap and a hundred modules, kept for the life of the process): lodash's deep equality
 * (`==` between two objects), uuid (`newGuid`), fast-xml-parser (`xml`), JSPath (`jPath`) and the
 * Timex parser (the `isDefinite`, `isDuration`… family and the viable-date functions). They load
 * when an expression first calls them instead. Its big-integer is used as it loads, and stays.
 * Called with {@link deferUnusedTeamsAiModules}.
 */
export function deferUnusedTemplatingModules(): string[] {
  const expressions = createRequire(load.resolve('adaptive-expressions'));
  // `__importDefault` and `__importStar` ask whether each is an ES module as its users load.
  const deferred: { file: string; early?: Record<string, () => unknown>; callable?: boolean }[] = [
    { file: expressions.resolve('lodash/isEqual'), early: { __esModule: () => undefined }, callable: true },
    { file: expressions.resolve('uuid') },
    { file: expressions.resolve('fast-xml-parser') },
    { file: expressions.resolve('jspath'), early: { __esModule: () => true } },
    { file: expressions.resolve('@microsoft/recognizers-text-data-types-timex-expression') },
  ];
  return deferred
    .filter(({ file, early, callable }) => loadOnDemand(file, early, callable))
    .map(({ file }) => path.relative(process.cwd(), file));
}
