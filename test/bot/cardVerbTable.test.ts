import * as fs from 'node:fs';
import * as path from 'node:path';
import { compose } from '../../src/compose';
import { loadConfig } from '../../src/config/config';
import { createSqliteStore } from '../../src/store/sqlite';
import { createLogger } from '../../src/util/logger';
import { SecretBox } from '../../src/secrets/secretBox';
import { loadSecretsKey } from '../../src/secrets/secretsKey';
import { createGraphGateway } from '../../src/graph/createGraphGateway';
import { ServiceKeyVerifier } from '../../src/verification/keyVerifier';
import { CONSENT_VERBS, RUN_COMMAND_VERB } from '../../src/cards/verbs';
import { REVOCATION_CHECK_VERB } from '../../src/cards/revocationCards';
import { WIZARD_CONTROL_VERB } from '../../src/bot/features/wizard/wizardFeature';
import { ROLES_VERBS } from '../../src/bot/features/roles/rolesShared';
import { makeTempDir, removeTempDir, TestClock } from '../harness/testBot';

const SRC = path.join(__dirname, '../../src');
const TEMPLATES = path.join(SRC, 'cards/templates');

/** Every `verb` value in a JSON template, bound ones (`${verb}`) included. */
function templateVerbs(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (node: unknown, file: string) => {
    if (Array.isArray(node)) node.forEach((n) => visit(n, file));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'verb' && typeof value === 'string')
          found.set(value, [...(found.get(value) ?? []), file]);
        else visit(value, file);
      }
    }
  };
  for (const file of fs.readdirSync(TEMPLATES).filter((f) => f.endsWith('.json'))) {
    visit(JSON.parse(fs.readFileSync(path.join(TEMPLATES, file), 'utf8')), file);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * The verb constants that code puts on buttons of the message card (whose template binds
 * `${verb}`), by the expression the code writes. A `verb:` in src that is not here fails the
 * test, so a new code-built verb is checked too.
 */
const CODE_VERBS: Record<string, string> = {
  RUN_COMMAND_VERB,
  'CONSENT_VERBS.check': CONSENT_VERBS.check,
  'CONSENT_VERBS.askAgain': CONSENT_VERBS.askAgain,
  // The `consents` list's Review buttons, bound into consentList.json's `${verb}`.
  'CONSENT_VERBS.review': CONSENT_VERBS.review,
  REVOCATION_CHECK_VERB,
  WIZARD_CONTROL_VERB,
  'ROLES_VERBS.removeGrants': ROLES_VERBS.removeGrants,
};

/** `verb: X` properties in src that build a button's data in code. */
function codeVerbExpressions(): { file: string; expression: string }[] {
  return sourceFiles(SRC).flatMap((file) =>
    [...fs.readFileSync(file, 'utf8').matchAll(/\bverb: ([A-Z][A-Z_]*(?:\.[a-zA-Z]+)?|'[^']*')[,\s]/g)].map(
      (m) => ({ file: path.relative(SRC, file), expression: m[1] }),
    ),
  );
}

describe('card verbs and their handlers', () => {
  let dir: string;
  let registered: readonly string[];

  beforeAll(() => {
    dir = makeTempDir();
    const config = loadConfig({ DATA_DIR: dir });
    const logger = createLogger('error', () => undefined);
    const store = createSqliteStore(config.dataDir);
    const { bot } = compose({
      config,
      store,
      logger,
      clock: new TestClock(),
      secretBox: new SecretBox(loadSecretsKey(config.secretsKey, config.dataDir)),
      keyVerifier: new ServiceKeyVerifier({ timeoutMs: 1000 }),
      graph: createGraphGateway(config, logger),
      version: 'test',
    });
    registered = bot.cardVerbs;
    return store.close();
  });

  afterAll(() => removeTempDir(dir));

  it('registers each verb once', () => {
    expect(registered.length).toBeGreaterThan(10);
    expect(registered.filter((v, i) => registered.indexOf(v) !== i)).toEqual([]);
  });

  it('has a handler for every verb written in a card template', () => {
    const literal = [...templateVerbs().entries()].filter(([verb]) => !verb.includes('${'));
    expect(literal.length).toBeGreaterThan(10);
    const missing = literal
      .filter(([verb]) => !registered.includes(verb))
      .map(([verb, files]) => `${verb} (${files})`);
    expect(missing).toEqual([]);
  });

  it('knows every verb that code puts on a message card button, and each has a handler', () => {
    const expressions = codeVerbExpressions();
    expect(expressions.length).toBeGreaterThan(0);
    const unknown = expressions
      .filter((e) => !(e.expression in CODE_VERBS))
      .map((e) => `${e.expression} in ${e.file}`);
    expect(unknown).toEqual([]);
    // Code-built verbs reach the client through the message card's and the consents list's bound verb.
    expect(templateVerbs().get('${verb}')?.sort()).toEqual(['consentList.json', 'message.json']);
    expect(Object.values(CODE_VERBS).filter((verb) => !registered.includes(verb))).toEqual([]);
  });

  it('has no handler whose verb no card can carry', () => {
    const carried = new Set([...templateVerbs().keys(), ...Object.values(CODE_VERBS)]);
    expect(registered.filter((verb) => !carried.has(verb))).toEqual([]);
  });
});
