import * as fs from 'node:fs';
import * as path from 'node:path';
import { compose } from '../../src/compose';
import { COMMAND_SPECS, FEATURE_COMMAND_TABLES } from '../../src/bot/commandCatalog';
import { parseCommand } from '../../src/bot/commandParser';
import type { ManifestScope } from '../../src/bot/chatCommands';
import { helpCardData } from '../../src/bot/features/help/helpFeature';
import { loadConfig } from '../../src/config/config';
import { createSqliteStore } from '../../src/store/sqlite';
import { createLogger } from '../../src/util/logger';
import { SecretBox } from '../../src/secrets/secretBox';
import { loadSecretsKey } from '../../src/secrets/secretsKey';
import { createGraphGateway } from '../../src/graph/createGraphGateway';
import { ServiceKeyVerifier } from '../../src/verification/keyVerifier';
import { makeTempDir, removeTempDir, TestClock } from '../harness/testBot';

interface ManifestCommandList {
  scopes: ManifestScope[];
  commands: { title: string; description: string }[];
}

const manifest = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../appPackage/manifest.json'), 'utf8'),
) as { bots: { commandLists: ManifestCommandList[] }[] };

const byTitle = (a: { title: string }, b: { title: string }) => a.title.localeCompare(b.title);

describe('command tables', () => {
  const names = COMMAND_SPECS.map((c) => c.name);

  it('lists every command of every feature table once, and nothing else', () => {
    const tabled = FEATURE_COMMAND_TABLES.flatMap((table) => Object.values(table).map((c) => c.name));
    expect([...tabled].sort()).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it('parses every name and alias from the tables, and nothing the tables do not name', () => {
    const words = COMMAND_SPECS.flatMap((c) => [c.name, ...c.aliases]);
    expect(new Set(words).size).toBe(words.length);
    for (const spec of COMMAND_SPECS) {
      for (const word of [spec.name, ...spec.aliases]) {
        expect(parseCommand(`${word.toUpperCase()} Finance`)).toEqual({ name: spec.name, args: 'Finance' });
      }
    }
    expect(parseCommand('authorise office365')).toEqual({ name: 'unknown', text: 'authorise office365' });
  });

  it('puts every command of the tables on the help card, in table order', () => {
    const data = helpCardData(90, () => true);
    expect(data.commands).toEqual(COMMAND_SPECS.map(({ usage, description }) => ({ usage, description })));
  });

  it("matches the app manifest's command lists, scope by scope", () => {
    const lists = manifest.bots[0].commandLists;
    expect(lists.length).toBe(3);
    for (const list of lists) {
      const [scope] = list.scopes;
      const expected = COMMAND_SPECS.flatMap((c) => {
        const description = (c as { manifest?: Partial<Record<ManifestScope, string>> }).manifest?.[scope];
        return description ? [{ title: c.name, description }] : [];
      });
      expect([...list.commands].sort(byTitle)).toEqual(expected.sort(byTitle));
    }
  });

  describe('in the bot', () => {
    let dir: string;
    let registered: readonly string[];

    beforeAll(() => {
      dir = makeTempDir();
      const config = loadConfig({ DATA_DIR: dir });
      const logger = createLogger('error', () => undefined);
      const store = createSqliteStore(config.dataDir);
      registered = compose({
        config,
        store,
        logger,
        clock: new TestClock(),
        secretBox: new SecretBox(loadSecretsKey(config.secretsKey, config.dataDir)),
        keyVerifier: new ServiceKeyVerifier({ timeoutMs: 1000 }),
        graph: createGraphGateway(config, logger),
        version: 'test',
      }).bot.commands;
      return store.close();
    });

    afterAll(() => removeTempDir(dir));

    it('has a handler for every command of the tables', () => {
      expect([...registered].sort()).toEqual([...names].sort());
    });
  });
});
