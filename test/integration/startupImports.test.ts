/**
 * Start-up loads what every configuration needs and no more (issue 18): the Graph client and the
 * bot's own MSAL wait for the first Graph call, ajv for the first management API body, the
 * Storage SDK for the first Azure Blob key check, botbuilder-dialogs' index (its prompts and the
 * text recognizers) until something other than the bot's wizard asks for it,
 * botframework-connector's MSAL, Azure Identity, axios and node-fetch until a credential, a
 * bot-to-bot call or a token check needs them, botbuilder's streaming transport and HTML parser
 * and restify's SPDY and HTTP Signature modules until a feature that uses them does, and
 * teams-ai's AI half (OpenAI client, GPT tokenizer) is never loaded; the templating engine, which
 * every card needs, loads at start-up, and the libraries of expression functions the card
 * templates never call wait for an expression that calls them; a reply does not load Node's fetch
 * implementation, which the bot never uses. The compiled bot runs with a
 * preloaded probe that writes, when the process exits, the files it had loaded from the
 * repository's own node_modules.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeUser, personalChat } from '../harness/activities';
import { freePort, spawnBot, waitForHealth } from '../harness/childBot';
import { ConnectorStandIn } from '../harness/connectorStandIn';
import { TeamsClient } from '../harness/teamsClient';
import { makeTempDir, removeTempDir } from '../harness/testBot';

const ROOT_MODULES = path.join(__dirname, '..', '..', 'node_modules') + path.sep;

const PROBE = `
const fs = require('node:fs');
const { isProxy } = require('node:util').types;
process.on('exit', () => {
  const loaded = new Set();
  for (const file of Object.keys(require.cache)) {
    if (!file.startsWith(process.env.ROOT_MODULES)) continue;
    // A stand-in for a module loaded on demand (src/bot/onDemandModules.ts) has loaded nothing yet.
    if (isProxy(require.cache[file].exports)) continue;
    // The package at the top of the repository's node_modules (a nested copy counts as its parent's).
    const m = /^((?:@[^/]+\\/)?[^/]+)\\//.exec(file.slice(process.env.ROOT_MODULES.length));
    if (m) loaded.add(m[1]);
  }
  fs.writeFileSync(process.env.LOADED_PACKAGES_FILE, JSON.stringify([...loaded]));
});
`;

const NOT_AT_START_UP = [
  '@microsoft/microsoft-graph-client',
  '@azure/msal-node',
  'ajv',
  'ajv-formats',
  '@azure/storage-blob',
  'openai',
  'gpt-tokenizer',
  '@microsoft/recognizers-text-suite',
  '@azure/identity',
  'axios',
  // botframework-streaming's request handler loads (botbuilder extends it); its index and WebSocket server do not.
  'ws',
  'htmlparser2',
  'spdy',
  'http-signature',
  'sshpk',
  'node-fetch',
  'cross-fetch',
  'whatwg-url',
  'tr46',
  // Expression functions no card template calls (the templating engine itself loads at start-up).
  'fast-xml-parser',
  'jspath',
];

let dir: string;
beforeEach(() => {
  dir = makeTempDir('imports-');
});
afterEach(() => removeTempDir(dir));

test('a local bot with Graph and the management API configured loads them only when first used', async () => {
  const probe = path.join(dir, 'probe.js');
  const out = path.join(dir, 'loaded.json');
  fs.writeFileSync(probe, PROBE);
  const bot = spawnBot({
    PORT: String(await freePort()),
    DATA_DIR: path.join(dir, 'data'),
    NODE_OPTIONS: `--require ${probe}`,
    LOADED_PACKAGES_FILE: out,
    ROOT_MODULES,
    GRAPH_CLIENT_ID: '00000000-0000-4000-8000-0000000000aa',
    GRAPH_CLIENT_SECRET: 'not-used-until-the-first-graph-call',
    API_TOKEN: 'a-management-api-token-of-32-chars-or-more',
  });
  // A loaded machine starts the bot slowly; the test is about what it loads, not how fast.
  expect((await waitForHealth(bot, 90_000)).status).toBe(200);
  expect(await bot.stop()).toBe(0);
  const loaded = JSON.parse(fs.readFileSync(out, 'utf8')) as string[];
  // The templating engine binds every card in every configuration, so the first card does not wait for it.
  expect(loaded).toEqual(
    expect.arrayContaining([
      '@microsoft/teams-ai',
      'botbuilder',
      'better-sqlite3',
      'adaptivecards-templating',
      'adaptive-expressions',
    ]),
  );
  expect(loaded.filter((p) => NOT_AT_START_UP.includes(p))).toEqual([]);
}, 120_000);

test("a reply through the Bot Connector does not load Node's fetch implementation (undici)", async () => {
  const probe = path.join(dir, 'probe.js');
  const out = path.join(dir, 'undici.json');
  // Node loads its fetch implementation as one internal module, listed once loaded.
  fs.writeFileSync(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(process.env.UNDICI_FILE, JSON.stringify(
      process.moduleLoadList.some((m) => m.includes('internal/deps/undici/undici')))));`,
  );
  const standIn = new ConnectorStandIn();
  await standIn.start();
  const bot = spawnBot({
    PORT: String(await freePort()),
    DATA_DIR: path.join(dir, 'data'),
    NODE_OPTIONS: `--require ${probe}`,
    UNDICI_FILE: out,
  });
  try {
    expect((await waitForHealth(bot, 90_000)).status).toBe(200);
    const user = makeUser('Ann');
    const chat = new TeamsClient(
      bot.url,
      standIn,
      user,
      personalChat('55555555-5555-4555-8555-555555555555', user),
    );
    expect((await chat.say('help')).replies.length).toBeGreaterThan(0);
  } finally {
    expect(await bot.stop()).toBe(0);
    await standIn.stop();
  }
  expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toBe(false);
}, 120_000);

/** Runs a script in a fresh Node process from the project root and parses what it wrote as JSON. */
function runProbe(script: string): Record<string, unknown> {
  return JSON.parse(
    execFileSync(process.execPath, ['--disable-warning=DEP0111', '-e', script], {
      cwd: path.join(__dirname, '..', '..'),
      encoding: 'utf8',
    }),
  ) as Record<string, unknown>;
}

test("teams-ai's unused modules load when first used, and are then the real ones", () => {
  // In a process of its own: the stand-ins live in Node's module cache, which jest replaces.
  const script = `
    const { deferUnusedTeamsAiModules } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'src', 'bot', 'onDemandModules.js'))});
    const { MemoryStorage } = require('botbuilder');
    const loaded = (part) => Object.keys(require.cache).filter((f) => f.includes(part)).length;
    const seen = { deferred: deferUnusedTeamsAiModules().length };
    const { Application } = require('@microsoft/teams-ai/lib/Application');
    new Application({ storage: new MemoryStorage() });
    seen.recognizers = loaded('recognizers-text');
    seen.msal = loaded('teams-ai/node_modules/@azure/msal-node/');
    seen.planners = loaded('teams-ai/lib/planners/');
    const dialogs = require('botbuilder-dialogs');
    seen.sameDialog = dialogs.Dialog === require('botbuilder-dialogs/lib/dialog').Dialog;
    seen.recognizersAfterDialog = loaded('recognizers-text');
    seen.prompt = typeof dialogs.OAuthPrompt;
    seen.recognizersAfterPrompt = loaded('recognizers-text') > 0;
    seen.samePrompt = require('botbuilder-dialogs').OAuthPrompt === dialogs.OAuthPrompt;
    seen.sameSet = dialogs.DialogSet === require('botbuilder-dialogs/lib/dialogSet').DialogSet;
    seen.ai = typeof require('@microsoft/teams-ai/lib/AI').AI;
    seen.againDeferred = deferUnusedTeamsAiModules().length;
    process.stdout.write(JSON.stringify(seen));
  `;
  const seen = runProbe(script);
  expect(seen).toEqual({
    deferred: 3,
    recognizers: 0,
    msal: 1,
    planners: 0,
    sameDialog: true,
    recognizersAfterDialog: 0,
    prompt: 'function',
    recognizersAfterPrompt: true,
    samePrompt: true,
    sameSet: true,
    ai: 'function',
    againDeferred: 0,
  });
}, 60_000);

test("the Bot Framework SDK's and restify's unused modules load when first used, and are then the real ones", () => {
  // In a process of its own, as above.
  const script = `
    const { deferUnusedFrameworkModules } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'src', 'bot', 'onDemandModules.js'))});
    const auth = require('node:module').createRequire(require.resolve('botframework-connector/lib/auth/index'));
    // A stand-in sits in the module cache too, but loads nothing; the real module loads others.
    const real = (name) => (require.cache[auth.resolve(name)]?.children.length ?? 0) > 0;
    const seen = { deferred: deferUnusedFrameworkModules().length };
    const connector = require('botframework-connector');
    require('botbuilder');
    seen.atLoad = { msal: real('@azure/msal-node'), identity: real('@azure/identity'), axios: real('axios') };
    const credentials = new connector.MsalAppCredentials(
      '00000000-0000-4000-8000-0000000000aa',
      'a password',
      'https://login.microsoftonline.com/botframework.com',
    );
    const msal = auth('@azure/msal-node');
    seen.msal = real('@azure/msal-node');
    seen.realMsal = credentials.clientApplication instanceof msal.ConfidentialClientApplication;
    const identity = auth('@azure/identity');
    const provider = new connector.JwtTokenProviderFactory().createAzureServiceTokenProvider('00000000-0000-4000-8000-0000000000aa');
    seen.realIdentity = provider instanceof identity.DefaultAzureCredential;
    const { BotFrameworkClientImpl } = require('botframework-connector/lib/auth/botFrameworkClientImpl');
    const client = new BotFrameworkClientImpl(new connector.PasswordServiceClientCredentialFactory('', ''), 'https://login.example');
    seen.axios = real('axios');
    seen.axiosCreate = typeof auth('axios').create;
    seen.client = typeof client.postActivity;
    const bb = require('node:module').createRequire(require.resolve('botbuilder'));
    const restify = require('node:module').createRequire(require.resolve('restify'));
    const plugins = require('node:module').createRequire(restify.resolve('./plugins/authorization'));
    seen.others = {
      streaming: (require.cache[bb.resolve('botframework-streaming')]?.children.length ?? 0) > 0,
      html: (require.cache[bb.resolve('htmlparser2')]?.children.length ?? 0) > 0,
      spdy: (require.cache[restify.resolve('spdy')]?.children.length ?? 0) > 0,
      signature: (require.cache[plugins.resolve('http-signature')]?.children.length ?? 0) > 0,
    };
    // CloudAdapter extends the request handler as it loads, taken from its own module: the real one's.
    const streaming = bb('botframework-streaming');
    seen.sameHandler = bb('botframework-streaming/lib/requestHandler').RequestHandler === streaming.RequestHandler;
    seen.streaming = typeof streaming.WebSocketServer;
    seen.html = typeof bb('htmlparser2').parseDocument;
    seen.spdy = typeof restify('spdy').createServer;
    seen.signature = typeof plugins('http-signature').parseRequest;
    // As TypeScript's __importDefault reads them (the OpenID metadata and the Emulator client).
    const importDefault = (mod) => (mod && mod.__esModule ? mod : { default: mod });
    const connectorRequire = require('node:module').createRequire(require.resolve('botframework-connector/lib/emulatorApiClient'));
    seen.fetchAtLoad = { nodeFetch: real('node-fetch'), crossFetch: (require.cache[connectorRequire.resolve('cross-fetch')]?.children.length ?? 0) > 0 };
    seen.fetch = typeof importDefault(auth('node-fetch')).default;
    seen.crossFetch = typeof importDefault(connectorRequire('cross-fetch')).default;
    seen.fetchLoaded = { nodeFetch: real('node-fetch'), crossFetch: (require.cache[connectorRequire.resolve('cross-fetch')]?.children.length ?? 0) > 0 };
    seen.againDeferred = deferUnusedFrameworkModules().length;
    process.stdout.write(JSON.stringify(seen));
  `;
  const seen = runProbe(script);
  expect(seen).toEqual({
    deferred: 9,
    atLoad: { msal: false, identity: false, axios: false },
    msal: true,
    realMsal: true,
    realIdentity: true,
    axios: true,
    axiosCreate: 'function',
    client: 'function',
    others: { streaming: false, html: false, spdy: false, signature: false },
    sameHandler: true,
    streaming: 'function',
    html: 'function',
    spdy: 'function',
    signature: 'function',
    fetchAtLoad: { nodeFetch: false, crossFetch: false },
    fetch: 'function',
    crossFetch: 'function',
    fetchLoaded: { nodeFetch: true, crossFetch: true },
    againDeferred: 0,
  });
}, 60_000);

test("the expression functions' libraries the card templates never call load when an expression first calls them", () => {
  // In a process of its own, as above.
  const script = `
    const { deferUnusedTemplatingModules } = require(${JSON.stringify(path.join(__dirname, '..', '..', 'dist', 'src', 'bot', 'onDemandModules.js'))});
    const { isProxy } = require('node:util').types;
    const fs = require('node:fs');
    const path = require('node:path');
    const standIns = () => Object.keys(require.cache).filter((f) => isProxy(require.cache[f].exports)).length;
    const seen = { deferred: deferUnusedTemplatingModules().length };
    const { Template } = require('adaptivecards-templating');
    const templates = ${JSON.stringify(path.join(__dirname, '..', '..', 'src', 'cards', 'templates'))};
    for (const file of fs.readdirSync(templates).filter((f) => f.endsWith('.json'))) {
      new Template(JSON.parse(fs.readFileSync(path.join(templates, file), 'utf8'))).expand({ $root: {} });
    }
    const card = new Template({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: '\${name}', $when: "\${note != ''}" }, { type: 'TextBlock', text: '\${count(items)} items' }] })
      .expand({ $root: { name: 'Ada', note: 'x', items: [1, 2] } });
    seen.card = card.body.map((b) => b.text);
    seen.afterCards = standIns();
    const { Expression } = require('adaptive-expressions');
    const value = (e) => Expression.parse(e).tryEvaluate({}).value;
    seen.equal = value(\`json('{"a":[1,{"b":2}]}') == json('{"a":[1,{"b":2}]}')\`);
    seen.unequal = value(\`json('{"a":1}') == json('{"a":2}')\`);
    seen.guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value('newGuid()'));
    seen.xml = value(\`xml(json('{"p":{"n":"x"}}'))\`).includes('<n>x</n>');
    seen.jPath = value(\`jPath(json('{"a":[{"b":1},{"b":2}]}'), '.a.b')\`);
    seen.duration = value("isDuration('PT30M')");
    seen.afterCalls = standIns();
    seen.againDeferred = deferUnusedTemplatingModules().length;
    process.stdout.write(JSON.stringify(seen));
  `;
  expect(runProbe(script)).toEqual({
    deferred: 5,
    card: ['Ada', '2 items'],
    afterCards: 5,
    equal: true,
    unequal: false,
    guid: true,
    xml: true,
    jPath: [1, 2],
    duration: true,
    afterCalls: 0,
    againDeferred: 0,
  });
}, 60_000);
